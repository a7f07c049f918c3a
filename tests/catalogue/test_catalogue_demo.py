"""The catalogue's demo data: believable, complete, valid, and seeding twice changes nothing."""

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from catalogue import demo
from catalogue.models import (
    DeclarationQuestion,
    Framework,
    FrameworkMembership,
    Lot,
    Offer,
    OfferRevision,
    RevisionFacet,
)
from catalogue.services.content import clean_revision_content
from catalogue.services.offers import approved_lots_for
from ndx.accounts.models import Organisation
from suppliers import demo as supply_demo
from suppliers.models import LotApplication, SupplierProfile

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Framework,
            Lot,
            DeclarationQuestion,
            Organisation,
            SupplierProfile,
            LotApplication,
            FrameworkMembership,
            Offer,
            OfferRevision,
            RevisionFacet,
        )
    } | {
        "offer states": sorted(Counter(Offer.objects.values_list("status", flat=True)).items()),
        "revision states": sorted(
            Counter(OfferRevision.objects.values_list("status", flat=True)).items()
        ),
    }


def test_seed_demo_builds_the_supply_side_and_is_idempotent(capsys):
    started = time.perf_counter()
    call_command("seed_demo")
    print(f"\nseed_demo took {time.perf_counter() - started:.1f}s")
    first = counts()
    out = capsys.readouterr().out
    assert "catalogue: 5 frameworks and dynamic markets" in out
    assert "suppliers: 48 suppliers" in out
    assert "G-Cloud 14 (RM1557.14)" in out

    frameworks = {f.reference: f for f in Framework.objects.all()}
    assert {"RM1557.14", "RM1043.9", "RM6098", "NDX-DM-001", "RM3764.4"} <= set(frameworks)
    assert frameworks["NDX-DM-001"].is_dynamic_market and frameworks["NDX-DM-001"].is_live
    assert all(frameworks[r].is_live for r in ("RM1557.14", "RM1043.9", "RM6098"))
    draft = frameworks["RM3764.4"]
    assert draft.status == "draft" and draft.awaiting_approval
    assert list(frameworks["RM1557.14"].lots.values_list("name", flat=True)) == [
        "Cloud hosting",
        "Cloud software",
        "Cloud support",
    ]
    outcomes = Lot.objects.get(framework__reference="RM1043.9", slug="digital-outcomes")
    assert not outcomes.direct_award_allowed
    assert all(f.questions.exists() for f in frameworks.values())

    profiles = SupplierProfile.objects.all()
    assert profiles.count() >= 40
    sizes = Counter(profiles.values_list("size", flat=True))
    assert all(sizes[size] >= 5 for size in ("micro", "small", "medium", "large")), sizes
    assert profiles.filter(is_vcse=True).count() >= 3
    assert all(p.is_complete for p in profiles)
    assert len(set(profiles.values_list("region", flat=True))) >= 10
    for profile in profiles:
        profile.full_clean(exclude=["organisation"])
        assert profile.is_sme == (profile.size != "large")

    assert Offer.objects.count() >= 300
    assert Offer.objects.buyable().count() >= 290
    assert OfferRevision.objects.awaiting_review().count() >= 4
    assert Offer.objects.filter(status="submitted", published_revision=None).count() >= 4
    assert Offer.objects.filter(status="rejected").count() == 1
    assert Offer.objects.filter(status="withdrawn").count() == 1
    assert OfferRevision.objects.filter(status="superseded").exists()
    assert LotApplication.objects.filter(status="submitted").count() >= 1
    suspended = FrameworkMembership.objects.get(status="suspended")
    assert suspended.reason
    assert (
        not Offer.objects.buyable()
        .filter(supplier=suspended.supplier_id)
        .filter(lot__framework=suspended.framework)
    )

    for name in ("Northwind Digital Ltd", "Brightwater Cloud Services plc"):
        organisation = Organisation.objects.get(name=name)
        assert organisation.supplier_profile.is_complete
        assert approved_lots_for(organisation).count() >= 2
        assert Offer.objects.buyable().filter(supplier=organisation).count() >= 3
    northwind = Organisation.objects.get(name="Northwind Digital Ltd")
    assert Offer.objects.filter(supplier=northwind, status="draft").exists()
    assert LotApplication.objects.filter(supplier=northwind, status="submitted").exists()
    # Revisions the demo supplier wrote are theirs.
    assert OfferRevision.objects.filter(
        offer__supplier=northwind, created_by__email="supplier.admin@northwind-digital.co.uk"
    ).exists()
    # Published offers are searchable.
    assert not OfferRevision.objects.filter(status="published", search_text="").exists()

    call_command("seed_demo")
    assert "(0 new)" in capsys.readouterr().out
    assert counts() == first


def test_demo_content_is_valid_for_its_lot_and_national_prices_are_below_list():
    call_command("seed_demo")
    for revision in OfferRevision.objects.select_related("offer__lot"):
        content = {f: getattr(revision, f) for f in OfferRevision.CONTENT_FIELDS}
        clean_revision_content(content, lot=revision.offer.lot, for_submission=True)
        if revision.status == "superseded":  # an older version, before the discount
            assert revision.price == revision.list_price
        else:
            assert revision.price < revision.list_price


def test_demo_plan_is_deterministic():
    supply_demo.demo_plan.cache_clear()
    first = supply_demo.demo_plan()
    supply_demo.demo_plan.cache_clear()
    second = supply_demo.demo_plan()
    assert first == second
    assert len({o.external_id for o in first.offers}) == len(first.offers)
    assert len({s.name.lower() for s in first.suppliers}) == len(first.suppliers)
    assert len({s.company_number for s in first.suppliers}) == len(first.suppliers)
    assert demo.describe()[0].startswith("Catalogue")


def test_demo_cpv_codes_are_real_codes():
    path = Path(settings.BASE_DIR).parent / "shared" / "data" / "taxonomies" / "cpv-2008-en.json"
    if not path.exists():
        pytest.skip(f"needs the shared CPV list at {path}")
    codes = set(json.loads(path.read_text()))
    used = {code for offer in supply_demo.demo_plan().offers for code in offer.content["cpv_codes"]}
    assert used and used <= codes, used - codes
