"""A notification per person and event, and each person's choice of email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .querysets import NotificationQuerySet


class Notification(models.Model):
    """One person told of one event. `key` names the event (e.g. "competition-42-invited"):
    it is unique per recipient, so the same event never notifies the same person twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(
        max_length=100, help_text='What happened, as "<app>.<event>", e.g. "buying.invited".'
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="One or two plain sentences.")
    url = models.CharField(
        max_length=500, blank=True, help_text="The page of the thing, a path on this site."
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    key = models.CharField(max_length=200)
    security = models.BooleanField(
        default=False, help_text="Security emails are sent at once whatever the person chose."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person did what the notification asked."
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="notification_once_per_recipient_and_event"
            ),
            models.CheckConstraint(
                condition=Q(url="") | (Q(url__startswith="/") & ~Q(url__startswith="//")),
                name="notification_url_is_a_local_path",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} (to {self.recipient})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class NotificationPreference(models.Model):
    """How one person wants to be emailed. No row means the default: at once."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", "Email me about each one at once"
        DAILY = "daily", "Email me once a day with a summary"
        OFF = "off", "Do not email me (security emails are still sent)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.IMMEDIATE)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_display()}"

    @classmethod
    def email_choice_for(cls, user) -> str:
        """The person's choice, without creating a row (GET pages must not write)."""
        choice = cls.objects.filter(user=user).values_list("email", flat=True).first()
        return choice or cls.Email.IMMEDIATE
