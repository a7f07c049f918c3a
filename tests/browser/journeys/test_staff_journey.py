"""NDX staff, doing the whole job through the real pages in headless Chromium.

A member of staff (with two-factor authentication set up) creates a dynamic market with a lot and
a declaration question and asks for it to go live; a second member of staff, in another browser,
approves it. A supplier applies to the new lot and staff approve the application; staff approve
a change to a published offer from the review queue after reading the differences; publish a
review held for moderation; check the matching index and rebuild it; import a small catalogue
file; and recalculate the reports. axe runs on every distinct page reached.
"""

import json
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from catalogue import services as catalogue_services
from catalogue.models import Framework, Offer
from matching import runtime
from matching.models import IndexBuild
from reporting.services import spend_import
from reviews import services as review_services
from reviews.models import Review
from suppliers import services as supplier_services
from suppliers.models import FrameworkMembership, LotApplication

from ...accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from ...catalogue.factories import LotFactory, make_offer, revision_content
from ...reporting.factories import make_contract
from ...reporting.helpers import spend_csv
from ...reviews.factories import ContractFactory, review_data
from ...suppliers.factories import SupplierProfileFactory, approved_supplier
from ..helpers import click_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPTESTSECR"
MARKET = "Cloud Compute Market"
LOT = "Lot 1: Cloud hosting"
QUESTION = "Do you accept the terms?"
APPLICANT = "Fresh Hosting Ltd"
OFFER = "Adult social care case management"
CHANGED = "Adult social care and health case management"
HELD = "Good once set up"


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.MATCHING_INDEX_DIR = tmp_path / "matching"
    settings.MATCHING_REFRESH_SECONDS = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    runtime.reset()
    yield
    runtime.reset()


def staff_user(name: str):
    user = StaffFactory(full_name=name)
    TOTP.activate(user, SECRET)
    return user


@pytest.fixture
def work():
    """What is waiting for staff: a change to a published offer, a review held for a link in
    it, and contracts and spend for the reports."""
    lot = LotFactory(name="Cloud software")
    organisation = approved_supplier(lot)
    supplier = member(organisation, role="admin")
    offer = make_offer(organisation, lot, title=OFFER, price="12.50", list_price="15.00")
    catalogue_services.offer_update(
        actor=supplier,
        offer=offer,
        **revision_content(title=CHANGED, price="11.00", list_price="15.00"),
    )
    catalogue_services.offer_submit(actor=supplier, offer=offer)

    contract = ContractFactory(offer=offer, organisation=BuyerOrganisationFactory(name="York"))
    review = review_services.review_create(
        actor=member(contract.organisation, role="admin"),
        contract=contract,
        data=review_data(title=HELD, text="Our notes are at https://intranet.example/notes"),
    )
    assert review.status == Review.Status.HELD

    spend_import(
        name="gcloud-spend.csv",
        content=spend_csv(
            "Software as a Service (SaaS),01/03/2013,600,Central Government,SME,,Small Ltd,HO",
            "Software as a Service (SaaS),01/06/2013,400,Health,Large,,Big PLC,Leeds Trust",
        ),
    )
    make_contract(lot=lot, unit_price="100.00", list_price="120.00")
    return {"offer": offer, "review": review}


def go(page, name, *, exact: bool = True) -> None:
    click_and_wait(page, page.get_by_role("link", name=name, exact=exact).first)


def press(page, name: str) -> None:
    click_and_wait(page, page.get_by_role("button", name=name, exact=True).first)


def banner(page) -> str:
    return page.locator(".govuk-notification-banner").inner_text()


def fill_date(page, field: str, day: int, month: int, year: int) -> None:
    page.locator(f"#id_{field}").fill(str(day))
    page.locator(f"#id_{field}-month").fill(str(month))
    page.locator(f"#id_{field}-year").fill(str(year))


