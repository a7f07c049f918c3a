"""Demo contracts: direct awards and further competitions for the three demo buyers, so the
contract registers, savings and supplier contract lists have something to show on first run.

Awards go through the real services with a `now` in the past, so every contract has a real
requirement, a frozen shortlist, the exact offer revision, a saving and a time to award. One
competition (Manchester's) is still open, with Northwind Digital invited, so the demo supplier
sees an invitation on its dashboard. Suppliers' questions and responses are written directly
(most demo suppliers have no users). Seeding is keyed on each requirement's title, so running it
twice changes nothing. No emails are sent.

The content is data in this folder: people.json (the demo buyers and suppliers it names),
direct_awards.json and competitions.json; the code below only loads it and calls the services.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from catalogue.models import Lot, Offer
from contracts.models import Contract
from ndx.accounts.models import Organisation, User

from ..models import (
    ClarificationQuestion,
    CompetitionResponse,
    Requirement,
    Shortlist,
)
from ..services import awards as award_services
from ..services import clarifications as clarification_services
from ..services import competitions as competition_services
from ..services import emails as award_emails
from ..services import responses as response_services
from ..services import shortlists as shortlist_services
from ..services import terms as award_terms

DATA = Path(__file__).parent
PEOPLE = json.loads((DATA / "people.json").read_text(encoding="utf-8"))
LEEDS, MFT, DFE = (PEOPLE["buyers"][key] for key in ("leeds", "mft", "dfe"))
NORTHWIND = PEOPLE["demo_suppliers"]["northwind"]
BRIGHTWATER = PEOPLE["demo_suppliers"]["brightwater"]


@dataclass
class DirectAward:
    buyer: str  # a demo buyer's email
    title: str
    problem: str
    lot: tuple[str, str]  # framework reference, lot slug
    keyword: str  # the offer awarded has this in its title (any offer, if none has)
    supplier: str | None  # a demo supplier by name, or None for another supplier
    budget: Decimal  # roughly what the contract is worth; quantity = budget / unit price
    discount: Decimal  # off the national price
    months: int
    awarded_days_ago: int
    requirement_days: int  # from requirement to award
    kpis: list[str]
    justification: str

    @classmethod
    def from_data(cls, row: dict) -> DirectAward:
        supplier = row["supplier"]
        return cls(
            **{
                **row,
                "buyer": PEOPLE["buyers"][row["buyer"]],
                "lot": tuple(row["lot"]),
                "supplier": PEOPLE["demo_suppliers"][supplier] if supplier else None,
                "budget": Decimal(row["budget"]),
                "discount": Decimal(row["discount"]),
            }
        )


@dataclass
class Competition:
    buyer: str
    title: str
    problem: str
    noun: str  # the offers invited are the lot's offers with titles starting with this
    quantity: Decimal
    months: int
    weights: tuple[int, int, int]  # quality, price, social value
    created_days_ago: int
    suppliers: int
    responses: list[tuple[Decimal, int, int]] = field(default_factory=list)  # discount, q, s
    awarded: bool = True
    prefer: tuple[str, ...] = ()
    question: tuple[str, str] | None = None
    kpis: list[str] = field(default_factory=list)

    @classmethod
    def from_data(cls, row: dict) -> Competition:
        weights, question = row["weights"], row.get("question")
        return cls(
            **{
                **row,
                "buyer": PEOPLE["buyers"][row["buyer"]],
                "quantity": Decimal(row["quantity"]),
                "weights": (weights["quality"], weights["price"], weights["social_value"]),
                "responses": [
                    (Decimal(r["discount"]), r["quality"], r["social_value"])
                    for r in row.get("responses", [])
                ],
                "prefer": tuple(PEOPLE["demo_suppliers"][key] for key in row.get("prefer", [])),
                "question": (question["question"], question["answer"]) if question else None,
            }
        )


def _load(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


DIRECT_AWARDS = [DirectAward.from_data(row) for row in _load("direct_awards.json")]
_COMPETITIONS = _load("competitions.json")
COMPETITION_LOT = tuple(_COMPETITIONS["lot"])
TEXTS = _COMPETITIONS["texts"]
COMPETITIONS = [Competition.from_data(row) for row in _COMPETITIONS["competitions"]]


def _pence(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _buyable(lot: Lot):
    return (
        Offer.objects.buyable()
        .filter(lot=lot, published_revision__price__isnull=False)
        .filter(published_revision__list_price__isnull=False)
        .select_related("supplier", "published_revision")
        .order_by("external_id", "pk")
    )


def _direct_offer(spec: DirectAward, lot: Lot) -> Offer | None:
    offers = _buyable(lot)
    if spec.supplier:
        offers = offers.filter(supplier__name=spec.supplier)
    else:
        offers = offers.exclude(supplier__name__in=[NORTHWIND, BRIGHTWATER])
    return offers.filter(published_revision__title__icontains=spec.keyword).first() or (
        offers.first()
    )


def _competition_offers(spec: Competition, lot: Lot) -> list[Offer]:
    offers = list(_buyable(lot).filter(published_revision__title__startswith=spec.noun))
    chosen, seen = [], set()
    for name in spec.prefer:
        offer = next((o for o in offers if o.supplier.name == name), None)
        if offer is not None:
            chosen.append(offer)
            seen.add(offer.supplier_id)
    for offer in offers:
        if len(chosen) >= spec.suppliers:
            break
        if offer.supplier_id not in seen:
            chosen.append(offer)
            seen.add(offer.supplier_id)
    return chosen


def _requirement(buyer: User, title: str, problem: str, lot: Lot, created: datetime):
    requirement = Requirement.objects.create(
        organisation=buyer.organisation,
        created_by=buyer,
        status=Requirement.Status.SUBMITTED,
        title=title,
        problem=problem,
        users_description="Staff across the organisation",
        timescale=Requirement.Timescale.THREE_MONTHS,
        framework=lot.framework,
        lot=lot,
    )
    Requirement.objects.filter(pk=requirement.pk).update(
        created_at=created, updated_at=created, submitted_at=created + timedelta(hours=2)
    )
    requirement.refresh_from_db()
    return requirement


def _shortlist(buyer: User, requirement: Requirement, offers: list[Offer], frozen: datetime):
    shortlist = shortlist_services.shortlist_create(
        actor=buyer, name=f"Shortlist for {requirement.title}"
    )
    for offer in offers:
        shortlist_services.shortlist_add_offer(actor=buyer, shortlist=shortlist, offer_id=offer.pk)
    shortlist_services.shortlist_freeze(actor=buyer, shortlist=shortlist)
    Shortlist.objects.filter(pk=shortlist.pk).update(
        requirement=requirement, created_at=frozen - timedelta(days=2), frozen_at=frozen
    )
    shortlist.refresh_from_db()
    return shortlist


def _seed_direct(spec: DirectAward, buyer: User, lots, now: datetime) -> bool:
    lot = lots.get(spec.lot)
    offer = _direct_offer(spec, lot) if lot else None
    if offer is None:
        return False
    awarded = now - timedelta(days=spec.awarded_days_ago)
    created = awarded - timedelta(days=spec.requirement_days)
    requirement = _requirement(buyer, spec.title, spec.problem, lot, created)
    comparators = [
        o for o in _buyable(lot).exclude(supplier=offer.supplier)[:40:13] if o.pk != offer.pk
    ]
    shortlist = _shortlist(
        buyer, requirement, [offer, *comparators[:2]], awarded - timedelta(days=5)
    )
    item = shortlist.items.get(offer=offer)
    start = timezone.localdate(awarded) + timedelta(days=14)
    unit_price = _pence(item.price * (1 - spec.discount))
    quantity = max(Decimal("1"), (spec.budget / unit_price).quantize(Decimal("1")))
    award_services.direct_award_create(
        actor=buyer,
        shortlist_item=item,
        justification=spec.justification,
        quantity=quantity,
        unit_price=unit_price,
        start_date=start,
        end_date=_add_months(start, spec.months) - timedelta(days=1),
        kpis=spec.kpis,
        now=awarded,
    )
    return True


def _add_months(day, months: int):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def _seed_competition(spec: Competition, buyer: User, lot: Lot, now: datetime) -> bool:
    offers = _competition_offers(spec, lot)
    if len(offers) < award_terms.MIN_INVITED_SUPPLIERS:
        return False
    created = now - timedelta(days=spec.created_days_ago)
    requirement = _requirement(buyer, spec.title, spec.problem, lot, created - timedelta(days=20))
    shortlist = _shortlist(buyer, requirement, offers, created - timedelta(days=1))
    deadline = (created + timedelta(days=21)).replace(hour=17, minute=0, second=0, microsecond=0)
    start = timezone.localdate(deadline) + timedelta(days=28)
    quality, price, social = spec.weights
    competition = competition_services.competition_create(
        actor=buyer,
        shortlist=shortlist,
        data={
            "items": list(shortlist.items.values_list("pk", flat=True)),
            "title": spec.title,
            "description": spec.problem,
            "quantity": spec.quantity,
            "start_date": start,
            "end_date": _add_months(start, spec.months) - timedelta(days=1),
            "quality_criteria": TEXTS["quality_criteria"],
            "social_value_criteria": TEXTS["social_value_criteria"],
            "weight_quality": quality,
            "weight_price": price,
            "weight_social_value": social,
            "deadline": deadline,
        },
        now=created,
    )
    competition_services.competition_publish(actor=buyer, competition=competition, now=created)
    invitations = list(competition.invitations.select_related("supplier").order_by("pk"))
    if spec.question:
        asked = ClarificationQuestion.objects.create(
            competition=competition,
            invitation=invitations[-1],
            question=spec.question[0],
            asked_at=created + timedelta(days=2),
        )
        clarification_services.clarification_answer(
            actor=buyer, question=asked, answer=spec.question[1], now=created + timedelta(days=3)
        )
    # Who responds: every invited supplier in turn, except (when still open) the first, so the
    # demo supplier invited first has a response to write.
    responders = invitations if spec.awarded else invitations[1:]
    responses = []
    for number, (invitation, (discount, _q, _s)) in enumerate(
        zip(responders, spec.responses, strict=False), start=1
    ):
        responses.append(
            CompetitionResponse.objects.create(
                invitation=invitation,
                unit_price=_pence(invitation.national_price * (1 - discount)),
                quality_response=TEXTS["quality_response"],
                social_value_response=TEXTS["social_value_response"],
                submitted_at=created + timedelta(days=8 + number),
            )
        )
    if not spec.awarded:
        return True
    suggested = response_services.price_score_suggestions(competition)
    scored = deadline + timedelta(days=2)
    for response, (_d, quality_score, social_score) in zip(responses, spec.responses, strict=False):
        response_services.response_score(
            actor=buyer,
            response=response,
            quality=quality_score,
            price=suggested[response.pk],
            social_value=social_score,
            now=scored,
        )
    ranking = award_services.competition_ranking(competition)
    award_services.competition_award(
        actor=buyer,
        competition=competition,
        response=ranking[0],
        rationale=award_services.competition_award_rationale(competition),
        kpis=spec.kpis,
        unsuccessful_feedback=TEXTS["unsuccessful_feedback"],
        now=scored + timedelta(days=3),
    )
    return True


def seed(out, context: dict) -> dict:
    now = timezone.now()
    lots = {
        (lot.framework.reference, lot.slug): lot for lot in Lot.objects.select_related("framework")
    }
    buyers = {
        user.email: user
        for user in User.objects.filter(email__in=[LEEDS, MFT, DFE]).select_related(
            "membership__organisation"
        )
        if user.organisation is not None and user.organisation.kind == Organisation.Kind.BUYER
    }
    titles = [s.title for s in DIRECT_AWARDS] + [s.title for s in COMPETITIONS]
    done = set(
        Requirement.objects.filter(title__in=titles)
        .filter(Q(contracts__isnull=False) | Q(competitions__isnull=False))
        .values_list("organisation_id", "title")
    )
    created = 0
    with award_emails.award_emails_off():
        for spec in DIRECT_AWARDS:
            buyer = buyers.get(spec.buyer)
            if buyer and (buyer.organisation.pk, spec.title) not in done:
                created += _seed_direct(spec, buyer, lots, now)
        lot = lots.get(COMPETITION_LOT)
        for spec in COMPETITIONS:
            buyer = buyers.get(spec.buyer)
            if buyer and lot and (buyer.organisation.pk, spec.title) not in done:
                created += _seed_competition(spec, buyer, lot, now)
    totals = Contract.objects.totals()
    out.write(
        f"buying: {totals['count']} contracts worth £{totals['value']:,.2f}, saving "
        f"£{totals['saving']:,.2f} ({created} new awards or competitions)\n"
    )
    return {}


def describe() -> list[str]:
    return [
        "Contracts and further competitions:",
        f"  {LEEDS}, {MFT} and {DFE} have contract registers with savings at /buying/contracts/",
        "  (direct awards and awarded further competitions); Manchester's “Alpha for patient "
        "discharge planning”",
        "  is open, and supplier.admin@northwind-digital.co.uk can respond to it at "
        "/suppliers/competitions/",
    ]
