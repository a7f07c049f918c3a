"""Before the procurement, in Chromium: a supplier joins the directory and agrees to be
contacted; another agreed and then withdrew from the link in an email, without signing in; a
buyer publishes a pre-market engagement; the consenting member gets the alert email (with the
matcher's reason), responds; the buyer closes it, marks the response useful and turns it into
a requirement. The member who withdrew gets nothing. axe checks every market page on the way."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from market.models import DirectoryMember, Engagement
from market.services import directory

from ..accounts.factories import BuyerOrganisationFactory, SupplierOrganisationFactory, member
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("NDX_SCREENSHOTS")


def check(page, name):
    assert_no_axe_violations(page)
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"market-{name}.png"), full_page=True)


def switch_to(page, live_server, user):
    page.context.clear_cookies()
    if user is not None:
        sign_in(page, live_server, user)


@pytest.fixture
def people():
    buyer = member(BuyerOrganisationFactory(name="Leeds City Council"), role="admin")
    keen = member(SupplierOrganisationFactory(name="Casework Co-operative"), role="admin")
    gone = member(SupplierOrganisationFactory(name="Gone Quiet Ltd"), role="admin")
    withdrawn = directory.directory_join(
        actor=gone,
        data={
            "description": "Case management software for housing and homelessness teams.",
            "cpv_divisions": ["72"],
            "regions": ["yorkshire"],
            "size": "small",
            "consent_contact": True,
            "frequency": "immediate",
        },
    )
    return {"buyer": buyer, "keen": keen, "gone": gone, "withdrawn": withdrawn}


def test_engagement_alert_response_and_requirement(page, live_server, people):
    buyer, keen, gone = people["buyer"], people["keen"], people["gone"]

    # A member who agreed earlier withdraws from the link in an email, without signing in.
    token = directory.withdraw_token(people["withdrawn"])
    page.goto(f"/directory/withdraw/{token}/")
    check(page, "withdraw")
    click_and_wait(page, page.get_by_role("button", name="Withdraw consent"))
    assert "Consent withdrawn" in page.content()
    check(page, "withdrawn")
    page.goto("/directory/withdraw/not-a-real-token/")
    assert "This link does not work" in page.content()
    check(page, "withdraw-refused")

    # A supplier (on no framework) joins the directory and agrees to be contacted at once.
    switch_to(page, live_server, keen)
    page.goto("/suppliers/")
    check(page, "dashboard-before")
    page.goto("/directory/join/")
    check(page, "join")
    click_and_wait(page, page.get_by_role("button", name="Save directory entry"))
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "join-errors")
    page.get_by_label("What your organisation does").fill(
        "We build case management software for council housing and homelessness teams."
    )
    page.get_by_label("72 IT services", exact=False).first.check()
    page.get_by_label("Yorkshire and The Humber").first.check()
    page.get_by_label("Small", exact=True).check()
    page.get_by_label(re.compile("I agree that the National Digital Exchange may email me")).check()
    page.get_by_label("As soon as there is a match").check()
    click_and_wait(page, page.get_by_role("button", name="Save directory entry"))
    assert "We will email you about matching opportunities" in page.content()
    check(page, "alerts-empty")
    consent = DirectoryMember.objects.get(organisation__name="Casework Co-operative")
    assert consent.consents and consent.consent_records.get().wording.startswith("I agree")

    # The buyer publishes a problem statement.
    switch_to(page, live_server, buyer)
    page.goto("/engagements/")
    check(page, "engagements")
    click_and_wait(page, page.get_by_role("link", name="Publish an engagement"))
    check(page, "engagement-form")
    page.get_by_label("Short name").fill("Helping homeless families find housing faster")
    page.get_by_label("The problem", exact=True).fill(
        "Our homelessness caseworkers track cases in spreadsheets and lose track of families."
    )
    page.get_by_label("The outcomes you want").fill("Every case and next step in one place.")
    closes = timezone.localdate() + timedelta(days=14)
    page.get_by_label("Day").fill(str(closes.day))
    page.get_by_label("Month").fill(str(closes.month))
    page.get_by_label("Year").fill(str(closes.year))
    page.get_by_label("Sector (CPV division)").select_option("72")
    page.get_by_label("Region (optional)").select_option("yorkshire")
    click_and_wait(page, page.get_by_role("button", name="Publish engagement"))
    assert "Suppliers who match will be told" in page.content()
    check(page, "engagement")
    engagement = Engagement.objects.get()

    # The consenting member got the alert by email, with the reason; the one who withdrew not.
    to_keen = [m for m in mail.outbox if m.to == [keen.email]]
    assert len(to_keen) == 1
    assert "Helping homeless families" in to_keen[0].subject
    assert "Why you:" in to_keen[0].body and "/directory/withdraw/" in to_keen[0].body
    assert not [m for m in mail.outbox if gone.email in m.to]

    # The member responds, from the dashboard's alert.
    switch_to(page, live_server, keen)
    page.goto("/suppliers/")
    assert "Why you:" in page.content()
    check(page, "dashboard-alert")
    click_and_wait(
        page, page.get_by_role("link", name="Helping homeless families find housing faster").first
    )
    click_and_wait(page, page.get_by_role("link", name="Respond with an idea"))
    check(page, "respond")
    page.get_by_label("Your approach").fill("Configure our product; a pilot in six weeks.")
    page.get_by_label("Rough cost (optional)").fill("£40,000 to £60,000")
    page.get_by_role("group", name=re.compile("SME")).get_by_label("Yes").check()
    page.get_by_role("group", name=re.compile("VCSE")).get_by_label("No").check()
    click_and_wait(page, page.get_by_role("button", name="Send response"))
    assert "Sent your response" in page.content()
    page.goto("/market/alerts/")
    check(page, "alerts")

    # The buyer closes it, marks the response useful and turns it into a requirement.
    switch_to(page, live_server, buyer)
    page.goto(f"/engagements/{engagement.pk}/responses/")
    check(page, "manage-open")
    click_and_wait(page, page.get_by_role("button", name="Close the engagement now"))
    click_and_wait(page, page.get_by_role("button", name="Mark as useful"))
    assert "Useful" in page.content()
    check(page, "manage-closed")
    click_and_wait(page, page.get_by_role("button", name="Turn into a requirement"))
    assert "Helping homeless families find housing faster" in page.content()
    engagement.refresh_from_db()
    assert engagement.status == "converted"
    requirement = engagement.requirement
    assert "Casework Co-operative" in requirement.problem
    page.goto(f"/market/requirements/{requirement.pk}/alerts/")
    check(page, "requirement-privacy")

    # The other new pages: forward plans, their form, the directory (consenting members only).
    page.goto("/pipeline/")
    check(page, "pipeline")
    page.goto("/pipeline/new/")
    check(page, "pipeline-form")
    page.goto("/directory/")
    assert "Casework Co-operative" in page.content()
    assert "Gone Quiet Ltd" not in page.content()
    check(page, "directory")
