"""Review workflows: write, moderate, respond, mark helpful, report, remind; and the ratings
that offer and supplier pages, search and matching read.

Every change of state is one atomic service that checks who is acting, validates, saves and
audits. A change to an offer's published reviews rewrites its OfferRatingSummary and the
denormalised Offer.rating_average / rating_count, then tells search and matching."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Offer
from catalogue.ratings import (  # re-exported: reviews.services.bayesian_rating etc. as before
    RATING_PRIOR_MEAN,  # noqa: F401
    RATING_PRIOR_WEIGHT,  # noqa: F401
    bayesian_rating,
)
from catalogue.search_index import offers_changed
from contracts.models import Contract
from ndx.accounts.models import Organisation, User
from ndx.accounts.services import require_staff
from ndx.audit.services import audit_record

from . import notices
from .models import (
    HelpfulVote,
    OfferRatingSummary,
    PerformanceRating,
    Review,
    ReviewReport,
    ReviewResponse,
)

# --- ratings ---------------------------------------------------------------------------------

# The Bayesian rating (its prior and formula) lives in catalogue.ratings, since search sorts by it.

# Buyers are reminded to review a contract 60 days after it starts. A contract that started
# more than REMINDER_CATCH_UP_DAYS after that (say the task did not run) is not reminded late.
REMINDER_AFTER_DAYS = 60
REMINDER_CATCH_UP_DAYS = 30

TITLE_MAX = 120
TEXT_MAX = 5000
RESPONSE_MAX = 3000
REASON_MAX = 1000
SUB_RATINGS = ("value_for_money", "delivery", "support", "ease_of_use")
STAR_FIELDS = ("rating", *SUB_RATINGS)


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def offer_rating_refresh(*, offer: Offer) -> OfferRatingSummary:
    """Recount the offer's published reviews into its summary and Offer.rating_*, and tell
    search and matching. Called inside the transaction that changed a review."""
    counts = dict(
        Review.objects.published()
        .filter(offer=offer)
        .values_list("rating")
        .annotate(n=Count("id"))
        .values_list("rating", "n")
    )
    count = sum(counts.values())
    total = sum(stars * n for stars, n in counts.items())
    average = _two_places(Decimal(total) / count) if count else None
    exact = Decimal(total) / count if count else None
    summary, _ = OfferRatingSummary.objects.update_or_create(
        offer=offer,
        defaults={
            "count": count,
            "average": average,
            "bayesian": bayesian_rating(exact, count).quantize(Decimal("0.0001")),
            **{f"stars_{n}": counts.get(n, 0) for n in range(1, 6)},
        },
    )
    # update(), not save(): a new rating is not a change the supplier made to the offer.
    Offer.objects.filter(pk=offer.pk).update(rating_average=average, rating_count=count)
    offer.rating_average, offer.rating_count = average, count
    offers_changed([offer.pk])
    return summary


def rating_histogram(counts: dict[int, int]) -> list[dict[str, Any]]:
    """Rows from 5 stars down to 1, each with its count and percentage of all reviews."""
    total = sum(counts.values())
    rows = []
    for stars in range(5, 0, -1):
        n = counts.get(stars, 0)
        rows.append(
            {
                "stars": stars,
                "count": n,
                "percent": round(100 * n / total) if total else 0,
            }
        )
    return rows


def supplier_rating_summary(*, supplier: Organisation) -> dict[str, Any]:
    """Count, average and histogram of the published reviews of all this supplier's offers."""
    counts = dict(
        Review.objects.published()
        .about_supplier(supplier)
        .values_list("rating")
        .annotate(n=Count("id"))
        .values_list("rating", "n")
    )
    count = sum(counts.values())
    total = sum(stars * n for stars, n in counts.items())
    return {
        "count": count,
        "average": _two_places(Decimal(total) / count) if count else None,
        "histogram": rating_histogram(counts),
    }


def offer_rating_summary(*, offer: Offer) -> dict[str, Any]:
    summary = OfferRatingSummary.objects.filter(offer=offer).first()
    counts = summary.histogram() if summary else {}
    return {
        "count": summary.count if summary else 0,
        "average": summary.average if summary else None,
        "bayesian": summary.bayesian if summary else None,
        "histogram": rating_histogram(counts),
    }


# --- moderation ------------------------------------------------------------------------------

