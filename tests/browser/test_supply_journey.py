"""The supply side end to end, through the real pages in headless Chromium.

A supplier signs up and verifies its email, completes its profile and applies to a lot of a live
dynamic market; staff approve; the supplier lists an offer and staff publish it; a buyer finds it
in search and on its page. The supplier then changes the published offer: the buyer keeps seeing
the old version until staff approve the change. Finally staff suspend the supplier on the
framework (the offer disappears for buyers) and reinstate it (it comes back).

Each role has its own browser context (its own cookies). axe runs on every distinct page reached.
Set NDX_SCREENSHOTS=/some/dir to save a full-page screenshot of each of them.
"""

import os
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail

from catalogue.models import Offer
from suppliers.models import FrameworkMembership, LotApplication

from ..accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from ..catalogue.factories import DeclarationQuestionFactory, DynamicMarketFactory, LotFactory
from .fixtures import ARTIFACTS, assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPTESTSECR"
SHOTS = os.environ.get("NDX_SCREENSHOTS")
OWNER_EMAIL = "owner@tenancyworks.co.uk"
ORGANISATION = "Tenancy Works Ltd"
MARKET = "Housing Technology Market"
LOT = "Lot 1: Housing software"
QUESTION = "Do you accept the framework's terms and conditions?"
TITLE = "Tenancy management platform"
NEW_TITLE = "Tenancy and repairs platform"


class Journey:
    """Browser pages for each role, and axe on each distinct page (by URL) reached."""

    def __init__(self, browser, live_server):
        self.browser = browser
        self.live_server = live_server
        self.pages: dict[str, object] = {}
        self.checked: set[str] = set()

    def open(self, role: str, user=None):
        context = self.browser.new_context(
            base_url=self.live_server.url, viewport={"width": 1100, "height": 900}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        if user is not None:
            sign_in(page, self.live_server, user)
        self.pages[role] = page
        return page

    def check(self, page, state: str = "") -> None:
        """axe on this page, once per role, URL and `state` (what makes the same URL a
        different page: an error, another set of sections). Revisits are not re-run."""
        role = next(r for r, p in self.pages.items() if p is page)
        url = page.url.removeprefix(self.live_server.url)
        key = f"{role} {url} {state}".strip()
        if key in self.checked:
            return
        self.checked.add(key)
        assert page.locator("h1").count() == 1, key
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")[:80]
            page.screenshot(
                path=os.path.join(SHOTS, f"{len(self.checked):02d}_{name}.png"), full_page=True
            )
        assert_no_axe_violations(page)

    def close(self, failed: bool, test_name: str) -> None:
        for role, page in self.pages.items():
            if failed:
                ARTIFACTS.mkdir(exist_ok=True)
                try:
                    page.screenshot(path=str(ARTIFACTS / f"{test_name}_{role}.png"), full_page=True)
                    (ARTIFACTS / f"{test_name}_{role}.html").write_text(page.content())
                except Exception as exc:  # the page may be gone; the failure is what matters
                    print(f"could not save screenshot of the {role}'s page: {exc}")
            page.context.close()


@pytest.fixture
def journey(browser, live_server, request):
    journey = Journey(browser, live_server)
    yield journey
    rep = getattr(request.node, "rep_call", None)
    journey.close(rep is not None and rep.failed, request.node.name)


@pytest.fixture
def market():
    """A live dynamic market with one lot and one declaration question."""
    framework = DynamicMarketFactory(name=MARKET, reference="RM9001")
    DeclarationQuestionFactory(framework=framework, text=QUESTION)
    return LotFactory(
        framework=framework,
        number=1,
        name="Housing software",
        description="Software for social landlords.",
        categories=["Housing", "Repairs"],
    )


def go(page, link_name: str, *, exact: bool = False) -> None:
    click_and_wait(page, page.get_by_role("link", name=link_name, exact=exact).first)


def press(page, button_name: str) -> None:
    click_and_wait(page, page.get_by_role("button", name=button_name, exact=True))


def banner(page) -> str:
    return page.locator(".govuk-notification-banner").inner_text()


def standing_row(page):
    """The supplier dashboard's row for the market in "Frameworks you are on"."""
    table = page.get_by_role("table", name="Your standing on each framework")
    return table.get_by_role("row", name=re.compile(MARKET)).inner_text()


def application_row(page):
    table = page.get_by_role("table", name="Your organisation's applications to join lots")
    return table.get_by_role("row", name=re.compile(LOT)).inner_text()


def search(journey, page, words: str) -> list[str]:
    """Search the catalogue from the search page's own form; return the result titles."""
    page.goto("/catalogue/")
    journey.check(page)
    page.get_by_label("Search pre-approved offers").fill(words)
    press(page, "Search")
    journey.check(page, page.locator("#results-heading").inner_text())
    return page.locator(".ndx-result h3").all_inner_texts()


def sign_up_as_supplier(journey, page) -> None:
    page.goto("/")
    journey.check(page)
    go(page, "Create an account")
    journey.check(page)
    page.get_by_label("Email").fill(OWNER_EMAIL)
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Sell technology to the public sector").check()
    page.get_by_label("Organisation name").fill(ORGANISATION)
    page.locator("#id_password1").fill("Copper-Kettle-Meadow-7")
    page.locator("#id_password2").fill("Copper-Kettle-Meadow-7")
    press(page, "Create an account")
    assert "Check your email to confirm your address" in page.content()
    journey.check(page)

    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body)
    page.goto(link.group(1))
    journey.check(page)
    press(page, "Confirm email address")
    # Confirming signs the new supplier in.
    go(page, "Supplier dashboard", exact=True)
    assert page.get_by_role("heading", name="Supplier dashboard").is_visible()
    assert ORGANISATION in page.content()
    journey.check(page)


