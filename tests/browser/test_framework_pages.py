"""Staff framework pages in headless Chromium: axe on every page, and the two-person rule."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from catalogue.models import Framework

from ..accounts.factories import StaffFactory
from ..catalogue.factories import DeclarationQuestionFactory, DraftFrameworkFactory, LotFactory
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECRET = "JBSWY3DPEHPK3PXPTESTSECR"


def staff_user(**kwargs):
    staff = StaffFactory(**kwargs)
    TOTP.activate(staff, SECRET)
    return staff


def test_framework_pages_have_no_axe_violations(page, live_server):
    staff = staff_user()
    framework = DraftFrameworkFactory(name="Cloud Compute", reference="RM6111", created_by=staff)
    lot = LotFactory(framework=framework, categories=["Compute", "Storage"])
    DeclarationQuestionFactory(framework=framework, hint="Read the terms first.")
    DraftFrameworkFactory(name="Empty framework", reference="RM6112")
    sign_in(page, live_server, staff)
    base = f"/staff/frameworks/{framework.pk}"
    for url in [
        "/staff/",
        "/staff/frameworks/",
        "/staff/frameworks/new/",
        f"{base}/",
        f"{base}/edit/",
        f"{base}/lots/new/",
        f"{base}/lots/{lot.pk}/edit/",
        f"{base}/questions/",
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert_no_axe_violations(page)

    # Every form's error state, too.
    page.goto("/staff/frameworks/new/")
    page.locator("#id_starts_on").fill("31")
    page.locator("#id_starts_on-month").fill("2")
    page.locator("#id_starts_on-year").fill("2027")
    page.get_by_label("Maximum value (optional)").fill("-5")
    click_and_wait(page, page.get_by_role("button", name="Create draft"))
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Live-from date must be a real date" in summary.inner_text()
    assert_no_axe_violations(page)
    summary.get_by_role("link", name="Enter the framework's name").click()
    assert page.evaluate("document.activeElement.id") == "id_name"
    summary.get_by_role("link", name="Live-from date must be a real date, like 27 3 2027").click()
    assert page.evaluate("document.activeElement.id") == "id_starts_on"
    for url, button in [
        (f"{base}/lots/new/", "Add lot"),
        (f"{base}/questions/", "Add question"),
    ]:
        page.goto(url)
        click_and_wait(page, page.get_by_role("button", name=button))
        assert page.locator(".govuk-error-summary").is_visible(), url
        assert_no_axe_violations(page)


def test_two_members_of_staff_take_a_framework_live(page, live_server):
    creator = staff_user(full_name="Casey Creator")
    approver = staff_user(full_name="Avery Approver")
    sign_in(page, live_server, creator)

    page.goto("/staff/")
    click_and_wait(page, page.get_by_role("link", name="Frameworks and dynamic markets"))
    click_and_wait(page, page.get_by_role("button", name="Create a framework or dynamic market"))
    page.get_by_label("Name", exact=True).fill("Cloud Compute 2")
    page.get_by_label("Reference").fill("rm6200")
    page.get_by_label("Dynamic market (open to new suppliers at any time)").check()
    page.locator("#id_starts_on").fill("1")
    page.locator("#id_starts_on-month").fill("4")
    page.locator("#id_starts_on-year").fill("2026")
    page.locator("#id_ends_on").fill("31")
    page.locator("#id_ends_on-month").fill("3")
    page.locator("#id_ends_on-year").fill("2030")
    page.get_by_label("Maximum value (optional)").fill("1,000,000")
    click_and_wait(page, page.get_by_role("button", name="Create draft"))
    assert "Cloud Compute 2 created" in page.content()
    framework = Framework.objects.get(reference="RM6200")
    assert framework.kind == Framework.Kind.DYNAMIC_MARKET
    assert "£1,000,000.00" in page.content()

    # Opening needs a lot: the error is shown and nothing changes.
    click_and_wait(page, page.get_by_role("button", name="Open for applications"))
    assert "Add at least one lot" in page.locator(".govuk-notification-banner").inner_text()
    assert_no_axe_violations(page)

    click_and_wait(page, page.get_by_role("button", name="Add a lot"))
    page.get_by_label("Name", exact=True).fill("Cloud hosting")
    page.get_by_label("Direct award allowed").check()
    page.get_by_label("Service categories (optional)").fill("Compute\nStorage")
    click_and_wait(page, page.get_by_role("button", name="Add lot"))
    assert "Lot 1: Cloud hosting added" in page.content()

    click_and_wait(page, page.get_by_role("link", name="Add a declaration question"))
    page.get_by_label("Question", exact=True).fill("Do you accept the terms?")
    page.get_by_label("Yes or no").check()
    page.get_by_label("Answer a supplier must give to be eligible").select_option("yes")
    click_and_wait(page, page.get_by_role("button", name="Add question"))
    assert "Declaration question added" in page.content()
    click_and_wait(page, page.get_by_role("link", name="Back", exact=True))

    click_and_wait(page, page.get_by_role("button", name="Open for applications"))
    assert "is open for applications" in page.content()
    click_and_wait(page, page.get_by_role("button", name="Ask for approval to go live"))
    assert "A second member of staff must now approve it" in page.content()
    assert page.get_by_role("button", name="Approve: make live").count() == 0
    assert "because you created it and asked for it to go live" in page.content()
    assert_no_axe_violations(page)

    page.context.clear_cookies()
    sign_in(page, live_server, approver)
    page.goto("/staff/frameworks/")
    assert "Waiting for second approval" in page.content()
    click_and_wait(page, page.get_by_role("link", name="Cloud Compute 2"))
    click_and_wait(page, page.get_by_role("button", name="Approve: make live"))
    assert "Cloud Compute 2 is live" in page.content()
    assert "Avery Approver" in page.content()
    assert_no_axe_violations(page)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.LIVE
    assert (framework.created_by, framework.live_requested_by, framework.approved_by) == (
        creator,
        creator,
        approver,
    )
