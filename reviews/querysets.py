"""Who may see which reviews. Views and template tags never filter visibility themselves."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

from contracts.models import Contract


class ReviewQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def held(self):
        return self.filter(status="held")

    def visible_to(self, user):
        """Published reviews for everyone; a buyer organisation also sees its own in any state;
        staff see all."""
        if user is not None and user.is_authenticated:
            if user.is_staff:
                return self.all()
            organisation = user.organisation
            if organisation is not None and organisation.kind == "buyer":
                return self.filter(Q(status="published") | Q(organisation=organisation))
        return self.published()

    def of_organisation(self, organisation):
        """Reviews written by this buyer organisation."""
        return self.filter(organisation=organisation)

    def about_supplier(self, organisation):
        return self.filter(supplier=organisation)

    def with_open_reports(self):
        # The report model through the reverse relation, so this module needs no models import.
        reports = self.model._meta.get_field("reports").related_model
        return self.filter(Exists(reports.objects.open().filter(review=OuterRef("pk"))))

    def needing_moderation(self):
        """Held reviews, and published ones that someone has reported."""
        return self.held() | self.published().with_open_reports()

    def newest(self):
        return self.order_by("-published_at", "-id")

    def most_helpful(self):
        return self.filter(helpful_count__gt=0).order_by("-helpful_count", "-published_at", "-id")

    def with_details(self):
        return self.select_related(
            "offer__published_revision",
            "revision",
            "organisation",
            "supplier",
            "contract",
            "response",
        )


class ReviewReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


def contracts_of(user):
    """The contracts held by the user's buyer organisation (another organisation's are absent)."""
    return Contract.objects.held_by(user)
