"""An anonymous visitor's whole job, through the real pages in headless Chromium.

From the home page the visitor finds deals (a misspelt search, a filter, a sort, a second page
of results), opens an offer (prices, saving, supplier), the supplier's public page, compares two
offers, reads the open data page and the reports dashboard, and ends at the sign-in page. axe
runs on every distinct page reached; every move is a click on a real link or button.
"""

import re
from decimal import Decimal

import pytest

from catalogue.search_index import revision_search_index
from reporting.services import report_snapshots_refresh

from ...accounts.factories import SupplierOrganisationFactory
from ...catalogue.factories import FrameworkFactory, LotFactory, make_offer
from ...reporting.factories import make_contract
from ...suppliers.factories import approved_supplier
from ..helpers import click_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NORTHWIND = "Northwind Digital Ltd"
KESTREL = "Kestrel Software Ltd"
# (title, national price, list price, supplier): twelve case management offers, so that ten to
# a page gives two pages, and two more that the search must not find.
OFFERS = [
    ("Adult social care case management", "12.00", "15.00", NORTHWIND),
    ("Children's services case management", "14.00", "18.00", NORTHWIND),
    ("Youth justice case management", "9.50", "11.00", NORTHWIND),
    ("Housing case management", "7.25", "9.00", NORTHWIND),
    ("Benefits case management", "16.00", "20.00", NORTHWIND),
    ("Early help case management", "11.00", None, NORTHWIND),
    ("Fostering case management", "13.50", "14.00", KESTREL),
    ("Adoption case management", "15.75", "19.00", KESTREL),
    ("Safeguarding case management", "8.00", "10.00", KESTREL),
    ("Special educational needs case management", "10.25", "12.00", KESTREL),
    ("Mental health case management", "17.00", "21.00", KESTREL),
    ("Probation case management", "6.00", "8.00", KESTREL),
    ("Payroll for schools", "3.50", "5.00", KESTREL),
    ("Library stock control", "2.00", "2.50", NORTHWIND),
]
FIXED_PRICE = {"Benefits case management", "Mental health case management"}


@pytest.fixture
def catalogue():
    """A live framework's lot with two approved suppliers and their published offers, indexed
    for search; and some contracts, so the reports have figures."""
    framework = FrameworkFactory(name="Technology Products 4", reference="RM6098")
    lot = LotFactory(framework=framework, name="Cloud software", categories=["Case management"])
    suppliers = {
        NORTHWIND: approved_supplier(lot, SupplierOrganisationFactory(name=NORTHWIND)),
        KESTREL: approved_supplier(
            lot, SupplierOrganisationFactory(name=KESTREL), is_vcse=True, description="A CIC."
        ),
    }
    offers = {}
    for title, price, list_price, supplier in OFFERS:
        offer = make_offer(
            suppliers[supplier],
            lot,
            title=title,
            summary=f"{title} for councils.",
            price=Decimal(price),
            list_price=Decimal(list_price) if list_price else None,
            pricing_model="fixed" if title in FIXED_PRICE else "per_user_month",
            categories=["Case management"] if "case management" in title else [],
        )
        offers[title] = offer
    revision_search_index(revision_ids=[o.published_revision_id for o in offers.values()])
    for unit_price in ("100.00", "80.00"):
        make_contract(lot=LotFactory(), unit_price=unit_price, list_price="120.00")
    report_snapshots_refresh()
    return offers


def go(page, name: str, *, exact: bool = True) -> None:
    click_and_wait(page, page.get_by_role("link", name=name, exact=exact).first)


def press(page, name: str) -> None:
    click_and_wait(page, page.get_by_role("button", name=name, exact=True).first)


def titles(page) -> list[str]:
    return page.locator(".ndx-result h3").all_inner_texts()


def prices(page) -> list[Decimal]:
    found = []
    for result in page.locator(".ndx-result").all():
        price = result.locator("strong:not(.govuk-tag)").first.inner_text()
        found.append(Decimal(price.removeprefix("£").replace(",", "")))
    return found