def create_market(journey, page) -> Framework:
    page.goto("/")
    journey.check(page)
    go(page, "Staff")
    assert page.get_by_role("heading", name="Platform staff").is_visible()
    journey.check(page)
    go(page, "Frameworks and dynamic markets")
    journey.check(page)
    press(page, "Create a framework or dynamic market")
    journey.check(page)
    page.get_by_label("Name", exact=True).fill(MARKET)
    page.get_by_label("Reference").fill("rm6300")
    page.get_by_label("Dynamic market (open to new suppliers at any time)").check()
    fill_date(page, "starts_on", 1, 4, 2026)
    fill_date(page, "ends_on", 31, 3, 2030)
    page.get_by_label("Maximum value (optional)").fill("2,500,000")
    press(page, "Create draft")
    assert f"{MARKET} created" in banner(page)
    framework = Framework.objects.get(reference="RM6300")
    assert framework.status == Framework.Status.DRAFT
    journey.check(page)

    press(page, "Add a lot")
    journey.check(page)
    page.get_by_label("Name", exact=True).fill("Cloud hosting")
    page.get_by_label("Direct award allowed").check()
    page.get_by_label("Service categories (optional)").fill("Compute\nStorage")
    press(page, "Add lot")
    assert f"{LOT} added" in banner(page)
    journey.check(page, "with a lot")

    go(page, "Add a declaration question")
    journey.check(page)
    page.get_by_label("Question", exact=True).fill(QUESTION)
    page.get_by_label("Yes or no").check()
    page.get_by_label("Answer a supplier must give to be eligible").select_option("yes")
    press(page, "Add question")
    assert "Declaration question added" in banner(page)
    assert QUESTION in page.inner_text("main")
    journey.check(page, "question added")
    go(page, "Back")

    press(page, "Open for applications")
    assert "is open for applications" in page.content()
    journey.check(page, "open")
    press(page, "Ask for approval to go live")
    assert "A second member of staff must now approve it" in page.content()
    assert page.get_by_role("button", name="Approve: make live").count() == 0
    journey.check(page, "waiting for approval")
    return framework


def second_approval(journey, page, framework) -> None:
    page.goto("/staff/")
    journey.check(page)
    go(page, "Frameworks and dynamic markets")
    assert "Waiting for second approval" in page.inner_text("main")
    journey.check(page)
    go(page, MARKET)
    journey.check(page)
    press(page, "Approve: make live")
    assert f"{MARKET} is live" in page.content()
    journey.check(page, "live")
    framework.refresh_from_db()
    assert framework.status == Framework.Status.LIVE
    assert framework.approved_by != framework.live_requested_by


def approve_application(journey, page, framework) -> None:
    go(page, "Staff")
    go(page, "Lot applications")
    journey.check(page)
    go(page, f"Review application from {APPLICANT} for {LOT}", exact=False)
    assert page.get_by_role("heading", name=f"Application from {APPLICANT}").is_visible()
    assert "Yes" in page.locator("dl", has_text=QUESTION).inner_text()
    journey.check(page)
    press(page, "Approve application")
    assert f"{APPLICANT} approved for {LOT}" in banner(page)
    journey.check(page, "approved")
    membership = FrameworkMembership.objects.get(supplier__name=APPLICANT)
    assert membership.framework == framework
    assert membership.status == FrameworkMembership.Status.ACTIVE


def approve_offer_change(journey, page, offer) -> None:
    go(page, "Staff")
    go(page, "Offers waiting for review")
    assert CHANGED in page.inner_text("main")
    journey.check(page)
    go(page, f"{CHANGED} (review version 2)", exact=False)
    assert "(buyers now see version 1)" in page.content()
    diff = page.get_by_role("table", name="What changed since version 1")
    cells = diff.get_by_role("row", name=re.compile(r"^Title")).get_by_role("cell")
    assert cells.all_inner_texts() == [OFFER, CHANGED]
    price = diff.get_by_role("row", name=re.compile(r"^National price")).inner_text()
    assert "£12.50" in price and "£11.00" in price
    journey.check(page)
    press(page, "Approve and publish")
    assert f"{CHANGED} (version 2) approved and published" in banner(page)
    assert "There are no offers waiting for review" in page.content()
    journey.check(page, "empty")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PUBLISHED and offer.published_revision.number == 2


