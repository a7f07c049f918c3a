"""Notifications: one mechanism for every app to tell a person that something waits for them
or that something of theirs was decided.

How an app uses it (inside its own service, in the same transaction as the change):

    from ndx.notifications.services import notification_send, notifications_mark_done

    notification_send(
        recipient=user,
        kind="buying.invited",                      # "<app>.<event>"
        title="You are invited to bid for Case management",
        body="Bids close on 12 March 2027.",        # plain sentences
        url=reverse("buying:invitation", args=[invitation.pk]),  # a path on this site
        key=f"invitation-{invitation.pk}",          # names the event: never notified twice
        obj=invitation,                             # what it is about (for marking it done)
    )
    notification_send_to_organisation(organisation=org, ...)   # every member (or admins)
    notification_send_to_staff(...)                            # every active staff user

When the person acts, the app marks the notification done:

    notifications_mark_done(recipient=user, obj=invitation)            # or kind=..., key=...

`notification_read` / `notifications_read_all` are what the /notifications/ page calls.
`notification_preference_set` stores the person's email choice (at once, daily, or off).

Emails: a new notification is emailed at once (Celery task
"ndx.notifications.tasks.send_notification_email", queued by name through the outbox after
the commit) when the person chose "at once" or when `security=True` (security emails ignore
the choice). People who chose "daily" get one digest a day (beat task
"ndx.notifications.tasks.send_daily_digests") of what they have not yet read or been emailed.
An email is never sent twice: the row is locked and `emailed_at` set in the same transaction
as the send, and a notification already emailed is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ndx.outbox import enqueue_on_commit

from .models import Notification, NotificationPreference

EMAIL_TASK = "ndx.notifications.tasks.send_notification_email"
DIGEST_TASK = "ndx.notifications.tasks.send_digest"


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValidationError("A notification links to a page on this site: give a path.")
    return url


@transaction.atomic
def notification_send(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str,
    obj: models.Model | None = None,
    security: bool = False,
    emailed_by_app: bool = False,
) -> Notification | None:
    """Notify one person of one event. Returns the new notification, or None when this
    recipient already has one with this `key` (the event was already notified) or cannot
    receive it (inactive account). `emailed_by_app=True` when the app sends its own email for
    the event (an invitation to bid, an application decision): the notification is then
    shown but not emailed again, at once or in the digest."""
    if not kind or not title or not key:
        raise ValidationError("A notification needs a kind, a title and a key.")
    if not recipient.is_active:
        return None
    url = _check_url(url)
    notification, created = Notification.objects.get_or_create(
        recipient=recipient,
        key=key[:200],
        defaults={
            "kind": kind[:100],
            "title": title[:200],
            "body": body,
            "url": url,
            "object_type": obj._meta.label_lower if obj is not None else "",
            "object_id": str(obj.pk) if obj is not None else "",
            "security": security,
            "emailed_at": timezone.now() if emailed_by_app else None,
        },
    )
    if not created:
        return None
    if emailed_by_app:
        return notification
    choice = NotificationPreference.email_choice_for(recipient)
    if security or choice == NotificationPreference.Email.IMMEDIATE:
        enqueue_on_commit(EMAIL_TASK, notification.pk)
    return notification


def _send_to_each(users: Iterable, **kwargs) -> list[Notification]:
    sent = []
    for user in users:
        notification = notification_send(recipient=user, **kwargs)
        if notification is not None:
            sent.append(notification)
    return sent


@transaction.atomic
def notification_send_to_organisation(
    *, organisation, admins_only: bool = False, **kwargs
) -> list[Notification]:
    """Notify every active member of `organisation` (only its admins with admins_only=True).
    Takes notification_send's other arguments; returns the notifications created."""
    from ndx.accounts.models import Membership

    memberships = Membership.objects.filter(
        organisation=organisation, user__is_active=True
    ).select_related("user")
    if admins_only:
        memberships = memberships.filter(role=Membership.Role.ADMIN)
    return _send_to_each((m.user for m in memberships.order_by("user__email")), **kwargs)


@transaction.atomic
def notification_send_to_staff(**kwargs) -> list[Notification]:
    """Notify every active platform staff user (e.g. a queue's items past their service level)."""
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("email")
    return _send_to_each(staff, **kwargs)


