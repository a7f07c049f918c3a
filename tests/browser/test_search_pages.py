"""Search, compare and saved searches in headless Chromium, with axe on every page."""

from decimal import Decimal

import pytest

from catalogue.search_index import revision_search_index

from ..accounts.factories import BuyerOrganisationFactory, member
from ..catalogue.factories import LotFactory, make_offer
from ..suppliers.factories import approved_supplier
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    lot = LotFactory(categories=["Case management", "Payroll"])
    supplier = approved_supplier(lot)
    for title, price, category in [
        ("Adult social care case management", "12.00", "Case management"),
        ("Children's services case management", "14.00", "Case management"),
        ("Payroll for schools", "3.50", "Payroll"),
    ]:
        offer = make_offer(
            supplier,
            lot,
            title=title,
            summary=f"{title} for public bodies.",
            price=Decimal(price),
            list_price=Decimal("20"),
            categories=[category],
        )
        revision_search_index(revision_ids=[offer.published_revision_id])


def test_buyer_searches_filters_compares_and_freezes(page, live_server, catalogue):
    buyer = member(BuyerOrganisationFactory(name="Leeds City Council"), role="admin")
    sign_in(page, live_server, buyer)
    page.goto("/catalogue/")
    assert_no_axe_violations(page)
    page.get_by_label("Search pre-approved offers").fill("case managment")
    click_and_wait(page, page.get_by_role("button", name="Search", exact=True))
    assert page.get_by_role("heading", name="2 offers for “case managment”").is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("per user per month (2)").check()
    click_and_wait(page, page.get_by_role("button", name="Apply filters").first)
    assert "pricing=per_user_month" in page.url
    page.get_by_label("Sort by").select_option("price")
    click_and_wait(page, page.get_by_role("button", name="Sort"))
    titles = page.locator(".ndx-result h3").all_inner_texts()
    assert titles == ["Adult social care case management", "Children's services case management"]
    click_and_wait(
        page,
        page.locator(".ndx-result", has_text="Adult social care").get_by_role("button"),
    )
    click_and_wait(
        page,
        page.locator(".ndx-result", has_text="Children's services").get_by_role("button"),
    )
    click_and_wait(page, page.get_by_role("link", name="Compare 2 selected offers"))
    assert page.get_by_role("heading", name="Compare offers").is_visible()
    assert_no_axe_violations(page)
    page.goto("/catalogue/?q=case")
    click_and_wait(page, page.get_by_role("button", name="Save this search"))
    page.get_by_label("Name this search").fill("Case management options")
    click_and_wait(page, page.get_by_role("button", name="Save search"))
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("button", name="Freeze results now"))
    assert page.locator("table").inner_text().count("case management") >= 2
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("button", name="Record outcome"))
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)
    page.goto("/buying/searches/")
    assert_no_axe_violations(page)


def test_search_without_javascript(browser, live_server, catalogue):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/catalogue/?q=payroll")
    assert "Payroll for schools" in page.content()
    page.get_by_label("Payroll (1)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").first.click()
    assert "category=Payroll" in page.url
    context.close()
