"""Who may see which frameworks and offers. Views never filter visibility themselves."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone


class FrameworkQuerySet(models.QuerySet):
    def live(self):
        today = timezone.localdate()
        return self.filter(status="live").filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))

    def accepting_applications(self):
        """Open frameworks, and live dynamic markets (which take new suppliers at any time)."""
        today = timezone.localdate()
        not_ended = Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        return self.filter(Q(status="open") | (Q(status="live", kind="dynamic_market") & not_ended))

    def awaiting_approval(self):
        return self.filter(live_requested_at__isnull=False).exclude(status="live")


class OfferQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published", published_revision__isnull=False)

    def buyable(self):
        """Published offers, on live frameworks, from suppliers in good standing there."""
        # By name: models.py imports this module, so importing it back would be a cycle.
        FrameworkMembership = apps.get_model("catalogue", "FrameworkMembership")
        today = timezone.localdate()
        in_good_standing = FrameworkMembership.objects.filter(
            supplier=OuterRef("supplier"),
            framework=OuterRef("lot__framework"),
            status=FrameworkMembership.Status.ACTIVE,
        )
        return (
            self.published()
            .filter(lot__framework__status="live")
            .filter(Q(lot__framework__ends_on__isnull=True) | Q(lot__framework__ends_on__gte=today))
            .filter(Exists(in_good_standing))
        )

    def of_supplier(self, organisation):
        return self.filter(supplier=organisation)

    def visible_to(self, user):
        """Staff see everything; a supplier also sees its own offers in any state."""
        if user is not None and user.is_authenticated:
            if user.is_staff:
                return self.all()
            organisation = user.organisation
            if organisation is not None and organisation.kind == "supplier":
                return self.filter(Q(pk__in=self.buyable().values("pk")) | Q(supplier=organisation))
        return self.buyable()

    def with_content(self):
        return self.select_related(
            "published_revision",
            "working_revision",
            "lot__framework",
            "supplier__supplier_profile",
        )


class FrameworkMembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status="active")


class OfferRevisionQuerySet(models.QuerySet):
    def awaiting_review(self):
        return self.filter(status="submitted")

    def published_versions(self):
        return self.filter(status__in=["published", "superseded"], published_at__isnull=False)
