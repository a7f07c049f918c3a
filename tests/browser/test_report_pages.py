"""Report and open data pages in headless Chromium: axe finds nothing, and the charts have data
tables (public and staff dashboards, the open data page)."""

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from reporting.services import report_snapshots_refresh, spend_import

from ..accounts.factories import BuyerOrganisationFactory, StaffFactory
from ..catalogue.factories import LotFactory
from ..reporting.factories import make_contract
from ..reporting.helpers import spend_csv
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")
SAAS = "Software as a Service (SaaS)"
SPEND = spend_csv(
    f"{SAAS},01/03/2013,600,Central Government,SME,,Small Ltd,Home Office",
    f"{SAAS},01/06/2013,400,Central Government,Large,,Big PLC,Home Office",
    "Infrastructure as a Service (IaaS),01/09/2013,1000,Health,Large,,Big PLC,Leeds Trust",
    "Specialist Cloud Services,01/01/2014,2500,Local Government,SME,,Small Ltd,York Council",
    f"{SAAS},01/02/2014,-50,Health,SME,,Small Ltd,Leeds Trust",
)
# Set NDX_SCREENSHOTS=/some/dir to keep a picture of each page.
SCREENSHOTS = os.environ.get("NDX_SCREENSHOTS")


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def reports_data():
    spend_import(name="gcloud-spend.csv", content=SPEND)
    lot = LotFactory(name="Cloud software", framework__name="G-Cloud 14")
    for month, list_price in ((5, "120.00"), (8, "150.00"), (11, None)):
        make_contract(
            buyer=BuyerOrganisationFactory(),
            lot=lot,
            awarded_at=datetime(2025, month, 1, 10, tzinfo=LONDON),
            list_price=list_price,
        )
    report_snapshots_refresh()


def assert_charts_have_tables(page):
    for chart in page.locator("svg.ndx-chart").all():
        assert chart.get_attribute("role") == "img"
    assert page.locator("svg.ndx-chart").count() == page.locator("figure").count()
    assert page.locator("table.govuk-table caption").count() >= page.locator("figure").count()


def test_public_report_pages_have_no_axe_violations(page, live_server):
    page.goto("/reports/")  # nothing calculated yet
    assert "These figures have not been calculated yet" in page.content()
    assert_no_axe_violations(page)
    reports_data()
    page.goto("/reports/")
    assert page.locator("svg.ndx-chart").count() == 2
    assert_charts_have_tables(page)
    assert_no_axe_violations(page)
    shot(page, "reports-fy")
    page.get_by_label("Show the SME figures by").select_option("lot")
    click_and_wait(page, page.get_by_role("button", name="Show figures"))
    assert "SME share by lot: the figures in the chart" in page.content()
    assert_charts_have_tables(page)
    assert_no_axe_violations(page)
    shot(page, "reports-lot")
    for by in ("month", "sector", "quarter"):
        page.goto(f"/reports/?by={by}")
        assert_no_axe_violations(page)
    shot(page, "reports-quarter")
    click_and_wait(page, page.get_by_role("link", name="Open data").first)
    assert page.url.endswith("/open-data/")
    assert "Open Government Licence v3.0" in page.content()
    assert_no_axe_violations(page)
    shot(page, "open-data")


def test_open_data_page_with_nothing_published_has_no_axe_violations(page):
    page.goto("/open-data/")
    assert "nothing to publish yet" in page.content()
    assert_no_axe_violations(page)


def test_staff_report_pages_have_no_axe_violations(page, live_server):
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")
    sign_in(page, live_server, staff)
    page.goto("/staff/reports/")
    assert "The reports have not been calculated yet" in page.content()
    assert_no_axe_violations(page)
    reports_data()
    page.goto("/staff/")
    click_and_wait(page, page.get_by_role("link", name="Reports: SME share and savings"))
    click_and_wait(page, page.get_by_role("button", name="Recalculate now"))
    assert "Reports recalculated" in page.content()
    assert_charts_have_tables(page)
    assert_no_axe_violations(page)
    shot(page, "staff-reports")
    page.goto("/staff/reports/?by=buyer")
    assert "SME share by buyer organisation" in page.content()
    assert_no_axe_violations(page)
    shot(page, "staff-reports-buyer")
