"""Set-up shared by the award tests: buyers, suppliers with offers, frozen shortlists and
competitions at each stage."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.forms.models import model_to_dict
from django.utils import timezone

from buying.models import (
    ClarificationQuestion,
    CompetitionInvitation,
    CompetitionResponse,
    FurtherCompetition,
    Shortlist,
)
from buying.services import competitions as competition_services
from buying.services import responses as response_services
from buying.services import shortlists as shortlist_services
from contracts.models import Contract
from ndx.audit.models import AuditEntry
from tests.accounts.factories import BuyerOrganisationFactory, SupplierOrganisationFactory, member
from tests.catalogue.factories import LotFactory, make_offer
from tests.suppliers.factories import approved_supplier

SUPPLIERS = ["Northwind Digital Ltd", "Brightwater Cloud plc", "Kestrel Software Ltd", "Ash CIC"]


def buyer_user(name: str = "Leeds City Council", role: str = "admin"):
    return member(BuyerOrganisationFactory(name=name), role=role)


def supplier_offer(lot, name: str, *, price="10.00", list_price="12.00", title=None):
    """An approved supplier with an admin user and one published offer on `lot`."""
    organisation = approved_supplier(lot, SupplierOrganisationFactory(name=name))
    admin = member(organisation, role="admin", email=f"admin@{name.split()[0].lower()}.example")
    offer = make_offer(
        organisation,
        lot,
        title=title or f"{name.split()[0]} case management",
        price=Decimal(price),
        list_price=Decimal(list_price) if list_price is not None else None,
    )
    return offer, admin


def frozen_shortlist(buyer, offers, *, name="Case management options", requirement=None):
    shortlist = shortlist_services.shortlist_create(actor=buyer, name=name)
    if requirement is not None:
        Shortlist.objects.filter(pk=shortlist.pk).update(requirement=requirement)
        shortlist.refresh_from_db()
    for offer in offers:
        shortlist_services.shortlist_add_offer(actor=buyer, shortlist=shortlist, offer_id=offer.pk)
    return shortlist_services.shortlist_freeze(actor=buyer, shortlist=shortlist)


def competition_data(shortlist, count: int | None = None, **overrides) -> dict:
    today = timezone.localdate()
    items = list(shortlist.items.order_by("position"))
    data = {
        "items": [str(item.pk) for item in (items[:count] if count else items)],
        "title": "Case management for adult social care",
        "description": "Social workers need one place to record assessments and care plans.",
        "quantity": "1000",
        "start_date": today + timedelta(days=60),
        "end_date": today + timedelta(days=60 + 730),
        "quality_criteria": "How well the service meets the must-haves.",
        "social_value_criteria": "Local jobs and training.",
        "weight_quality": "60",
        "weight_price": "30",
        "weight_social_value": "10",
        "deadline": timezone.now() + timedelta(days=14),
    }
    data.update(overrides)
    return data


class CompetitionSetup:
    """A further-competition lot, four suppliers with offers, a buyer and a frozen shortlist."""

    def __init__(self, prices=("10.00", "9.00", "11.00", "10.50")):
        self.lot = LotFactory(name="Digital outcomes", direct_award_allowed=False)
        self.buyer = buyer_user()
        self.offers, self.suppliers = [], []
        for name, price in zip(SUPPLIERS, prices, strict=False):
            offer, admin = supplier_offer(self.lot, name, price=price, list_price="12.00")
            self.offers.append(offer)
            self.suppliers.append(admin)
        self.shortlist = frozen_shortlist(self.buyer, self.offers)

    def create(self, **overrides) -> FurtherCompetition:
        return competition_services.competition_create(
            actor=self.buyer,
            shortlist=self.shortlist,
            data=competition_data(self.shortlist, **overrides),
        )

    def published(self, **overrides) -> FurtherCompetition:
        competition = self.create(**overrides)
        return competition_services.competition_publish(actor=self.buyer, competition=competition)

    def invitation(self, competition, index: int) -> CompetitionInvitation:
        return competition.invitations.get(supplier=self.offers[index].supplier)

    def respond(self, competition, index: int, price="9.50", **overrides) -> CompetitionResponse:
        fields = {
            "unit_price": price,
            "quality_response": f"Response from supplier {index}",
            "social_value_response": "We employ apprentices in Leeds.",
        }
        fields.update(overrides)
        return response_services.response_submit(
            actor=self.suppliers[index], invitation=self.invitation(competition, index), **fields
        )

    def close(self, competition) -> FurtherCompetition:
        """Move the deadline into the past, as if time had passed."""
        FurtherCompetition.objects.filter(pk=competition.pk).update(
            deadline=timezone.now() - timedelta(minutes=1)
        )
        competition.refresh_from_db()
        return competition

    def score(self, response, quality=70, price=80, social_value=60):
        return response_services.response_score(
            actor=self.buyer,
            response=response,
            quality=quality,
            price=price,
            social_value=social_value,
        )


def snapshot() -> dict:
    """Everything an award can change, to show that a refused one changed nothing."""
    return {
        "contracts": list(Contract.objects.values()),
        "competitions": [model_to_dict(c) for c in FurtherCompetition.objects.all()],
        "invitations": list(CompetitionInvitation.objects.values()),
        "questions": list(ClarificationQuestion.objects.values()),
        "responses": list(CompetitionResponse.objects.values()),
        "shortlists": list(Shortlist.objects.values()),
        "audit": AuditEntry.objects.count(),
    }