_URL_RE = re.compile(r"(?i)\b(?:https?://|ftp://|www\.)\S+")
_DOMAIN_RE = re.compile(
    r"(?i)\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*"
    r"\.(?:com|org|net|uk|io|co|gov|info|biz|eu|me|app|dev|ly|ai|tech|online|site)\b(?:/\S*)?"
)
_EMAIL_RE = re.compile(r"(?i)[a-z0-9._%+-]+\s*(?:@|\(at\)|\[at\])\s*[a-z0-9-]+(?:\.[a-z0-9-]+)+")
# A run of digits, spaces, dots, dashes and brackets that starts like a phone number.
_PHONE_RE = re.compile(r"(?<![\w£$€.,])(?:\+\s?\d|\(?0)[\d\s().-]{8,20}\d")


def _looks_like_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return 10 <= len(digits) <= 13


def moderation_holds(*texts: str) -> list[str]:
    """What in these texts holds a review for staff: links, email addresses, phone numbers."""
    text = "\n".join(t for t in texts if t)
    reasons = []
    if _EMAIL_RE.search(text):
        reasons.append("an email address")
    without_emails = _EMAIL_RE.sub(" ", text)
    if _URL_RE.search(without_emails) or _DOMAIN_RE.search(without_emails):
        reasons.append("a link")
    if any(_looks_like_phone(m.group(0)) for m in _PHONE_RE.finditer(without_emails)):
        reasons.append("a phone number")
    return reasons


# --- who may do what -------------------------------------------------------------------------


def _require_signed_in(actor: User | None) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("Sign in to do this.")


def review_check_can_write(*, actor: User, contract) -> None:
    """Raise PermissionDenied or ValidationError, with a message to show, unless `actor` may
    review `contract` now: a member of the buyer organisation that holds it, once it has
    started, and only if it has no review yet (a rejected review does not count)."""
    _require_signed_in(actor)
    organisation = actor.organisation
    if organisation is not None and organisation.pk == contract.supplier_id:
        raise PermissionDenied("A supplier cannot review its own offer.")
    if organisation is None or organisation.kind != Organisation.Kind.BUYER:
        raise PermissionDenied("Only buyers can review offers.")
    if organisation.pk != contract.organisation_id:
        raise PermissionDenied(
            "Only the buyer organisation that holds this contract can review it."
        )
    if contract.start_date > timezone.localdate():
        raise ValidationError(
            f"You can review this contract once it starts on "
            f"{contract.start_date.day} {contract.start_date:%B %Y}."
        )
    if Review.objects.filter(contract=contract).exclude(status=Review.Status.REJECTED).exists():
        raise ValidationError("Your organisation has already reviewed this contract.")


def _clean_stars(data: dict[str, Any], errors: dict[str, str]) -> dict[str, int]:
    labels = {
        "rating": "Select an overall rating from 1 to 5 stars",
        "value_for_money": "Select a rating for value for money",
        "delivery": "Select a rating for delivery",
        "support": "Select a rating for support",
        "ease_of_use": "Select a rating for ease of use",
    }
    stars = {}
    for field in STAR_FIELDS:
        try:
            value = int(data.get(field))
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            errors[field] = labels[field]
        stars[field] = value
    return stars


def _clean_text(value, *, field: str, label: str, max_length: int, errors: dict) -> str:
    text = (value or "").strip()
    if not text:
        errors[field] = f"Enter {label}"
    elif len(text) > max_length:
        errors[field] = f"{label[0].upper()}{label[1:]} must be {max_length:,} characters or fewer"
    return text


# --- writing and moderating ------------------------------------------------------------------


