"""Notifications for reviews (ndx.notifications): the supplier hears when a review of its
offer is published (done when it answers), the author when the supplier answers."""

from __future__ import annotations

from django.urls import reverse

from ndx.notifications.services import (
    notification_send,
    notification_send_to_organisation,
    notifications_mark_done_for_organisation,
)

from .models import Review


def review_published_notify(review: Review) -> None:
    notification_send_to_organisation(
        organisation=review.supplier,
        kind="reviews.published",
        title=f"A buyer reviewed {review.offer}",
        body=f"“{review.title}”, {review.rating} out of 5. You can answer it once, in public.",
        url=reverse("reviews:respond", args=[review.pk]),
        key=f"review-published-{review.pk}",
        obj=review,
    )


def review_answered_notify(review: Review) -> None:
    """The supplier answered: its own notification is done; the author hears of the answer."""
    notifications_mark_done_for_organisation(organisation=review.supplier, obj=review)
    if review.author is None:
        return
    notification_send(
        recipient=review.author,
        kind="reviews.answered",
        title=f"{review.supplier} answered your review “{review.title}”",
        url=reverse("reviews:detail", args=[review.pk]),
        key=f"review-answered-{review.pk}",
        obj=review,
    )
