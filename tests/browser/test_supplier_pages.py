"""axe finds no violations on the supplier pages and the staff pages for applications and standing."""

import os

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from catalogue.models import Framework
from suppliers.models import FrameworkMembership, LotApplication

from ..accounts.factories import StaffFactory, SupplierOrganisationFactory, member
from ..catalogue.factories import (
    DeclarationQuestionFactory,
    DynamicMarketFactory,
    FrameworkFactory,
    LotFactory,
    make_offer,
)
from ..suppliers.factories import LotApplicationFactory, SupplierProfileFactory, approved_supplier
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


@pytest.fixture
def world():
    """An open framework with questions, a dynamic market, and a supplier with some history."""
    framework = FrameworkFactory(
        name="Cloud Compute", reference="RM7001", status=Framework.Status.OPEN, approved_at=None
    )
    DeclarationQuestionFactory(framework=framework, hint="You can read them on our website.")
    DeclarationQuestionFactory(
        framework=framework, kind="text", text="How do you support your users?", order=2
    )
    hosting = LotFactory(framework=framework, name="Hosting", description="Cloud hosting.")
    storage = LotFactory(framework=framework, name="Storage", direct_award_allowed=False)
    market = DynamicMarketFactory(name="Digital Outcomes Market")
    market_lot = LotFactory(framework=market, name="Agile delivery")
    profile = SupplierProfileFactory(
        legal_name="Bright Idea Limited", is_vcse=True, description="Case management software."
    )
    organisation = profile.organisation
    admin = member(organisation, role="admin", full_name="Rosa Diaz")
    LotApplicationFactory(supplier=organisation, lot=storage)
    LotApplicationFactory(
        supplier=organisation,
        lot=hosting,
        status="rejected",
        reason="Your hosting is outside the UK.",
    )
    approved_supplier(market_lot, organisation=organisation)
    make_offer(organisation, market_lot, title="Discovery in a box")
    suspended_lot = LotFactory(framework=FrameworkFactory(name="Legacy Deals"), name="Printers")
    approved_supplier(suspended_lot, organisation=organisation)
    FrameworkMembership.objects.filter(framework=suspended_lot.framework).update(
        status="suspended", reason="Unpaid management levy"
    )
    return {
        "admin": admin,
        "organisation": organisation,
        "hosting": hosting,
        "storage": storage,
        "market": market,
    }


@pytest.fixture
def staff():
    user = StaffFactory()
    TOTP.activate(user, "JBSWY3DPEHPK3PXPTESTSECR")
    return user


def test_supplier_pages_have_no_axe_violations(page, live_server, world):
    sign_in(page, live_server, world["admin"])
    organisation = world["organisation"]
    for name, url in [
        ("dashboard", "/suppliers/"),
        ("profile_form", "/suppliers/profile/"),
        ("frameworks", "/suppliers/frameworks/"),
        ("apply", f"/suppliers/frameworks/lots/{world['hosting'].pk}/apply/"),
        ("public_profile", f"/suppliers/{organisation.pk}/"),
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        check(page, name)

    # Errors on the forms are accessible too.
    page.goto("/suppliers/profile/")
    page.get_by_label("Legal name").fill("")
    page.get_by_label("Contact email address").fill("not-an-email")
    click_and_wait(page, page.get_by_role("button", name="Save profile"))
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "profile_errors")
    page.goto(f"/suppliers/frameworks/lots/{world['hosting'].pk}/apply/")
    click_and_wait(page, page.get_by_role("button", name="Send application"))
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "apply_errors")


def test_member_and_incomplete_profile_pages_have_no_axe_violations(page, live_server, world):
    colleague = member(world["organisation"], role="member")
    sign_in(page, live_server, colleague)
    for url in ["/suppliers/", "/suppliers/profile/", "/suppliers/frameworks/"]:
        page.goto(url)
        check(page, "member" + url.replace("/", "_"))
    newcomer = member(SupplierOrganisationFactory(name="New Co"), role="admin")
    page.context.clear_cookies()
    sign_in(page, live_server, newcomer)
    for url in [
        "/suppliers/",
        "/suppliers/profile/",
        f"/suppliers/frameworks/lots/{world['hosting'].pk}/apply/",
    ]:
        page.goto(url)
        check(page, "newcomer" + url.replace("/", "_"))


def test_staff_pages_have_no_axe_violations(page, live_server, world, staff):
    sign_in(page, live_server, staff)
    pending = LotApplication.objects.get(lot=world["storage"])
    rejected = LotApplication.objects.get(lot=world["hosting"])
    membership = FrameworkMembership.objects.get(framework=world["market"])
    suspended = FrameworkMembership.objects.get(status="suspended")
    for name, url in [
        ("staff_home", "/staff/"),
        ("staff_applications", "/staff/applications/"),
        ("staff_applications_filtered", "/staff/applications/?status=rejected"),
        ("staff_application", f"/staff/applications/{pending.pk}/"),
        ("staff_application_decided", f"/staff/applications/{rejected.pk}/"),
        ("staff_supplier_frameworks", "/staff/suppliers/"),
        ("staff_framework_suppliers", f"/staff/frameworks/{world['market'].pk}/suppliers/"),
        ("staff_membership", f"/staff/memberships/{membership.pk}/"),
        ("staff_membership_suspended", f"/staff/memberships/{suspended.pk}/"),
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        check(page, name)

    page.goto(f"/staff/applications/{pending.pk}/")
    click_and_wait(page, page.get_by_role("button", name="Reject application"))
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "staff_reject_errors")

    page.goto(f"/staff/memberships/{membership.pk}/")
    page.get_by_label("Remove from the framework").check()
    page.get_by_label("Reason").fill("Fraud")
    click_and_wait(page, page.get_by_role("button", name="Save standing"))
    assert "is now removed" in page.content()
    check(page, "staff_membership_removed")


def test_supplier_applies_and_staff_approve(page, live_server, staff):
    lot = LotFactory(framework=DynamicMarketFactory(name="Open Market"), name="Agile delivery")
    DeclarationQuestionFactory(framework=lot.framework)
    admin = member(SupplierOrganisationFactory(name="Fresh Ltd"), role="admin")
    sign_in(page, live_server, admin)
    page.goto("/suppliers/")
    click_and_wait(page, page.get_by_role("link", name="Complete your profile"))
    page.get_by_label("Companies House number").fill("12345678")
    page.get_by_label("Postcode").fill("LS1 4AP")
    page.get_by_label("Region of your registered address").select_option("yorkshire")
    page.get_by_label("Fewer than 10").check()
    page.locator("#id_turnover_band").check()
    page.get_by_label("Contact email address").fill("hello@fresh.example.com")
    click_and_wait(page, page.get_by_role("button", name="Save profile"))
    assert "size is micro; SME status: sme" in page.content()

    page.goto("/suppliers/frameworks/")
    click_and_wait(page, page.get_by_role("link", name="Apply to Lot"))
    page.get_by_label("Yes").check()
    click_and_wait(page, page.get_by_role("button", name="Send application"))
    assert "Application sent" in page.content()
    check(page, "dashboard_after_applying")

    page.context.clear_cookies()
    sign_in(page, live_server, staff)
    page.goto("/staff/applications/")
    click_and_wait(page, page.get_by_role("link", name="Review"))
    click_and_wait(page, page.get_by_role("button", name="Approve application"))
    assert "Fresh Ltd approved" in page.content()
    assert FrameworkMembership.objects.get(supplier=admin.organisation).status == "active"
