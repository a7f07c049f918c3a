"""Contract management in Chromium: the buyer sets KPIs, files a performance report and proposes
a change (both forms also with JavaScript off), the supplier responds and accepts, staff see
the register. axe finds no violations on any contract page."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from contracts.dates import add_months
from contracts.models import Contract, ContractVariation, PerformanceReport
from tests.accounts.factories import StaffFactory
from tests.contracts.helpers import World

from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def started(world) -> Contract:
    contract = world.award(start_in=0)
    start = add_months(timezone.localdate(), -7)
    Contract.objects.filter(pk=contract.pk).update(
        start_date=start, end_date=add_months(start, 24), original_end_date=add_months(start, 24)
    )
    contract.refresh_from_db()
    return contract


def submit(page, name: str) -> None:
    click_and_wait(page, page.get_by_role("button", name=name, exact=True))


def file_report(page, contract) -> None:
    for kpi in contract.kpi_set.all():
        page.get_by_label(f"{kpi.name}: value achieved").fill("99.5%")
        page.locator(f"input[name='kpi_{kpi.pk}_rating'][value='good']").check()
    page.locator("input[name='overall_rating'][value='approaching']").check()
    page.get_by_label("Comments (optional)").fill("Fine overall.")
    submit(page, "File the report")


def test_buyer_supplier_and_staff_journeys(page, live_server, browser):
    world = World()
    contract = started(world)
    sign_in(page, live_server, world.buyer)

    page.goto(f"/buying/contracts/{contract.pk}/")
    assert "No KPIs are tracked yet" in page.content()
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("link", name="Set at least 3 KPIs"))
    assert_no_axe_violations(page)
    page.get_by_label("KPI 1: name").fill("Availability")
    submit(page, "Save the KPIs")
    assert "Set at least 3 KPIs (you have 1)" in page.locator(".govuk-error-summary").inner_text()
    assert_no_axe_violations(page)
    for i, (name, target) in enumerate(
        [("Availability", "99.9%"), ("Incidents fixed", "95%"), ("Satisfaction", "80%")], start=1
    ):
        page.get_by_label(f"KPI {i}: name").fill(name)
        page.get_by_label(f"KPI {i}: how it is measured").fill("Each month")
        page.get_by_label(f"KPI {i}: target").fill(target)
    submit(page, "Save the KPIs")
    assert contract.kpi_set.count() == 3

    click_and_wait(page, page.get_by_role("link", name="File the performance report for"))
    assert_no_axe_violations(page)
    submit(page, "File the report")  # nothing filled in
    assert "Choose a rating" in page.locator(".govuk-error-summary").inner_text()
    assert_no_axe_violations(page)
    file_report(page, contract)
    assert PerformanceReport.objects.count() == 1
    assert "Availability: rating by period" in page.content()  # the chart's title
    assert_no_axe_violations(page)

    click_and_wait(page, page.get_by_role("link", name="Propose a change (variation)"))
    assert_no_axe_violations(page)
    page.get_by_label("Below-threshold modification").check()
    page.get_by_label("New quantity (optional)").fill(str(contract.quantity * 2))
    page.get_by_label("Reason for the change").fill("Twice the users")
    submit(page, "Propose the change")
    assert "at most 10% of the award value" in page.locator(".govuk-error-summary").inner_text()
    assert_no_axe_violations(page)

    click_and_wait(page, page.get_by_role("link", name="Back to the contract"))
    click_and_wait(page, page.get_by_role("link", name="Terminate the contract early"))
    assert_no_axe_violations(page)
    page.goto(f"/buying/contracts/{contract.pk}/benefits/")
    assert_no_axe_violations(page)
    page.goto(f"/buying/suppliers/{contract.supplier_id}/relationship/")
    assert_no_axe_violations(page)
    page.goto("/buying/contracts/")
    assert "Things to do" in page.content()
    assert_no_axe_violations(page)

    # JavaScript off: the report and variation forms work as plain HTML forms.
    plain = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    nojs = plain.new_page()
    sign_in(nojs, live_server, world.buyer)
    nojs.goto(f"/buying/contracts/{contract.pk}/reports/new/")
    file_report(nojs, contract)
    assert PerformanceReport.objects.count() == 2
    nojs.goto(f"/buying/contracts/{contract.pk}/changes/new/")
    nojs.get_by_label("Below-threshold modification").check()
    nojs.get_by_label("New quantity (optional)").fill(str(contract.quantity + 10))
    nojs.get_by_label("Reason for the change").fill("Ten more users")
    submit(nojs, "Propose the change")
    assert "Change proposed" in nojs.content()
    plain.close()
    change = ContractVariation.objects.get()

    # The supplier responds to a report and accepts the change.
    page.context.clear_cookies()
    sign_in(page, live_server, world.supplier)
    page.goto(f"/suppliers/contracts/{contract.pk}/")
    assert_no_axe_violations(page)
    report = PerformanceReport.objects.first()
    page.goto(f"/suppliers/contracts/{contract.pk}/reports/{report.pk}/")
    assert_no_axe_violations(page)
    page.get_by_label("Your response").fill("Thank you; we are fixing the incident backlog.")
    submit(page, "Send your response")
    report.refresh_from_db()
    assert report.responded_at is not None
    page.goto(f"/suppliers/contracts/{contract.pk}/changes/{change.pk}/")
    assert_no_axe_violations(page)
    page.get_by_label("Accept the change").check()
    submit(page, "Send your answer")
    contract.refresh_from_db()
    assert contract.versions.count() == 2 and contract.value > contract.value_at_award
    page.goto("/suppliers/performance/")
    assert_no_axe_violations(page)

    # Staff: the register, flagged first, with filters.
    page.context.clear_cookies()
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")
    sign_in(page, live_server, staff)
    page.goto("/staff/contracts/?status=active")
    assert contract.reference in page.content()
    assert_no_axe_violations(page)
    page.goto(f"/staff/frameworks/{world.lot.framework_id}/")
    assert "Awarded so far (variations included)" in page.content()
    assert_no_axe_violations(page)
