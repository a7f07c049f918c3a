from __future__ import annotations

from django.db import models
from django.db.models import Case, IntegerField, Value, When


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def unemailed(self):
        return self.filter(emailed_at__isnull=True)

    def about(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def unread_first(self):
        """Unread ones first, newest first within each group."""
        return self.annotate(
            _read=Case(
                When(read_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("_read", "-created_at", "-id")
