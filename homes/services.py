"""Staff hear once a day of the queue items past their service level."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ndx.notifications.services import notification_send_to_staff
from ndx.plain_words import count_noun

from .queues import past_due_items


@transaction.atomic
def staff_past_due_notify(*, today: date | None = None) -> int:
    """One notification a day to every member of staff listing the items past their service
    level (none when nothing is late; the key names the day, so a second run sends nothing).
    Returns how many notifications were created."""
    today = today or timezone.localdate()
    items = past_due_items()
    if not items:
        return 0
    lines = [
        f"{item.title} ({queue.name.lower()}, due {item.due:%-d %B %Y})" for queue, item in items
    ]
    their = "its" if len(items) == 1 else "their"
    title = f"{count_noun(len(items), 'decision')} past {their} service level"
    return len(
        notification_send_to_staff(
            kind="homes.decision_due",
            title=title[:1].upper() + title[1:],
            body="; ".join(lines)[:2000],
            url=reverse("homes:staff_home"),
            key=f"staff-past-due-{today.isoformat()}",
        )
    )