def complete_profile(journey, page) -> None:
    go(page, "Complete your profile")
    journey.check(page)
    page.get_by_label("Legal name").fill("Tenancy Works Limited")
    page.get_by_label("Companies House number").fill("09876543")
    page.get_by_label("Address line 1", exact=True).fill("1 Park Row")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Postcode").fill("LS1 5AB")
    page.get_by_label("Region of your registered address").select_option(
        label="Yorkshire and The Humber"
    )
    page.get_by_label("10 to 49").check()
    page.get_by_role("group", name="What is your annual turnover?").get_by_label(
        "More than £2 million, up to £10 million"
    ).check()
    page.get_by_role("group", name="What is your balance sheet total?").get_by_label(
        "£2 million or less"
    ).check()
    page.get_by_label("About your organisation (optional)").fill(
        "Housing management software for councils and housing associations."
    )
    page.get_by_label("Contact name").fill("Priya Shah")
    page.get_by_label("Contact email address").fill("sales@tenancyworks.co.uk")
    press(page, "Save profile")
    assert "Profile saved. Your organisation's size is small" in banner(page)
    assert page.locator(".govuk-error-summary").count() == 0
    journey.check(page, "saved")
    go(page, "Back to supplier dashboard")
    assert "Complete your profile" not in page.content()
    assert "Change your profile" in page.content()
    journey.check(page, "profile complete")


def apply_to_lot(journey, page, lot) -> None:
    go(page, "Frameworks you can apply to")
    journey.check(page)
    assert MARKET in page.content()
    go(page, f"Apply to {LOT}, {MARKET}", exact=True)
    journey.check(page)
    page.get_by_role("group", name=QUESTION).get_by_label("Yes", exact=True).check()
    press(page, "Send application")
    assert f"Application sent for {MARKET}, {LOT}" in banner(page)
    assert "Waiting for review" in application_row(page)
    journey.check(page, "applied")
    assert LotApplication.objects.get(lot=lot).status == LotApplication.Status.SUBMITTED


def staff_approve_application(journey, page) -> None:
    page.goto("/staff/")
    journey.check(page)
    go(page, "Lot applications")
    journey.check(page)
    go(page, f"Review application from {ORGANISATION} for {LOT}", exact=True)
    journey.check(page)
    assert page.get_by_role("heading", name=f"Application from {ORGANISATION}").is_visible()
    answers = page.locator("dl", has_text=QUESTION)
    assert "Yes" in answers.inner_text()
    assert "Tenancy Works Limited" in page.content()  # the profile is shown to staff
    press(page, "Approve application")
    assert f"{ORGANISATION} approved for {LOT}" in banner(page)
    assert "Approved" in page.get_by_role("row", name=re.compile(ORGANISATION)).inner_text()
    journey.check(page, "approved")


