"""A buyer organisation's admin, doing the whole job through the real pages in headless Chromium.

The buyer searches and saves the search, freezes its results and downloads them as CSV;
describes a requirement one question a page, sees the matches explained and shortlists two;
freezes that shortlist and awards a contract directly from it at below the national price; finds
the contract and its saving in the register; reviews the contract (it starts today) and sees the
review on the offer's page. axe runs on every distinct page reached.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from buying.models import Requirement, Shortlist
from catalogue.search_index import revision_search_index
from contracts.models import Contract
from matching import runtime
from matching.services import index_rebuild_now
from reviews.models import Review

from ...accounts.factories import BuyerOrganisationFactory, SupplierOrganisationFactory, member
from ...catalogue.factories import FrameworkFactory, LotFactory, make_offer
from ...suppliers.factories import approved_supplier
from ..helpers import click_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNCIL = "Leeds City Council"
CHILDREN = "Children's social care case management"
ADULTS = "Case management for adult social care"
PAYROLL = "Payroll for schools"
NEEDS = "Social workers need case management that works offline on home visits."


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.MATCHING_INDEX_DIR = tmp_path / "matching"
    settings.MATCHING_REFRESH_SECONDS = 0
    runtime.reset()
    yield
    runtime.reset()


@pytest.fixture
def market():
    """Three suppliers' published offers on one direct-award lot, indexed for search and
    matching."""
    lot = LotFactory(
        framework=FrameworkFactory(name="G-Cloud 14", reference="RM1557.14"),
        name="Cloud software",
        direct_award_allowed=True,
        categories=["Case management", "Payroll"],
    )
    offers = {}
    for supplier, title, summary, price, list_price, category in [
        (
            "Northwind Digital Ltd",
            CHILDREN,
            "Case recording for social workers, works offline on visits.",
            "12.50",
            "15.00",
            "Case management",
        ),
        (
            "Brightwater Cloud plc",
            ADULTS,
            "Assessments and care plans for social workers.",
            "11.00",
            "14.00",
            "Case management",
        ),
        ("Kestrel Software Ltd", PAYROLL, "Monthly payroll.", "3.50", "5.00", "Payroll"),
    ]:
        organisation = approved_supplier(lot, SupplierOrganisationFactory(name=supplier))
        offers[title] = make_offer(
            organisation,
            lot,
            title=title,
            summary=summary,
            description="Pensions and HMRC submissions." if title == PAYROLL else summary,
            price=Decimal(price),
            list_price=Decimal(list_price),
            categories=[category],
            certifications=["cyber-essentials-plus"],
        )
    revision_search_index(revision_ids=[o.published_revision_id for o in offers.values()])
    index_rebuild_now()
    return offers


def go(page, name: str, *, exact: bool = True) -> None:
    click_and_wait(page, page.get_by_role("link", name=name, exact=exact).first)


def press(page, name: str) -> None:
    click_and_wait(page, page.get_by_role("button", name=name, exact=True).first)


def banner(page) -> str:
    return page.locator(".govuk-notification-banner").inner_text()


def fill_date(page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def choose(page, group: str, option: str) -> None:
    page.get_by_role("group", name=group).get_by_label(option, exact=True).check()


def search_save_freeze_and_export(journey, page) -> None:
    page.goto("/")
    journey.check(page)
    go(page, "Find deals")
    journey.check(page)
    page.get_by_label("Search pre-approved offers").fill("case management")
    press(page, "Search")
    assert page.get_by_role("heading", name="2 offers for “case management”").is_visible()
    journey.check(page, "results")

    press(page, "Save this search")
    assert page.get_by_role("heading", name="Save this search").is_visible()
    journey.check(page)
    page.get_by_label("Name this search").fill("Case management options")
    press(page, "Save search")
    assert page.get_by_role("heading", name="Case management options", level=1).is_visible()
    journey.check(page)

    press(page, "Freeze results now")
    shortlist = Shortlist.objects.get(saved_search__name="Case management options")
    assert page.url.endswith(f"/buying/shortlists/{shortlist.pk}/")
    assert shortlist.is_frozen and shortlist.items.count() == 2
    rows = page.get_by_role("table", name="2 offers").inner_text()
    assert CHILDREN in rows and ADULTS in rows and "£12.50" in rows
    journey.check(page, "frozen")

    # The export link downloads the frozen list as CSV (with this browser's session).
    href = page.get_by_role("link", name="Download as CSV").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    body = response.text()
    assert CHILDREN in body and ADULTS in body and "12.50" in body

    go(page, "Saved searches")
    assert "Case management options" in page.inner_text("main")
    journey.check(page)


def describe_requirement(journey, page) -> Requirement:
    go(page, "Requirements")
    journey.check(page)
    press(page, "Start a new requirement")
    journey.check(page)

    def answer(fill, state: str) -> None:
        fill()
        press(page, "Continue")
        assert page.locator(".govuk-error-summary").count() == 0, state
        journey.check(page, state)

    answer(
        lambda: page.get_by_label("What do you want to call this requirement?").fill(
            "Social care case notes"
        ),
        "problem",
    )
    answer(
        lambda: page.get_by_label("What problem do you need to solve").fill(NEEDS),
        "users",
    )

    def users():
        page.get_by_label("Who will use it?").fill("Social workers in the office and on visits")
        page.get_by_label("How many people will use it?").fill("450")

    answer(users, "needs")

    def needs():
        page.get_by_label("Must-haves (optional)").fill("Works offline\nSingle sign-on")
        page.get_by_label("Nice-to-haves (optional)").fill("Mobile app")

    answer(needs, "budget")

    def budget():
        page.get_by_label("From (optional)").fill("50000")
        page.get_by_label("Up to (optional)").fill("80,000")

    answer(budget, "timescale")
    answer(lambda: page.get_by_label("Within 3 months").check(), "location")
    answer(lambda: page.get_by_label("Where will it be used?").fill("Leeds"), "security")

    def security():
        page.get_by_label("UK only").check()
        page.get_by_label("Cyber Essentials Plus").check()

    answer(security, "preference")
    page.get_by_label("G-Cloud 14: Cloud software").check()
    press(page, "Continue")
    requirement = Requirement.objects.get()
    assert page.url.endswith(f"/buying/requirements/{requirement.pk}/check/")
    summary = page.locator(".govuk-summary-list").inner_text()
    for expected in ("Social care case notes", "450", "Works offline", "£50,000.00 to £80,000.00"):
        assert expected in summary, expected
    journey.check(page)
    press(page, "Submit requirement")
    return requirement


def shortlist_matches(journey, page, requirement) -> Shortlist:
    assert page.url.endswith(f"/buying/requirements/{requirement.pk}/matches/")
    assert page.get_by_role("heading", name="Offers that match your requirement").is_visible()
    titles = page.locator(".ndx-result h3").all_inner_texts()
    assert {titles[0].split(". ", 1)[1], titles[1].split(". ", 1)[1]} == {CHILDREN, ADULTS}
    why = page.locator(".govuk-details__text").first.inner_text()
    assert "Your words appear in" in why and "Semantic similarity" in why
    journey.check(page)
    for n in (0, 1):
        result = page.locator(".ndx-result").nth(n)
        click_and_wait(page, result.get_by_role("button", name="Add to shortlist"))
        assert "Added" in banner(page)
    journey.check(page, "shortlisted")
    go(page, "View the shortlist (2)")
    shortlist = Shortlist.objects.get(requirement=requirement)
    assert page.url.endswith(f"/buying/shortlists/{shortlist.pk}/")
    assert shortlist.items.count() == 2 and not shortlist.is_frozen
    journey.check(page)
    press(page, "Freeze this shortlist")
    shortlist.refresh_from_db()
    assert shortlist.is_frozen
    journey.check(page, "frozen")
    return shortlist


def award_directly(journey, page, offer) -> Contract:
    name = re.compile(rf"^Award directly\s?: {re.escape(CHILDREN)} from Northwind Digital Ltd$")
    click_and_wait(page, page.get_by_role("link", name=name))
    assert page.get_by_role("heading", name=CHILDREN, level=1).is_visible()
    assert "£12.50" in page.inner_text("main")  # the frozen national price
    journey.check(page)
    today = timezone.localdate()
    page.get_by_label("Quantity").fill("450")
    page.get_by_label("Unit price").fill("12.00")  # below the national price of £12.50
    fill_date(page, "Contract start date", today)  # starts today, so it can be reviewed
    fill_date(page, "Contract end date", today + timedelta(days=364))
    page.get_by_label("Key performance indicators (KPIs)").fill("99.9% availability")
    page.get_by_label("Why are you awarding this contract directly?").fill(
        "The only offer that works offline on home visits, below the national price."
    )
    press(page, "Award the contract")
    contract = Contract.objects.get()
    assert page.url.endswith(f"/buying/contracts/{contract.pk}/")
    assert "Saving against the list price: £1,350.00" in banner(page)  # (15 - 12) x 450
    assert (contract.offer, contract.unit_price, contract.saving) == (
        offer,
        Decimal("12.00"),
        Decimal("1350.00"),
    )
    assert contract.requirement is not None and contract.shortlist is not None
    journey.check(page)

    go(page, "Contract register")
    register = page.locator("main").inner_text()
    assert contract.title in register and "£1,350.00" in register
    journey.check(page)
    return contract


def review_contract(journey, page, contract, offer) -> None:
    go(page, "Reviews")
    journey.check(page)
    go(page, f"Write a review of {contract.title}", exact=False)
    journey.check(page)
    choose(page, "Overall, how would you rate it?", "4 stars")
    choose(page, "Value for money", "5 stars")
    choose(page, "Delivery", "4 stars")
    choose(page, "Support", "3 stars")
    choose(page, "Ease of use", "4 stars")
    choose(
        page,
        "How is the supplier performing against the contract's key performance indicators?",
        "Approaching target",
    )
    page.get_by_label("Title of your review").fill("Social workers use it offline every day")
    page.get_by_label("Your review", exact=True).fill(
        "Rolled out to 450 social workers in a fortnight. Support answers within a day."
    )
    press(page, "Submit review")
    review = Review.objects.get(contract=contract)
    assert review.status == Review.Status.PUBLISHED
    assert "Your review is published" in banner(page)
    journey.check(page)

    # The review's page links to the offer, whose page now shows the review.
    click_and_wait(page, page.locator(".govuk-caption-l").get_by_role("link", name=CHILDREN))
    assert page.url.endswith(f"/catalogue/offers/{offer.pk}/")
    reviews = page.locator("main").inner_text()
    assert "Social workers use it offline every day" in reviews
    assert COUNCIL in reviews
    journey.check(page, "reviewed")


def test_buyer_searches_matches_awards_and_reviews(journey, market):
    buyer = member(BuyerOrganisationFactory(name=COUNCIL), role="admin", full_name="Sam Patel")
    page = journey.open("buyer", buyer)

    search_save_freeze_and_export(journey, page)
    requirement = describe_requirement(journey, page)
    requirement.refresh_from_db()
    assert requirement.status == "submitted"
    shortlist_matches(journey, page, requirement)
    contract = award_directly(journey, page, market[CHILDREN])
    review_contract(journey, page, contract, market[CHILDREN])
