from django.db import models


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

    def held_by(self, user):
        """The contracts held by the user's buyer organisation (none for anyone else)."""
        organisation = user.organisation if user is not None and user.is_authenticated else None
        if organisation is None or organisation.kind != "buyer":
            return self.none()
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
