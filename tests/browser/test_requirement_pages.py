"""A buyer describes a requirement in Chromium, one question a page, checks and submits it;
axe finds no violations on any page of the flow, with and without errors."""

import os

import pytest

from buying.models import Requirement

from ..accounts.factories import BuyerOrganisationFactory, member
from ..catalogue.factories import FrameworkFactory, LotFactory
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set NDX_SCREENSHOTS=/tmp/shots to save a full-page screenshot of each page visited.
SHOTS = os.environ.get("NDX_SCREENSHOTS")


def check(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
    assert_no_axe_violations(page)


def continue_(page) -> None:
    click_and_wait(page, page.get_by_role("button", name="Continue", exact=True))


def test_buyer_describes_checks_and_submits_a_requirement(page, live_server):
    lot = LotFactory(name="Cloud software", framework=FrameworkFactory(name="G-Cloud 14"))
    buyer = member(BuyerOrganisationFactory(name="Leeds City Council"), full_name="Sam Patel")
    sign_in(page, live_server, buyer)

    page.goto("/buying/requirements/")
    check(page, "requirements-empty")
    click_and_wait(page, page.get_by_role("button", name="Start a new requirement"))
    check(page, "requirement-start")
    continue_(page)  # no name: an error
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "requirement-start-error")
    page.get_by_label("What do you want to call this requirement?").fill("Case management")
    continue_(page)
    requirement = Requirement.objects.get()

    # problem: an empty answer is refused, then a good one saved
    assert page.url.endswith(f"/buying/requirements/{requirement.pk}/problem/")
    check(page, "step-problem")
    continue_(page)
    assert (
        "Describe the problem or the outcome you want"
        in page.locator(".govuk-error-summary").inner_text()
    )
    check(page, "step-problem-error")
    page.get_by_label("What problem do you need to solve").fill(
        "Social workers keep case notes in spreadsheets and cannot share them safely."
    )
    continue_(page)

    check(page, "step-users")
    page.get_by_label("Who will use it?").fill("Social workers in the office and on visits")
    page.get_by_label("How many people will use it?").fill("2,000,000,000")
    continue_(page)
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "step-users-error")
    page.get_by_label("How many people will use it?").fill("250")
    continue_(page)

    check(page, "step-needs")
    page.get_by_label("Must-haves (optional)").fill("Works offline\nSingle sign-on")
    page.get_by_label("Nice-to-haves (optional)").fill("Mobile app")
    continue_(page)

    check(page, "step-budget")
    page.get_by_label("From (optional)").fill("50000")
    page.get_by_label("Up to (optional)").fill("25000")
    continue_(page)
    assert "same as or more than" in page.locator(".govuk-error-summary").inner_text()
    check(page, "step-budget-error")
    page.get_by_label("Up to (optional)").fill("80,000.50")
    continue_(page)

    check(page, "step-timescale")
    page.get_by_label("Within 3 months").check()
    continue_(page)

    check(page, "step-location")
    page.get_by_label("Where will it be used?").fill("Leeds")
    continue_(page)

    check(page, "step-security")
    page.get_by_label("UK only").check()
    page.get_by_label("Cyber Essentials Plus").check()
    continue_(page)

    check(page, "step-preference")
    page.get_by_label("G-Cloud 14: Cloud software").check()
    continue_(page)

    assert page.url.endswith(f"/buying/requirements/{requirement.pk}/check/")
    check(page, "requirement-check")
    page.screenshot(path="/tmp/requirement-check.png", full_page=True)
    summary = page.locator(".govuk-summary-list").inner_text()
    for expected in [
        "Case management",
        "Social workers in the office and on visits",
        "250",
        "Works offline",
        "£50,000.00 to £80,000.50",
        "Within 3 months",
        "Leeds",
        "UK only",
        "Cyber Essentials Plus",
        "G-Cloud 14: Cloud software",
    ]:
        assert expected in summary, expected

    # Change an answer and come back to check
    click_and_wait(page, page.get_by_role("link", name="Change location"))
    page.get_by_label("Where will it be used?").fill("Bradford")
    continue_(page)
    assert page.url.endswith("/check/")
    assert "Bradford" in page.locator(".govuk-summary-list").inner_text()

    click_and_wait(page, page.get_by_role("button", name="Submit requirement"))
    assert page.url.endswith(f"/buying/requirements/{requirement.pk}/matches/")
    check(page, "requirement-matches")
    page.goto(f"/buying/requirements/{requirement.pk}/")
    check(page, "requirement-detail")
    requirement.refresh_from_db()
    assert requirement.status == "submitted" and requirement.lot == lot
    assert requirement.location == "Bradford"

    click_and_wait(page, page.get_by_role("button", name="Copy as a new draft"))
    check(page, "requirement-copy-check")
    page.goto("/buying/requirements/")
    check(page, "requirements-list")


def test_save_and_come_back_later_then_continue_and_delete(page, live_server):
    buyer = member(BuyerOrganisationFactory())
    sign_in(page, live_server, buyer)
    page.goto("/buying/requirements/new/")
    page.get_by_label("What do you want to call this requirement?").fill("Room booking")
    continue_(page)
    page.get_by_label("What problem do you need to solve").fill("Staff double-book rooms.")
    click_and_wait(page, page.get_by_role("button", name="Save and come back later"))
    assert page.url.endswith("/buying/requirements/")
    assert page.locator(".govuk-notification-banner").is_visible()
    check(page, "requirements-saved")
    click_and_wait(page, page.get_by_role("link", name="Continue “Room booking”"))
    assert page.url.endswith("/users/")
    requirement = Requirement.objects.get()
    page.goto(f"/buying/requirements/{requirement.pk}/check/")
    click_and_wait(page, page.get_by_role("button", name="Submit requirement"))
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "requirement-check-error")
    page.goto(f"/buying/requirements/{requirement.pk}/")
    check(page, "requirement-draft-detail")
    click_and_wait(page, page.get_by_role("link", name="Delete this draft"))
    check(page, "requirement-delete")
    click_and_wait(page, page.get_by_role("button", name="Yes, delete this draft"))
    assert not Requirement.objects.exists()
