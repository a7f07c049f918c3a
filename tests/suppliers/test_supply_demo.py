"""The demo supply side, pinned: the same frameworks, suppliers and offers every time.

These figures were taken from the demo as it was when its content moved from Python literals
into data files (suppliers/demo/, catalogue/demo/). A change to the data files or to the
generator's random draws changes them: if the change is intended, update the figures here.
"""

import hashlib
from collections import Counter

import pytest
from django.core.management import call_command

from catalogue.models import DeclarationQuestion, Framework, Lot, Offer, OfferRevision
from suppliers import demo
from suppliers.models import FrameworkMembership, LotApplication, SupplierProfile

pytestmark = pytest.mark.django_db

# external id, supplier, lot, state, title, price, list price of every planned offer.
OFFERS_DIGEST = "832406a80e8d52e0967202b3f740b2ffd3eefddfb1e67d85ecd20fb3e5990f84"
# name, company number, contact email, town of every planned supplier.
SUPPLIERS_DIGEST = "4428124556c9a642b6e5fac9a1424104c3df2f73a105e6d1250ce84e0653b9df"


def digest(lines):
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def by_status(queryset):
    return dict(Counter(queryset.values_list("status", flat=True)))


def test_seeded_supply_side_has_the_pinned_counts():
    call_command("seed_demo")
    assert Framework.objects.count() == 5
    assert Lot.objects.count() == 12
    assert DeclarationQuestion.objects.count() == 10
    assert by_status(Framework.objects) == {"live": 4, "draft": 1}

    profiles = SupplierProfile.objects.all()
    assert profiles.count() == 48
    assert dict(Counter(profiles.values_list("size", flat=True))) == {
        "micro": 10,
        "small": 16,
        "medium": 12,
        "large": 10,
    }
    assert profiles.filter(is_vcse=True).count() == 6
    assert by_status(LotApplication.objects) == {"approved": 87, "submitted": 2}
    assert by_status(FrameworkMembership.objects) == {"active": 68, "suspended": 1}

    assert by_status(Offer.objects) == {
        "published": 333,
        "submitted": 5,
        "draft": 1,
        "rejected": 1,
        "withdrawn": 1,
        "suspended": 1,
    }
    assert by_status(OfferRevision.objects) == {
        "published": 335,
        "submitted": 8,
        "superseded": 6,
        "draft": 1,
        "rejected": 1,
    }
    assert dict(Counter(Offer.objects.values_list("lot__framework__reference", flat=True))) == {
        "RM1557.14": 147,
        "RM1043.9": 87,
        "RM6098": 73,
        "NDX-DM-001": 35,
    }
    first = Offer.objects.get(external_id="demo-0001")
    assert first.supplier.name == "Northlight Associates LLP"
    revision = first.published_revision
    assert revision.title == "Beta build for an NHS trust's outpatient booking"
    assert (str(revision.price), str(revision.list_price)) == ("715.00", "950.00")


def test_the_plan_is_the_pinned_plan():
    plan = demo.demo_plan()
    offers = [
        f"{o.external_id}|{o.supplier}|{o.lot}|{o.state}|{o.content['title']}|"
        f"{o.content['price']}|{o.content['list_price']}"
        for o in plan.offers
    ]
    suppliers = [
        f"{s.name}|{s.company_number}|{s.contact_email}|{s.place.town}" for s in plan.suppliers
    ]
    assert len(offers) == 342 and len(suppliers) == 48
    assert offers[170] == (
        "demo-0171|Pennine Associates Co-operative Ltd|digital-specialists|published|"
        "Principal product manager|930.00|1010.00"
    )
    assert digest(offers) == OFFERS_DIGEST, "the planned offers changed"
    assert digest(suppliers) == SUPPLIERS_DIGEST, "the planned suppliers changed"
    assert demo.describe()[0] == "Suppliers and offers:"
