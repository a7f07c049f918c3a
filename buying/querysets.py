from django.db import models


def _organisation_scope(qs, user):
    """Only the user's own organisation's rows; staff see all (for audit)."""
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_staff:
        return qs
    organisation = user.organisation
    if organisation is None:
        return qs.none()
    return qs.filter(organisation=organisation)


class SavedSearchQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _organisation_scope(self, user)


class ShortlistQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _organisation_scope(self, user)

    def frozen(self):
        return self.filter(status="frozen")


class RequirementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _organisation_scope(self, user)

    def drafts(self):
        return self.filter(status="draft")


# --- awards and contracts ---


def _saving_expression():
    return models.Case(
        models.When(list_price__isnull=True, then=models.Value(None)),
        default=(models.F("list_price") - models.F("unit_price")) * models.F("quantity"),
        output_field=models.DecimalField(max_digits=18, decimal_places=2),
    )


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The buyer organisation's contracts, or the supplier's; staff see all."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        organisation = user.organisation
        if organisation is None:
            return self.none()
        if organisation.kind == "supplier":
            return self.filter(supplier=organisation)
        return self.filter(organisation=organisation)

    def for_buyer(self, organisation):
        return self.filter(organisation=organisation)

    def for_supplier(self, organisation):
        return self.filter(supplier=organisation)

    def with_saving(self):
        """Annotate `cost_saving` = (list price - awarded price) x quantity (None if no list
        price), computed in the database so registers can total and sort it."""
        return self.annotate(cost_saving=_saving_expression())

    def totals(self) -> dict:
        """Count, total value and total cost saving of these contracts."""
        result = self.aggregate(
            count=models.Count("pk"),
            value=models.Sum("value"),
            saving=models.Sum(_saving_expression()),
        )
        return {
            "count": result["count"] or 0,
            "value": result["value"] or 0,
            "saving": result["saving"] or 0,
        }


class FurtherCompetitionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the buyer organisation that runs it (staff see all)."""
        return _organisation_scope(self, user)


class CompetitionInvitationQuerySet(models.QuerySet):
    def for_supplier(self, user):
        """The invitations a supplier user may see: its own organisation's, once sent. Another
        supplier's invitation (and so its response) is never in this queryset."""
        if user is None or not user.is_authenticated or user.organisation is None:
            return self.none()
        if user.organisation.kind != "supplier":
            return self.none()
        return self.filter(supplier=user.organisation, competition__published_at__isnull=False)