def list_offer(journey, page) -> Offer:
    page.goto("/suppliers/")
    assert "Approved" in application_row(page)
    assert "Active" in standing_row(page)
    sent = [m for m in mail.outbox if m.subject == f"Approved: {MARKET}, Housing software"]
    assert len(sent) == 1
    assert sent[0].to == [OWNER_EMAIL]
    assert f"has been approved for {MARKET} (RM9001), {LOT}" in sent[0].body
    journey.check(page, "approved")

    go(page, f"List an offer in {LOT}, {MARKET}", exact=True)
    journey.check(page)
    assert page.get_by_role("heading", name="Create an offer").is_visible()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Summary", exact=True).fill("Rent, arrears and tenancy records in one place.")
    page.get_by_label("Description", exact=True).fill(
        "Manage tenancies from sign-up to move-out.\n\nTrack rent and arrears for every home."
    )
    page.get_by_label("Features", exact=True).fill("Rent accounts\nArrears workflow")
    page.get_by_label("Benefits", exact=True).fill("Fewer missed payments")
    page.get_by_label("Housing", exact=True).check()
    page.get_by_label("CPV codes").fill("72000000")
    page.get_by_label("per user per month").check()
    page.get_by_label("National price").fill("12.50")
    page.get_by_label("List price").fill("15.00")
    page.get_by_label("excluding VAT").check()
    page.get_by_label("Minimum term").fill("12")
    page.get_by_label("Service levels").fill("99.9% availability, support 8am to 6pm.")
    page.get_by_label("Cyber Essentials", exact=True).check()
    page.get_by_label("UK only").check()
    page.get_by_label("Fully conforms to WCAG 2.2 AA").check()
    press(page, "Save as draft")
    assert "Offer saved as a draft" in banner(page)
    assert page.get_by_role("heading", name=TITLE, level=1).is_visible()
    journey.check(page)
    offer = Offer.objects.get(working_revision__title=TITLE)
    assert offer.status == Offer.Status.DRAFT

    press(page, "Submit for approval")
    assert "Version 1 submitted" in banner(page)
    assert "waiting for approval by the NDX team" in page.content()
    journey.check(page, "submitted")
    return offer


def staff_publish(journey, page, title: str, version: int) -> None:
    page.goto("/staff/")
    go(page, "Offers waiting for review")
    journey.check(page)
    go(page, f"{title} (review version {version})", exact=True)
    journey.check(page)
    press(page, "Approve and publish")
    assert f"{title} (version {version}) approved and published" in banner(page)
    assert "There are no offers waiting for review" in page.content()
    journey.check(page, "empty")


def buyer_sees(journey, page, offer, title: str, price: str) -> None:
    response = page.goto(f"/catalogue/offers/{offer.pk}/")
    assert response.status == 200
    assert page.get_by_role("heading", name=title, level=1).is_visible()
    assert price in page.content()
    assert "Buyers cannot see" not in page.content()
    journey.check(page, title)


def buyer_finds_and_opens(journey, page, offer, word: str, title: str, price: str) -> None:
    assert title in search(journey, page, word)
    go(page, title, exact=True)
    assert page.url.endswith(f"/catalogue/offers/{offer.pk}/")
    buyer_sees(journey, page, offer, title, price)


def supplier_changes_offer(journey, page, offer) -> None:
    page.goto("/suppliers/")
    go(page, "Your offers")
    journey.check(page)
    go(page, TITLE, exact=True)
    assert "Buyers can see version 1" in page.content()
    press(page, "Edit offer")  # a link styled, and announced, as a button
    journey.check(page)
    assert page.get_by_label("Title", exact=True).input_value() == TITLE
    page.get_by_label("Title", exact=True).fill(NEW_TITLE)
    page.get_by_label("National price").fill("10.00")
    page.get_by_label("Repairs", exact=True).check()
    press(page, "Save changes")
    assert "The published version stays live until these are approved" in banner(page)
    press(page, "Submit for approval")
    assert "Version 2 submitted" in banner(page)
    assert "Buyers keep seeing version 1 until then" in page.content()
    journey.check(page, "change submitted")


def staff_review_shows_the_change(journey, page) -> None:
    page.goto("/staff/offers/")
    row = page.locator("tr", has_text=NEW_TITLE)
    assert "Change" in row.inner_text()
    go(page, f"{NEW_TITLE} (review version 2)", exact=True)
    journey.check(page)
    assert "change to a published offer" in page.content()
    assert "(buyers now see version 1)" in page.content()
    diff = page.get_by_role("table", name="What changed since version 1")
    cells = diff.get_by_role("row", name=re.compile(r"^Title")).get_by_role("cell")
    assert cells.all_inner_texts() == [TITLE, NEW_TITLE]
    price_row = diff.get_by_role("row", name=re.compile(r"^National price")).inner_text()
    assert "£12.50" in price_row and "£10.00" in price_row
    assert "Repairs" in diff.get_by_role("row", name=re.compile(r"^Categories")).inner_text()
    assert "Summary" not in diff.inner_text()  # only what changed is listed
    press(page, "Approve and publish")
    assert f"{NEW_TITLE} (version 2) approved and published" in banner(page)


