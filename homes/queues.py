"""The staff queues on the staff home: for each, the count, the age of its oldest item and the
items past their service level (settings.NDX_SERVICE_LEVELS, working days), flagged first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone

from catalogue.models import Framework, OfferRevision
from ndx.working_days import due_date, is_past_due, service_level, working_days_between
from reviews.models import Review
from suppliers.models import LotApplication


@dataclass
class QueueItem:
    title: str
    url: str
    received: datetime
    due: date | None
    past_due: bool


@dataclass
class Queue:
    key: str
    name: str
    url: str
    items: list[QueueItem] = field(default_factory=list)
    target: int | None = None

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def oldest(self) -> QueueItem | None:
        return min(self.items, key=lambda i: i.received) if self.items else None

    @property
    def oldest_age_days(self) -> int | None:
        """Working days since the oldest item came in."""
        oldest = self.oldest
        if oldest is None:
            return None
        return working_days_between(oldest.received, timezone.now())

    @property
    def past_due(self) -> list[QueueItem]:
        return [i for i in self.items if i.past_due]

    @property
    def ordered(self) -> list[QueueItem]:
        """Items past their service level first, then oldest first."""
        return sorted(self.items, key=lambda i: (not i.past_due, i.received))


def _item(queue: str | None, title: str, url: str, received: datetime) -> QueueItem:
    if queue is None:
        return QueueItem(title, url, received, None, False)
    return QueueItem(title, url, received, due_date(queue, received), is_past_due(queue, received))


def offer_queue() -> Queue:
    revisions = OfferRevision.objects.awaiting_review().select_related("offer__supplier")
    items = [
        _item(
            "offers",
            f"{revision.title} from {revision.offer.supplier}",
            reverse("catalogue:staff_offer_review", args=[revision.pk]),
            revision.submitted_at or revision.created_at,
        )
        for revision in revisions
    ]
    return Queue(
        "offers", "Offers waiting for review", reverse("catalogue:staff_offer_queue"), items
    )


def application_queue() -> Queue:
    applications = LotApplication.objects.pending().select_related("supplier", "lot__framework")
    items = [
        _item(
            "applications",
            f"{application.supplier} for {application.lot}",
            reverse("suppliers:staff_application", args=[application.pk]),
            application.submitted_at,
        )
        for application in applications
    ]
    return Queue("applications", "Lot applications", reverse("suppliers:staff_applications"), items)


def review_queue() -> Queue:
    reviews = Review.objects.needing_moderation().select_related("offer")
    items = [
        _item(
            "reviews",
            f"“{review.title}” about {review.offer}",
            reverse("reviews:staff_review", args=[review.pk]),
            review.created_at,
        )
        for review in reviews.distinct()
    ]
    return Queue("reviews", "Reviews to moderate", reverse("reviews:staff_queue"), items)


def approvals_for(user) -> Queue:
    """Two-person approvals waiting for this person: frameworks someone else asked to put live."""
    frameworks = Framework.objects.awaiting_approval().exclude(live_requested_by=user)
    items = [
        _item(
            None,
            f"{framework.name}: put live",
            reverse("catalogue:staff_framework_detail", args=[framework.pk]),
            framework.live_requested_at,
        )
        for framework in frameworks
    ]
    return Queue(
        "approvals", "Approvals waiting for you", reverse("catalogue:staff_frameworks"), items
    )


def staff_queues() -> list[Queue]:
    queues = [offer_queue(), application_queue(), review_queue()]
    for queue in queues:
        queue.target = service_level(queue.key)
    return queues


def past_due_items() -> list[tuple[Queue, QueueItem]]:
    return [(queue, item) for queue in staff_queues() for item in queue.ordered if item.past_due]
