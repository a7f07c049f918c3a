"""What waits for a supplier: invitations to bid and their deadlines, its questions waiting for
an answer, offers and lot applications waiting for a decision with the date it is due (working
days, settings.NDX_SERVICE_LEVELS), and published reviews it has not answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from buying.models import ClarificationQuestion, CompetitionInvitation, FurtherCompetition
from catalogue.models import OfferRevision
from ndx.working_days import due_date
from reviews.models import Review
from suppliers.models import LotApplication


@dataclass
class Waiting:
    """Something of the supplier's waiting for a staff decision, and when it is due."""

    title: str
    received: datetime
    due: date


def supplier_home(organisation) -> dict:
    now = timezone.now()
    invitations = (
        CompetitionInvitation.objects.filter(
            supplier=organisation,
            competition__status=FurtherCompetition.Status.OPEN,
            competition__deadline__gt=now,
        )
        .select_related("competition", "response")
        .order_by("competition__deadline")
    )
    questions = (
        ClarificationQuestion.objects.filter(
            invitation__supplier=organisation,
            answered_at__isnull=True,
            competition__status=FurtherCompetition.Status.OPEN,
        )
        .select_related("competition")
        .order_by("competition__deadline", "asked_at")
    )
    offers = [
        (
            revision.offer,
            Waiting(
                revision.title,
                revision.submitted_at,
                due_date("offers", revision.submitted_at),
            ),
        )
        for revision in OfferRevision.objects.awaiting_review()
        .filter(offer__supplier=organisation, submitted_at__isnull=False)
        .select_related("offer")
        .order_by("submitted_at")
    ]
    applications = [
        (
            application,
            Waiting(
                str(application.lot),
                application.submitted_at,
                due_date("applications", application.submitted_at),
            ),
        )
        for application in LotApplication.objects.pending()
        .for_supplier(organisation)
        .select_related("lot__framework")
        .order_by("submitted_at")
    ]
    reviews = (
        Review.objects.published()
        .about_supplier(organisation)
        .filter(response__isnull=True)
        .select_related("offer")
        .order_by("published_at")
    )
    return {
        "invitations": [i for i in invitations if not hasattr(i, "response")],
        "questions": questions,
        "offers": offers,
        "applications": applications,
        "reviews": reviews,
    }
