"""Verified reviews of offers: written by a buyer organisation about one of its contracts,
moderated, answered once by the supplier, marked helpful by buyers and reported by anyone."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from ndx.lifecycle import Lifecycle, Move

from .querysets import ReviewQuerySet, ReviewReportQuerySet

STARS = [(n, f"{n} star{'s' if n != 1 else ''}") for n in range(1, 6)]
_STAR_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class PerformanceRating(models.TextChoices):
    """The statutory key performance indicator rating for public contracts."""

    GOOD = "good", "Good"
    APPROACHING_TARGET = "approaching_target", "Approaching target"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


def _stars_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, choices=STARS, validators=_STAR_VALIDATORS)


class Review(models.Model):
    """One buyer organisation's review of one contract, and so of the offer revision it bought."""

    class Status(models.TextChoices):
        HELD = "held", "Waiting for moderation"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"

    # Written as published, or held when moderation finds a link, an email address or a phone
    # number. Staff publish a held review, or reject a held or published one (final).
    LIFECYCLE = Lifecycle(
        "status",
        {
            "publish": Move(from_="held", to="published"),
            "reject": Move(from_=["held", "published"], to="rejected"),
        },
    )

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="reviews"
    )
    # Copied from the contract so that pages and summaries need no join through contracts.
    offer = models.ForeignKey("catalogue.Offer", on_delete=models.PROTECT, related_name="reviews")
    revision = models.ForeignKey(
        "catalogue.OfferRevision", on_delete=models.PROTECT, related_name="reviews"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="reviews_written"
    )
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="reviews_received"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = _stars_field("overall rating")
    value_for_money = _stars_field("value for money")
    delivery = _stars_field("delivery")
    support = _stars_field("support")
    ease_of_use = _stars_field("ease of use")
    performance = models.CharField(
        "performance rating", max_length=20, choices=PerformanceRating.choices
    )
    title = models.CharField(max_length=120)
    text = models.TextField("review", max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    # Why moderation holds it: e.g. ["a link", "a phone number"]. Empty if it published at once.
    held_for = models.JSONField(default=list, blank=True)
    rejection_reason = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    helpful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Once per contract: a rejected review does not count, so the buyer may try again.
            models.UniqueConstraint(
                "contract", condition=~Q(status="rejected"), name="review_once_per_contract"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5)
                & Q(value_for_money__gte=1, value_for_money__lte=5)
                & Q(delivery__gte=1, delivery__lte=5)
                & Q(support__gte=1, support__lte=5)
                & Q(ease_of_use__gte=1, ease_of_use__lte=5),
                name="review_stars_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="review_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="review_rejected_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["offer", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def is_rejected(self) -> bool:
        return self.status == self.Status.REJECTED

    @property
    def can_publish(self) -> bool:
        return self.LIFECYCLE.can(self, "publish")

    @property
    def can_reject(self) -> bool:
        return self.LIFECYCLE.can(self, "reject")

    @property
    def sub_ratings(self) -> list[tuple[str, int]]:
        return [
            ("Value for money", self.value_for_money),
            ("Delivery", self.delivery),
            ("Support", self.support),
            ("Ease of use", self.ease_of_use),
        ]


class ReviewResponse(models.Model):
    """The supplier's one public answer to a review."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="response")
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField("response", max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Response to {self.review}"


class HelpfulVote(models.Model):
    """A buyer found a review helpful. One vote a person a review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("review", "user", name="helpful_vote_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} found {self.review} helpful"


class ReviewReport(models.Model):
    """Someone signed in thinks a review breaks the rules. Staff resolve open reports."""

    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", "It is offensive or abusive"
        PERSONAL = "personal", "It contains personal or confidential information"
        FALSE = "false", "It is false or misleading"
        OFF_TOPIC = "off_topic", "It is not about this offer"
        OTHER = "other", "Something else"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    detail = models.TextField("more detail", max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReviewReportQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "review",
                "reporter",
                condition=Q(resolved_at__isnull=True),
                name="review_report_open_once_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"Report on {self.review}: {self.get_reason_display()}"


class OfferRatingSummary(models.Model):
    """Published reviews of one offer, summed up: count, plain and Bayesian average, histogram.
    Rewritten by the services whenever a review of the offer is published or leaves that state."""

    offer = models.OneToOneField(
        "catalogue.Offer", on_delete=models.CASCADE, primary_key=True, related_name="rating_summary"
    )
    count = models.PositiveIntegerField(default=0)
    average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    # The ranking score: the average pulled towards a prior, so few reviews count for less.
    bayesian = models.DecimalField(max_digits=5, decimal_places=4)
    stars_1 = models.PositiveIntegerField(default=0)
    stars_2 = models.PositiveIntegerField(default=0)
    stars_3 = models.PositiveIntegerField(default=0)
    stars_4 = models.PositiveIntegerField(default=0)
    stars_5 = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-bayesian", "-count"]
        indexes = [models.Index(fields=["-bayesian"])]

    def __str__(self) -> str:
        return f"{self.offer}: {self.average} from {self.count}"

    def histogram(self) -> dict[int, int]:
        return {n: getattr(self, f"stars_{n}") for n in range(1, 6)}