def moderate_review(journey, page, review) -> None:
    go(page, "Staff")
    go(page, "Reviews to moderate")
    journey.check(page)
    go(page, f"{HELD} (moderate)", exact=False)
    assert "https://intranet.example/notes" in page.inner_text("main")
    journey.check(page)
    press(page, "Publish review")
    assert f"“{HELD}” published" in banner(page)
    assert "There are no reviews to moderate" in page.content()
    journey.check(page, "empty")
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


def rebuild_matching_index(journey, page) -> None:
    go(page, "Staff")
    go(page, "Matching index")
    assert "None yet" in page.inner_text("main")
    journey.check(page)
    press(page, "Rebuild the index now")
    assert "queued. The current index keeps serving" in banner(page)
    build = IndexBuild.objects.get()
    assert build.status == IndexBuild.Status.SUCCEEDED, build.error
    summary = page.locator(".govuk-summary-list").inner_text()
    assert f"Build {build.pk}" in summary
    buyable = Offer.objects.buyable().count()
    assert buyable >= 1 and re.search(rf"Offers indexed\s+{buyable}\b", summary), summary
    journey.check(page, "built")
    go(page, "Staff")


def import_catalogue(journey, page, tmp_path) -> None:
    go(page, "Import a catalogue file")
    assert page.locator("h1").inner_text() == "Catalogue imports"
    journey.check(page)
    press(page, "Import a catalogue file")
    journey.check(page)
    rows = [
        {
            "external_id": f"h-{n}",
            "title": f"Managed hosting {n}",
            "summary": "Hosting in UK data centres",
            "description": "",
            "category": "Cloud hosting",
            "supplier": {"name": "Host Ltd", "sme": True},
            "price": 100 + n,
            "list_price": 120,
            "unit": "per unit",
        }
        for n in range(3)
    ]
    upload = tmp_path / "hosting.jsonl"
    upload.write_text("".join(json.dumps(row) + "\n" for row in rows))
    page.get_by_label("Catalogue file").set_input_files(str(upload))
    press(page, "Upload and import")
    assert "Catalogue imported" in page.content()
    assert "3 offers: 3 created, 0 updated, from 1 supplier" in page.content()
    journey.check(page, "imported")
    assert (
        Offer.objects.filter(published_revision__title__startswith="Managed hosting").count() == 3
    )
    go(page, "Staff")


def recalculate_reports(journey, page) -> None:
    go(page, "Reports: SME share and savings")
    assert page.get_by_role("heading", level=1).is_visible()
    journey.check(page)
    press(page, "Recalculate now")
    assert "Reports recalculated" in page.content()
    assert page.locator("svg.ndx-chart").count() >= 1
    journey.check(page, "recalculated")


def test_staff_run_the_marketplace(journey, work, tmp_path):
    creator = journey.open("creator", staff_user("Casey Creator"))
    framework = create_market(journey, creator)

    approver = journey.open("approver", staff_user("Avery Approver"))
    second_approval(journey, approver, framework)

    # A supplier applies to the new lot (through the service: the supplier journey and
    # test_supply_journey.py apply through the pages).
    applicant = member(
        SupplierProfileFactory(organisation__name=APPLICANT).organisation, role="admin"
    )
    question = framework.questions.get()
    application = supplier_services.lot_application_submit(
        actor=applicant, lot=framework.lots.get(), answers={f"q{question.pk}": "yes"}
    )
    assert application.status == LotApplication.Status.SUBMITTED

    approve_application(journey, creator, framework)
    approve_offer_change(journey, creator, work["offer"])
    moderate_review(journey, creator, work["review"])
    rebuild_matching_index(journey, creator)
    import_catalogue(journey, creator, tmp_path)
    recalculate_reports(journey, creator)
