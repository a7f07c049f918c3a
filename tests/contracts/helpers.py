"""Contracts at each stage of their life, made through the award and contract services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from buying.services import awards as award_services
from catalogue.models import OfferRevision
from contracts.models import Contract
from tests.buying.award_helpers import buyer_user, frozen_shortlist, supplier_offer
from tests.catalogue.factories import LotFactory

KPIS = [
    {
        "name": "Availability",
        "measure": "Monthly uptime",
        "target": "99.9%",
        "frequency": "quarterly",
    },
    {
        "name": "Incidents fixed",
        "measure": "P1 fixed in 4 hours",
        "target": "95%",
        "frequency": "quarterly",
    },
    {"name": "Satisfaction", "measure": "User survey", "target": "80%", "frequency": "quarterly"},
]


class World:
    def __init__(self, *, pricing_model: str = "per_user_month", max_value=None):
        self.lot = LotFactory(name="Cloud software", direct_award_allowed=True)
        if max_value is not None:
            self.lot.framework.max_value = Decimal(max_value)
            self.lot.framework.save()
        self.offer, self.supplier = supplier_offer(
            self.lot, "Northwind Digital Ltd", price="25.00", list_price="30.00"
        )
        OfferRevision.objects.filter(offer=self.offer).update(pricing_model=pricing_model)
        self.offer.refresh_from_db()
        self.buyer = buyer_user()
        self.other_buyer = buyer_user("Bristol City Council")
        self.shortlist = frozen_shortlist(self.buyer, [self.offer])

    def award(self, *, start_in: int = 14, days: int = 365, **overrides) -> Contract:
        today = timezone.localdate()
        values = {
            "justification": "The best fit at the lowest price.",
            "quantity": None,
            "units": "500",
            "unit_price": "25.00",
            "start_date": today + timedelta(days=start_in),
            "end_date": today + timedelta(days=start_in + days),
            "kpis": "",
        }
        values.update(overrides)
        if values["quantity"] is None:
            values.pop("quantity")
            values["quantity"] = ""
        return award_services.direct_award_create(
            actor=self.buyer, shortlist_item=self.shortlist.items.get(), **values
        )