@transaction.atomic
def review_create(*, actor: User, contract, data: dict[str, Any]) -> Review:
    """Write a review of a contract. It publishes at once, unless it contains a link, an email
    address or a phone number: then it is held for staff to moderate."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    review_check_can_write(actor=actor, contract=contract)
    errors: dict[str, str] = {}
    stars = _clean_stars(data, errors)
    performance = data.get("performance") or ""
    if performance not in PerformanceRating.values:
        errors["performance"] = "Select the supplier's performance rating"
    title = _clean_text(
        data.get("title"), field="title", label="a title", max_length=TITLE_MAX, errors=errors
    )
    text = _clean_text(
        data.get("text"), field="text", label="your review", max_length=TEXT_MAX, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    holds = moderation_holds(title, text)
    now = timezone.now()
    review = Review(
        contract=contract,
        offer_id=contract.offer_id,
        revision_id=contract.revision_id,
        organisation_id=contract.organisation_id,
        supplier_id=contract.supplier_id,
        author=actor,
        performance=performance,
        title=title,
        text=text,
        held_for=holds,
        status=Review.Status.HELD if holds else Review.Status.PUBLISHED,
        published_at=None if holds else now,
        **stars,
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise ValidationError("Your organisation has already reviewed this contract.")
    audit_record(
        actor=actor,
        action="review.held" if holds else "review.published",
        obj=review,
        detail={"contract": contract.reference, "rating": review.rating, "held_for": holds},
    )
    if review.is_published:
        offer_rating_refresh(offer=review.offer)
        notices.review_published_notify(review)
    return review


@transaction.atomic
def review_publish(*, actor: User, review: Review) -> Review:
    """Staff publish a review that moderation held."""
    require_staff(actor, "publish reviews")
    review = Review.objects.select_for_update().get(pk=review.pk)
    Review.LIFECYCLE.check(review, "publish", message="This review is not waiting for moderation.")
    now = timezone.now()
    Review.LIFECYCLE.apply(review, "publish")
    review.published_at = now
    review.moderated_by = actor
    review.moderated_at = now
    review.save(update_fields=["status", "published_at", "moderated_by", "moderated_at"])
    audit_record(actor=actor, action="review.moderation_published", obj=review)
    offer_rating_refresh(offer=review.offer)
    notices.review_published_notify(review)
    return review


@transaction.atomic
def review_reject(*, actor: User, review: Review, reason: str) -> Review:
    """Staff reject a held review, or take down a published one. The buyer sees the reason and
    may write a new review of the contract. Open reports on it are resolved."""
    require_staff(actor, "reject reviews")
    review = Review.objects.select_for_update().get(pk=review.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for rejecting the review"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"The reason must be {REASON_MAX:,} characters or fewer"})
    Review.LIFECYCLE.check(review, "reject", message="This review has already been rejected.")
    was_published = review.is_published
    now = timezone.now()
    Review.LIFECYCLE.apply(review, "reject")
    review.rejection_reason = reason
    review.moderated_by = actor
    review.moderated_at = now
    review.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at"])
    ReviewReport.objects.open().filter(review=review).update(resolved_at=now, resolved_by=actor)
    audit_record(
        actor=actor,
        action="review.rejected",
        obj=review,
        organisation=review.organisation,
        detail={"reason": reason, "was_published": was_published},
    )
    if was_published:
        offer_rating_refresh(offer=review.offer)
    return review


@transaction.atomic
def review_reports_dismiss(*, actor: User, review: Review) -> int:
    """Staff keep a reported review published: its open reports are resolved."""
    require_staff(actor, "dismiss reports")
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.is_published:
        raise ValidationError("Only a published review's reports can be dismissed.")
    dismissed = (
        ReviewReport.objects.open()
        .filter(review=review)
        .update(resolved_at=timezone.now(), resolved_by=actor)
    )
    if not dismissed:
        raise ValidationError("This review has no open reports.")
    audit_record(
        actor=actor,
        action="review.reports_dismissed",
        obj=review,
        organisation=review.organisation,
        detail={"reports": dismissed},
    )
    return dismissed


# --- supplier responses, helpful votes, reports ----------------------------------------------


@transaction.atomic
def review_respond(*, actor: User, review: Review, text: str) -> ReviewResponse:
    """The supplier's one public response to a published review of its offer."""
    _require_signed_in(actor)
    review = Review.objects.select_for_update().get(pk=review.pk)
    organisation = actor.organisation
    if organisation is None or organisation.pk != review.supplier_id:
        raise PermissionDenied("Only the supplier whose offer was reviewed can respond.")
    if not review.is_published:
        raise ValidationError("You can only respond to a published review.")
    if ReviewResponse.objects.filter(review=review).exists():
        raise ValidationError("Your organisation has already responded to this review.")
    errors: dict[str, str] = {}
    text = _clean_text(
        text, field="text", label="your response", max_length=RESPONSE_MAX, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = ReviewResponse.objects.create(
                review=review, supplier=organisation, author=actor, text=text
            )
    except IntegrityError:
        raise ValidationError("Your organisation has already responded to this review.")
    audit_record(actor=actor, action="review.responded", obj=review)
    notices.review_answered_notify(review)
    return response


@transaction.atomic
def review_mark_helpful(*, actor: User, review: Review) -> Review:
    """A buyer found a published review helpful (once; not one their organisation wrote)."""
    _require_signed_in(actor)
    if not actor.is_buyer:
        raise PermissionDenied("Only buyers can mark reviews as helpful.")
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.is_published:
        raise ValidationError("You can only mark a published review as helpful.")
    if review.organisation_id == actor.organisation.pk:
        raise ValidationError("You cannot mark your own organisation's review as helpful.")
    if HelpfulVote.objects.filter(review=review, user=actor).exists():
        raise ValidationError("You have already marked this review as helpful.")
    try:
        with transaction.atomic():
            HelpfulVote.objects.create(review=review, user=actor)
    except IntegrityError:
        raise ValidationError("You have already marked this review as helpful.")
    review.helpful_count = HelpfulVote.objects.filter(review=review).count()
    review.save(update_fields=["helpful_count"])
    audit_record(actor=actor, action="review.marked_helpful", obj=review)
    return review


@transaction.atomic
def review_report(*, actor: User, review: Review, reason: str, detail: str = "") -> ReviewReport:
    """Anyone signed in may report a published review to staff, with a reason."""
    _require_signed_in(actor)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.is_published:
        raise ValidationError("You can only report a published review.")
    errors: dict[str, str] = {}
    if reason not in ReviewReport.Reason.values:
        errors["reason"] = "Select why you are reporting this review"
    detail = (detail or "").strip()
    if reason == ReviewReport.Reason.OTHER and not detail:
        errors["detail"] = "Tell us what is wrong with this review"
    elif len(detail) > REASON_MAX:
        errors["detail"] = f"The detail must be {REASON_MAX:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    if ReviewReport.objects.open().filter(review=review, reporter=actor).exists():
        raise ValidationError("You have already reported this review. Staff will look at it.")
    report = ReviewReport.objects.create(
        review=review, reporter=actor, reason=reason, detail=detail
    )
    audit_record(actor=actor, action="review.reported", obj=review, detail={"reason": reason})
    return report


# --- reminders -------------------------------------------------------------------------------


def contracts_due_review_reminder(today: date | None = None):
    """Contracts that started 60 days ago (up to the catch-up window), not yet reminded and
    not yet reviewed."""
    today = today or timezone.localdate()
    due = today - timedelta(days=REMINDER_AFTER_DAYS)
    return (
        Contract.objects.filter(
            review_reminder_sent_at__isnull=True,
            start_date__lte=due,
            start_date__gt=due - timedelta(days=REMINDER_CATCH_UP_DAYS),
        )
        .exclude(reviews__status__in=[Review.Status.HELD, Review.Status.PUBLISHED])
        .order_by("pk")
    )


def review_reminders_send(*, today: date | None = None) -> int:
    """Email each due contract's buyer organisation a reminder to review it, once. Idempotent:
    Contract.review_reminder_sent_at is set in the same transaction as the email is sent, and
    contracts that have it are never picked again."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    sent = 0
    for pk in list(contracts_due_review_reminder(today).values_list("pk", flat=True)):
        with transaction.atomic():
            contract = (
                Contract.objects.select_for_update()
                .select_related("organisation", "supplier", "offer")
                .filter(pk=pk, review_reminder_sent_at__isnull=True)
                .first()
            )
            if contract is None:  # another run got there first
                continue
            recipients = list(
                User.objects.filter(
                    membership__organisation=contract.organisation, is_active=True
                ).values_list("email", flat=True)
            )
            contract.review_reminder_sent_at = timezone.now()
            contract.save(update_fields=["review_reminder_sent_at"])
            audit_record(
                action="review.reminder_sent",
                obj=contract,
                organisation=contract.organisation,
                detail={"recipients": len(recipients)},
            )
            if recipients:
                context = {
                    "contract": contract,
                    "review_url": getattr(settings, "SITE_URL", "").rstrip("/")
                    + reverse("reviews:write", args=[contract.pk]),
                }
                send_mail(
                    f"How is {contract.title} going? Review it for other buyers",
                    render_to_string("reviews/email/review_reminder.txt", context),
                    None,
                    recipients,
                )
            sent += 1
    return sent