def test_anonymous_visitor_finds_compares_and_reads_the_open_data(journey, catalogue):
    page = journey.open("visitor")

    # Home, then "Find deals" in the service navigation.
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Buy public-sector technology at national prices"
    )
    journey.check(page)
    go(page, "Find deals")
    assert page.url.endswith("/catalogue/")
    journey.check(page)

    # A misspelt search still finds the case management offers, and says what it searched for.
    page.get_by_label("Search pre-approved offers").fill("case managment")
    press(page, "Search")
    assert page.get_by_role("heading", name="12 offers for “case managment”").is_visible()
    assert "Including results for case management" in page.inner_text("main")
    assert "Payroll for schools" not in titles(page)
    assert "Save this search" not in page.content()  # only buyers can save searches
    journey.check(page, "search")

    # Filter: per user per month only (two of the twelve are fixed price).
    page.get_by_label("per user per month (10)").check()
    press(page, "Apply filters")
    assert "pricing=per_user_month" in page.url
    assert page.get_by_role("heading", name="10 offers for “case managment”").is_visible()
    assert not set(titles(page)) & FIXED_PRICE
    assert "per user per month" in page.locator(".ndx-selected-filters").inner_text()
    journey.check(page, "filtered")

    # Remove the filter again, sort by price, ten to a page.
    go(page, "Remove filter", exact=False)
    assert "pricing=" not in page.url
    page.get_by_label("Sort by").select_option(label="Price: lowest first")
    page.get_by_label("Results per page").select_option("10")
    press(page, "Sort")
    assert "sort=price" in page.url and "size=10" in page.url
    first_page = prices(page)
    assert len(first_page) == 10 and first_page == sorted(first_page)
    assert first_page[0] == Decimal("6.00")
    assert titles(page)[0] == "Probation case management"
    journey.check(page, "sorted")

    # The second page carries the search, the sort and the page size with it.
    pagination = page.get_by_role("navigation", name="Search results pages")
    click_and_wait(page, pagination.get_by_role("link", name=re.compile("Next")))
    assert "page=2" in page.url and "sort=price" in page.url and "q=case+managment" in page.url
    second_page = prices(page)
    assert len(second_page) == 2 and min(second_page) >= max(first_page)
    assert titles(page) == ["Benefits case management", "Mental health case management"]
    journey.check(page, "page 2")

    # The offer page: prices, the saving against the list price, the supplier.
    go(page, "Benefits case management")
    offer = catalogue["Benefits case management"]
    assert page.url.endswith(f"/catalogue/offers/{offer.pk}/")
    price_panel = page.locator(".govuk-grid-column-one-third").inner_text()
    assert "£16.00" in price_panel and "fixed price" in price_panel
    assert "List price: £20.00" in price_panel
    assert "Save £4.00 (20%)" in price_panel
    assert NORTHWIND in price_panel
    assert "Award a contract directly" not in page.content()  # buyers only
    journey.check(page)

    # The supplier's public page lists its offers.
    go(page, NORTHWIND)
    assert page.get_by_role("heading", name=NORTHWIND, level=1).is_visible()
    offers_listed = page.locator("main").inner_text()
    assert "Benefits case management" in offers_listed and "Library stock control" in offers_listed
    assert "Fostering case management" not in offers_listed  # Kestrel's
    journey.check(page)

    # Back to search to compare two offers.
    go(page, "Find deals")
    page.get_by_label("Search pre-approved offers").fill("safeguarding fostering")
    press(page, "Search")
    assert set(titles(page)) >= {"Safeguarding case management", "Fostering case management"}
    journey.check(page, "second search")
    for title in ("Safeguarding case management", "Fostering case management"):
        result = page.locator(".ndx-result", has_text=title)
        click_and_wait(page, result.get_by_role("button", name="Add to comparison"))
        assert f"Added {title} to your comparison" in page.inner_text("main")
    journey.check(page, "two to compare")
    go(page, "Compare 2 selected offers")
    assert page.get_by_role("heading", name="Compare offers").is_visible()
    table = page.get_by_role("table", name="2 offers side by side")
    headers = table.locator("thead th").all_inner_texts()
    assert headers == ["Safeguarding case management", "Fostering case management"]
    assert "£8.00" in table.inner_text() and "£13.50" in table.inner_text()
    assert KESTREL in table.inner_text()
    journey.check(page)

    # The open data page from the footer, then the reports dashboard it links to.
    go(page, "Open data")
    assert page.url.endswith("/open-data/")
    assert "Open Government Licence v3.0" in page.content()
    journey.check(page)
    go(page, "SME spend and savings")
    assert page.url.endswith("/reports/")
    assert "These figures have not been calculated yet" not in page.content()
    assert page.locator("svg.ndx-chart").count() >= 1
    journey.check(page)

    # And the way in: the sign-in page.
    go(page, "Sign in")
    assert page.url.endswith("/accounts/login/")
    assert page.get_by_label("Email").is_visible()
    journey.check(page)
