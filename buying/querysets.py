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