def set_standing(journey, page, action: str, reason: str = "") -> None:
    page.goto("/staff/")
    go(page, "Suppliers on frameworks")
    journey.check(page)
    go(page, f"{MARKET} (RM9001)", exact=True)
    journey.check(page)
    go(page, f"Manage {ORGANISATION}'s standing", exact=True)
    journey.check(page)
    page.get_by_label(action).check()
    if reason:
        page.get_by_label("Reason").fill(reason)
    press(page, "Save standing")


def buyer_cannot_see(journey, page, offer, word: str) -> None:
    response = page.goto(f"/catalogue/offers/{offer.pk}/")
    assert response.status == 404
    assert NEW_TITLE not in page.content()
    journey.check(page, "404")
    assert NEW_TITLE not in search(journey, page, word)


def test_supplier_joins_lists_changes_and_is_suspended(journey, market):
    supplier = journey.open("supplier")

    # 1. Sign up, verify the email, complete the profile, apply to the market's lot.
    sign_up_as_supplier(journey, supplier)
    complete_profile(journey, supplier)
    apply_to_lot(journey, supplier, market)

    # 2. Staff approve the application.
    staff_user = StaffFactory(full_name="Sam Staff")
    TOTP.activate(staff_user, SECRET)
    staff = journey.open("staff", staff_user)
    staff_approve_application(journey, staff)
    membership = FrameworkMembership.objects.get(framework=market.framework)
    assert membership.status == FrameworkMembership.Status.ACTIVE

    # 3. The supplier sees the approval (and got an email), lists an offer and submits it.
    offer = list_offer(journey, supplier)

    # Nobody but the supplier and staff can see it yet.
    buyer_user = member(BuyerOrganisationFactory(name="Leeds City Council"))
    buyer = journey.open("buyer", buyer_user)
    assert buyer.goto(f"/catalogue/offers/{offer.pk}/").status == 404
    journey.check(buyer, "404")
    assert TITLE not in search(journey, buyer, "tenancy")

    # 4. Staff publish it.
    staff_publish(journey, staff, TITLE, 1)

    # 5. A buyer finds it in search and opens it; so can an anonymous visitor.
    buyer_finds_and_opens(journey, buyer, offer, "tenancy", TITLE, "£12.50")
    visitor = journey.open("visitor")
    buyer_sees(journey, visitor, offer, TITLE, "£12.50")

    # 6. The supplier changes the published offer; buyers see the old version until approval.
    supplier_changes_offer(journey, supplier, offer)
    buyer_sees(journey, buyer, offer, TITLE, "£12.50")
    assert NEW_TITLE not in buyer.content() and "£10.00" not in buyer.content()
    staff_review_shows_the_change(journey, staff)
    buyer_finds_and_opens(journey, buyer, offer, "repairs", NEW_TITLE, "£10.00")
    assert TITLE not in buyer.content()

    # 7. Staff suspend the supplier on the market: its offer disappears for buyers.
    set_standing(
        journey, staff, "Suspend: hide their offers until reinstated", "Unpaid management levy"
    )
    assert f"{ORGANISATION} is now suspended on {MARKET}" in banner(staff)
    offer_row = staff.locator("tr", has_text=NEW_TITLE).inner_text()
    assert offer_row.rstrip().endswith("No")  # "Buyers can see it"
    journey.check(staff, "suspended")
    buyer_cannot_see(journey, buyer, offer, "repairs")
    assert visitor.goto(f"/catalogue/offers/{offer.pk}/").status == 404

    # The supplier still sees its offer and is told why buyers cannot.
    supplier.goto("/suppliers/")
    assert re.search(r"Suspended\s+Unpaid management levy", standing_row(supplier))
    assert "You can list offers once you are approved" in supplier.content()
    journey.check(supplier, "suspended")
    supplier.goto(f"/catalogue/offers/{offer.pk}/")
    assert "the supplier is not active on it" in supplier.content()
    journey.check(supplier, "suspended")

    # Staff reinstate the supplier: the offer is back.
    set_standing(journey, staff, "Reinstate: show their offers again")
    assert f"{ORGANISATION} is now active on {MARKET}" in banner(staff)
    buyer_finds_and_opens(journey, buyer, offer, "repairs", NEW_TITLE, "£10.00")
    membership.refresh_from_db()
    assert membership.status == FrameworkMembership.Status.ACTIVE
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PUBLISHED
    assert offer.published_revision.number == 2
