"""What waits for a buyer: drafts to finish, competitions and their deadlines, contracts that
need action (mobilising, ending within 90 days), shortlists without an outcome, and the
organisation's own figures."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from buying.models import FurtherCompetition, Requirement, Shortlist
from contracts.models import Contract
from reporting.organisation import organisation_figures

ENDING_WITHIN_DAYS = 90


def buyer_home(organisation) -> dict:
    today = timezone.localdate()
    contracts = Contract.objects.for_buyer(organisation).filter(status=Contract.Status.ACTIVE)
    overall, _ = organisation_figures(organisation)
    return {
        "drafts": Requirement.objects.filter(
            organisation=organisation, status=Requirement.Status.DRAFT
        ).order_by("-updated_at", "-pk"),
        "competitions": FurtherCompetition.objects.filter(
            organisation=organisation,
            status__in=[FurtherCompetition.Status.DRAFT, FurtherCompetition.Status.OPEN],
        ).order_by("deadline"),
        "mobilising": contracts.filter(start_date__gt=today).order_by("start_date"),
        "ending": contracts.filter(
            end_date__gte=today, end_date__lte=today + timedelta(days=ENDING_WITHIN_DAYS)
        ).order_by("end_date"),
        "shortlists": Shortlist.objects.filter(
            organisation=organisation, status=Shortlist.Status.FROZEN, outcome=""
        ).order_by("frozen_at"),
        "overall": overall,
        "ending_within_days": ENDING_WITHIN_DAYS,
    }
