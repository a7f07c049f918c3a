"""Contracts (built directly: the award workflows are tested in tests/buying) and reviews."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from contracts.models import Contract
from reviews.models import Review
from reviews.services import offer_rating_refresh
from tests.accounts.factories import BuyerOrganisationFactory
from tests.catalogue.factories import LotFactory, make_offer
from tests.suppliers.factories import approved_supplier


def buyable_offer(supplier=None, lot=None, **content):
    """A published offer that buyers can see, from a supplier approved on its lot."""
    lot = lot or LotFactory()
    supplier = approved_supplier(lot, organisation=supplier)
    return make_offer(supplier, lot, **content)


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract for an offer, started 90 days ago unless told otherwise."""

    class Meta:
        model = Contract

    reference = factory.Sequence(lambda n: f"NDX-C-{n + 1:05d}")
    organisation = factory.SubFactory(BuyerOrganisationFactory)
    offer = factory.LazyFunction(buyable_offer)
    supplier = factory.LazyAttribute(lambda o: o.offer.supplier)
    revision = factory.LazyAttribute(lambda o: o.offer.published_revision)
    route = Contract.Route.DIRECT_AWARD
    title = factory.LazyAttribute(lambda o: o.offer.published_revision.title)
    quantity = Decimal("100")
    unit_price = Decimal("12.00")
    list_price = Decimal("15.00")
    national_price = Decimal("12.50")
    value = factory.LazyAttribute(lambda o: o.quantity * o.unit_price * 12)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=90))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=365))
    awarded_at = factory.LazyFunction(timezone.now)


def review_data(**overrides):
    data = {
        "rating": 4,
        "value_for_money": 4,
        "delivery": 5,
        "support": 3,
        "ease_of_use": 4,
        "performance": "good",
        "title": "Reliable and easy to roll out",
        "text": "Our social workers were using it within a month. Support was slow at first.",
    }
    data.update(overrides)
    return data


def form_data(**overrides):
    return {k: str(v) for k, v in review_data(**overrides).items()}


def published_review(contract=None, *, rating=4, helpful_count=0, refresh=True, **fields) -> Review:
    """A published review row, bypassing the service (for ranking and page tests). The offer's
    ratings are recounted unless refresh=False."""
    contract = contract or ContractFactory()
    values = {
        "contract": contract,
        "offer": contract.offer,
        "revision": contract.revision,
        "organisation": contract.organisation,
        "supplier": contract.supplier,
        "rating": rating,
        "value_for_money": rating,
        "delivery": rating,
        "support": rating,
        "ease_of_use": rating,
        "performance": "good",
        "title": f"A {rating}-star review",
        "text": "It does what it says.",
        "status": Review.Status.PUBLISHED,
        "published_at": timezone.now(),
        "helpful_count": helpful_count,
    }
    values.update(fields)
    review = Review.objects.create(**values)
    if refresh:
        offer_rating_refresh(offer=review.offer)
    return review