@transaction.atomic
def notifications_mark_done(
    *,
    recipient,
    obj: models.Model | None = None,
    kind: str | None = None,
    key: str | None = None,
) -> int:
    """The person did what was asked: mark their matching notifications done (and read).
    Give at least one of obj, kind and key. Returns how many were marked."""
    if obj is None and kind is None and key is None:
        raise ValueError("notifications_mark_done needs obj, kind or key")
    rows = Notification.objects.for_recipient(recipient).filter(done_at__isnull=True)
    if obj is not None:
        rows = rows.about(obj)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if key is not None:
        rows = rows.filter(key=key)
    now = timezone.now()
    rows.filter(read_at__isnull=True).update(read_at=now)
    return rows.update(done_at=now)


@transaction.atomic
def notifications_mark_done_for_organisation(
    *, organisation, obj: models.Model | None = None, kind: str | None = None
) -> int:
    """Someone in `organisation` did what was asked of it (a supplier responded to an
    invitation): mark every member's matching notifications done. Returns how many."""
    from ndx.accounts.models import Membership

    total = 0
    for membership in Membership.objects.filter(organisation=organisation).select_related("user"):
        total += notifications_mark_done(recipient=membership.user, obj=obj, kind=kind)
    return total


@transaction.atomic
def notification_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications as read."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied("This notification is someone else's.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_read_all(*, actor) -> int:
    """Mark all the actor's notifications as read; returns how many were unread."""
    return Notification.objects.for_recipient(actor).unread().update(read_at=timezone.now())


@transaction.atomic
def notification_preference_set(*, actor, email: str) -> NotificationPreference:
    if email not in NotificationPreference.Email.values:
        raise ValidationError({"email": "Select how you want to be emailed"})
    preference, _ = NotificationPreference.objects.update_or_create(
        user=actor, defaults={"email": email}
    )
    return preference


# --- emails (called by the Celery tasks) ------------------------------------------------------


def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url else settings.SITE_URL + "/notifications/"


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification unless it was emailed already or the person no longer wants
    it (a security notification is always sent). True when an email was sent. An SMTP error
    rolls back, leaving it unemailed for the task's retry."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        recipient = notification.recipient
        choice = NotificationPreference.email_choice_for(recipient)
        wanted = notification.security or choice == NotificationPreference.Email.IMMEDIATE
        if not wanted or not recipient.is_active or not recipient.email:
            return False
        context = {
            "notification": notification,
            "link": _absolute(notification.url),
            "settings_link": _absolute("/notifications/settings/"),
            "service_name": settings.NDX_SERVICE_NAME,
        }
        send_mail(
            subject=notification.title,
            message=render_to_string("notifications/email/notification.txt", context),
            from_email=None,
            recipient_list=[recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return True


def digest_recipient_ids() -> list[int]:
    """People who chose the daily digest and have unread notifications not yet emailed."""
    return list(
        Notification.objects.unemailed()
        .unread()
        .filter(
            recipient__is_active=True,
            recipient__notification_preference__email=NotificationPreference.Email.DAILY,
        )
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )


def notifications_digests_queue() -> int:
    """Queue one digest task per person who has something for today's digest."""
    ids = digest_recipient_ids()
    for user_id in ids:
        enqueue_on_commit(DIGEST_TASK, user_id)
    return len(ids)


def notification_digest_send(*, user_id: int) -> int:
    """Email one person a summary of their unread, unemailed notifications, and mark them
    emailed in the same transaction (locked), so no notification is in two digests.
    Returns how many the digest listed (0: nothing sent)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return 0
    if NotificationPreference.email_choice_for(user) != NotificationPreference.Email.DAILY:
        return 0
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .for_recipient(user)
            .unemailed()
            .unread()
            .order_by("created_at", "id")
        )
        if not rows:
            return 0
        count = len(rows)
        context = {
            "notifications": [(n, _absolute(n.url)) for n in rows],
            "count": count,
            "all_link": _absolute("/notifications/"),
            "settings_link": _absolute("/notifications/settings/"),
            "service_name": settings.NDX_SERVICE_NAME,
        }
        noun = "thing" if count == 1 else "things"
        send_mail(
            subject=f"{count} {noun} on {settings.NDX_SERVICE_NAME} today",
            message=render_to_string("notifications/email/digest.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
        return count
