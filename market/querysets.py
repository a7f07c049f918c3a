"""Reusable filters for the market app (no import of the models module)."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone


class EngagementQuerySet(models.QuerySet):
    def published(self):
        """Every engagement is public once published (open, closed or concluded)."""
        return self

    def open_now(self):
        return self.filter(status="open", closes_on__gte=timezone.localdate())

    def of_organisation(self, organisation):
        return self.filter(organisation=organisation)

    def due_to_close(self):
        return self.filter(status="open", closes_on__lt=timezone.localdate())


class PipelineEntryQuerySet(models.QuerySet):
    def upcoming(self):
        """Expected to start from the beginning of this month to 18 months ahead."""
        today = timezone.localdate()
        return self.filter(
            expected_start__gte=today.replace(day=1),
            expected_start__lte=today + timedelta(days=549),
        )


class DirectoryMemberQuerySet(models.QuerySet):
    def consenting(self):
        """Members who agreed to be contacted and have not withdrawn: the only ones buyers and
        staff see, and the only ones ever alerted."""
        return self.filter(consent_contact=True, withdrawn_at__isnull=True)


class AlertQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(notified_at__isnull=True, cancelled_at__isnull=True)

    def for_organisation(self, organisation):
        return self.filter(member__organisation=organisation, cancelled_at__isnull=True)
