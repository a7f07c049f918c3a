"""The report pages (public and staff): read from snapshots, with charts, data tables, text
summaries, the time of calculation and CSV downloads; staff may recalculate on demand."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from reporting.models import ReportSnapshot
from reporting.services import report_snapshot_compute, report_snapshots_refresh, spend_import
from tests.accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from tests.catalogue.factories import LotFactory

from .factories import make_contract
from .helpers import spend_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]

LONDON = ZoneInfo("Europe/London")
SPEND = spend_csv(
    "Software as a Service (SaaS),01/03/2013,600,Central Government,SME,,Small Ltd,Home Office",
    "Software as a Service (SaaS),01/04/2013,400,Central Government,Large,,Big PLC,Home Office",
    "Infrastructure as a Service (IaaS),01/05/2013,1000,Health,Large,,Big PLC,Leeds Trust",
)


@pytest.fixture
def staff():
    user = StaffFactory()
    TOTP.activate(user, "JBSWY3DPEHPK3PXPTESTSECR")
    return user


@pytest.fixture
def computed():
    spend_import(name="spend.csv", content=SPEND)
    make_contract(
        buyer=BuyerOrganisationFactory(name="York Council"),
        lot=LotFactory(name="Cloud software", framework__name="G-Cloud 14"),
        awarded_at=datetime(2025, 5, 1, 10, tzinfo=LONDON),
    )
    report_snapshots_refresh()


def names(response):
    return [t.name for t in response.templates]


def test_before_any_calculation_the_page_says_so(client):
    response = client.get("/reports/")
    assert response.status_code == 200
    assert "reporting/dashboard.html" in names(response)
    assert response.content.decode().count("These figures have not been calculated yet") == 2


def test_an_empty_database_is_reported_as_such(client):
    report_snapshots_refresh()
    content = client.get("/reports/").content.decode()
    assert "There is nothing to report yet" in content
    assert "No contracts have been awarded through NDX yet" in content


def test_the_public_dashboard_shows_charts_tables_summaries_and_time(client, computed):
    snapshot = ReportSnapshot.objects.current("sme_share")
    response = client.get("/reports/")
    content = response.content.decode()
    assert response.status_code == 200
    # The SME chart, its description, its data table and its summary in words.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="ndx-chart" role="img"' in content
    assert 'aria-labelledby="sme-chart-title sme-chart-desc"' in content
    assert "Share of spend with SMEs by financial year, against the 40% target" in content
    assert "SME share by financial year: the figures in the chart" in content
    assert "Overall, £1,600.00 of £3,000.00 (53.3%) went to small and medium-sized" in content
    assert "By financial year, 2 of 3 financial years met the 40% target." in content
    # Whole seconds: HTML's datetime allows at most 3 digits of fractions (issue 15).
    moment = snapshot.computed_at.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M:%S%z")
    assert f'datetime="{moment}"' in content
    # The savings chart and tables.
    assert 'aria-labelledby="savings-chart-title savings-chart-desc"' in content
    assert "Contracts awarded through NDX saved £200.00 against list prices" in content
    assert "Savings by framework" in content
    assert "Savings by buyer organisation" not in content  # staff only
    assert 'href="/reports/sme-share.csv?by=fy"' in content
    assert 'href="/reports/savings.csv?by=fy"' in content
    assert '<option value="buyer"' not in content


def test_the_dashboard_groups_by_lot_and_ignores_unknown_groupings(client, computed):
    content = client.get("/reports/?by=lot").content.decode()
    assert "SME share by lot: the figures in the chart" in content
    assert "Software as a Service (SaaS)" in content
    assert '<option value="lot" selected>' in content
    assert 'href="/reports/sme-share.csv?by=lot"' in content
    content = client.get("/reports/?by=buyer").content.decode()  # staff only: back to default
    assert "SME share by financial year: the figures in the chart" in content


def test_csv_downloads(client, computed):
    response = client.get("/reports/sme-share.csv?by=lot")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="ndx-sme-share-by-lot-')
    assert response.content.decode().splitlines() == [
        "group,total_spend,sme_spend,sme_share,contracts,sme_contracts",
        "Cloud software,1000.00,1000.00,1.0000,1,1",
        "Infrastructure as a Service (IaaS),1000.00,0.00,0.0000,1,0",
        "Software as a Service (SaaS),1000.00,600.00,0.6000,2,1",
    ]
    savings = client.get("/reports/savings.csv?by=framework").content.decode().splitlines()
    assert (
        savings[0] == "group,contracts,priced_contracts,total_value,list_value,saving,saving_share"
    )
    assert savings[1].endswith(",1,1,1000.00,1200.00,200.00,0.1667")
    for url in [
        "/reports/sme-share.csv?by=buyer",  # staff only
        "/reports/savings.csv?by=organisation",  # staff only
        "/reports/sme-share.csv?by=nonsense",
    ]:
        assert client.get(url).status_code == 404, url


def test_csv_before_any_calculation_is_not_found(client):
    assert client.get("/reports/sme-share.csv?by=fy").status_code == 404


def test_staff_pages_need_staff(client, computed):
    for url in ["/staff/reports/", "/staff/reports/sme-share.csv?by=buyer"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        client.force_login(member())
        assert client.get(url).status_code == 403
        client.logout()
    client.force_login(member())
    assert client.post("/staff/reports/recalculate/").status_code == 403
    assert ReportSnapshot.objects.count() == 2


def test_the_staff_dashboard_adds_organisations_history_and_spend_files(client, staff, computed):
    client.force_login(staff)
    response = client.get("/staff/reports/?by=buyer")
    assert response.status_code == 200
    assert "reporting/staff_dashboard.html" in names(response)
    content = response.content.decode()
    assert "SME share by buyer organisation: the figures in the chart" in content
    assert "York Council" in content and "Leeds Trust" in content
    assert "Savings by buyer organisation" in content
    assert "Recent calculations" in content and "Current" in content
    assert "spend.csv" in content  # the spend files loaded
    csv = client.get("/staff/reports/sme-share.csv?by=buyer").content.decode().splitlines()
    assert csv[1:] == [
        "Home Office,1000.00,600.00,0.6000,2,1",
        "Leeds Trust,1000.00,0.00,0.0000,1,0",
        "York Council,1000.00,1000.00,1.0000,1,1",
    ]
    assert client.get("/staff/reports/savings.csv?by=organisation").status_code == 200
    assert 'href="/staff/reports/"' in client.get("/staff/").content.decode()


def test_staff_recalculate_on_demand(client, staff):
    spend_import(name="spend.csv", content=SPEND)
    client.force_login(staff)
    assert client.get("/staff/reports/recalculate/").status_code == 405
    response = client.post("/staff/reports/recalculate/", follow=True)
    assert response.redirect_chain == [("/staff/reports/", 302)]
    assert "Reports recalculated" in response.content.decode()
    current = ReportSnapshot.objects.current("sme_share")
    assert current.trigger == "staff" and current.requested_by == staff
    assert current.spend_rows == 3


def test_a_failed_recalculation_keeps_the_figures_and_says_so(client, staff, monkeypatch):
    from reporting import services

    spend_import(name="spend.csv", content=SPEND)
    good = report_snapshot_compute(kind="sme_share")

    def broken():
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "sme_share_figures", broken)
    client.force_login(staff)
    response = client.post("/staff/reports/recalculate/", follow=True)
    content = response.content.decode()
    assert "Recalculating failed for: SME share" in content
    assert "RuntimeError: disk full" in content  # in the list of recent runs
    assert ReportSnapshot.objects.current("sme_share") == good
    assert "Overall, £600.00 of £2,000.00 (30.0%)" in content
    assert "below the government" in content
