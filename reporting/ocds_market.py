"""Before the contract: pre-market engagements as OCDS `planning` releases and further
competitions as `tender` releases, in their own release package
(/open-data/ocds/market-releases.json), valid against OCDS 1.1.5 like the contract feed.

- Engagement: ocid OCID_PREFIX + "-" + its reference (NDX-E-000123); one release per state
  (id ocid-status), tag planning, tender.status planning, planning.rationale the problem and
  planning.budget the range if known; the item is classified by its CPV division (e.g.
  72000000). Responses are not published: they are ideas for the buyer only.
- Further competition, once published to its invited suppliers: ocid OCID_PREFIX +
  "-NDX-FC-" + its id; tag tender, tender.status active (then complete or cancelled), the
  tender period up to the response deadline. The invited suppliers' names and their responses
  are never in it (before the award there is nothing about them to publish; after it the
  contract's own release names the winner), so there are no tenderers and no parties but the
  buyer.
"""

from __future__ import annotations

from django.utils import timezone

from buying.models import FurtherCompetition
from market.models import Engagement

from .ocds import (
    OCID_PREFIX,
    ROUTE_METHODS,
    _classification,
    _datetime,
    _day,
    _money,
    _party,
    _without_empty,
    party_id,
)

PAGE_SIZE = 200
COMPETITION_STATUSES = {"open": "active", "awarded": "complete", "cancelled": "cancelled"}


def engagement_ocid(engagement: Engagement) -> str:
    return f"{OCID_PREFIX}-{engagement.reference}"


def competition_ocid(competition: FurtherCompetition) -> str:
    return f"{OCID_PREFIX}-NDX-FC-{competition.pk:06d}"


def planning_release(engagement: Engagement) -> dict:
    ocid = engagement_ocid(engagement)
    buyer = engagement.organisation
    budget = None
    if engagement.budget_max is not None or engagement.budget_min is not None:
        low, high = engagement.budget_min, engagement.budget_max
        if low is not None and high is not None:
            words = f"Between £{low:,.0f} and £{high:,.0f}"
        elif high is not None:
            words = f"Up to £{high:,.0f}"
        else:
            words = f"From £{low:,.0f}"
        budget = {
            "id": f"{engagement.reference}-budget",
            "description": f"{words} (an estimate given before the procurement)",
            "amount": _money(high if high is not None else low),
        }
    release = {
        "ocid": ocid,
        "id": f"{ocid}-{engagement.status}",
        "date": _datetime(engagement.updated_at or engagement.published_at),
        "tag": ["planning"],
        "initiationType": "tender",
        "language": "en",
        "parties": [_party(buyer, "buyer")],
        "buyer": {"id": party_id(buyer), "name": buyer.name},
        "planning": {
            "rationale": engagement.problem,
            "budget": budget,
            "milestones": [
                {
                    "id": f"{engagement.reference}-closes",
                    "title": "Pre-market engagement closes",
                    "type": "engagement",
                    "dueDate": _day(engagement.closes_on, True),
                    "status": "scheduled" if engagement.is_open else "met",
                }
            ],
        },
        "tender": {
            "id": f"{engagement.reference}-tender",
            "title": engagement.title,
            "description": engagement.outcomes,
            "status": "planning",
            "items": [
                {
                    "id": "1",
                    "description": engagement.title,
                    "classification": _classification(f"{engagement.cpv_division}000000"),
                }
            ],
        },
    }
    return _without_empty(release)


def tender_release(competition: FurtherCompetition) -> dict:
    ocid = competition_ocid(competition)
    buyer = competition.organisation
    method, details = ROUTE_METHODS["further_competition"]
    lot = competition.lot
    release = {
        "ocid": ocid,
        "id": f"{ocid}-{competition.status}",
        "date": _datetime(competition.published_at),
        "tag": ["tender"],
        "initiationType": "tender",
        "language": "en",
        "parties": [_party(buyer, "buyer")],
        "buyer": {"id": party_id(buyer), "name": buyer.name},
        "tender": {
            "id": f"NDX-FC-{competition.pk:06d}",
            "title": competition.title,
            "description": competition.description,
            "status": COMPETITION_STATUSES.get(competition.status, "active"),
            "procurementMethod": method,
            "procurementMethodDetails": (
                f"{details}: {lot.framework.name} ({lot.framework.reference}), {lot.name}"
            ),
            "tenderPeriod": {
                "startDate": _datetime(competition.published_at),
                "endDate": _datetime(competition.deadline),
            },
            "contractPeriod": {
                "startDate": _day(competition.start_date),
                "endDate": _day(competition.end_date, True),
            },
            "awardCriteriaDetails": (
                f"Quality {competition.weight_quality}%, price {competition.weight_price}%, "
                f"social value {competition.weight_social_value}%"
            ),
        },
    }
    return _without_empty(release)


def market_releases() -> tuple[list[dict], object]:
    """The newest PAGE_SIZE engagements and published competitions, as releases, newest first;
    and when the newest of them was published (None when there is none)."""
    engagements = list(
        Engagement.objects.select_related("organisation").order_by("-published_at", "-id")[
            :PAGE_SIZE
        ]
    )
    competitions = list(
        FurtherCompetition.objects.filter(
            published_at__isnull=False, status__in=list(COMPETITION_STATUSES)
        )
        .select_related("organisation", "lot__framework")
        .order_by("-published_at", "-id")[:PAGE_SIZE]
    )
    dated = [(e.published_at, planning_release(e)) for e in engagements]
    dated += [(c.published_at, tender_release(c)) for c in competitions]
    dated.sort(key=lambda pair: pair[0], reverse=True)
    newest = dated[0][0] if dated else None
    return [release for _, release in dated[:PAGE_SIZE]], newest or timezone.now()
