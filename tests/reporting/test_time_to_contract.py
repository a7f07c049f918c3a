"""Time to contract on /reports/: median and 90th percentile by route, lot and month, with a
chart, its table and a CSV."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from contracts.models import Contract
from reporting.time_to_contract import percentile, time_csv_rows, time_rows
from tests.catalogue.factories import LotFactory

from .factories import make_contract

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]
LONDON = ZoneInfo("Europe/London")


def _contracts():
    software = LotFactory(name="Cloud software")
    hosting = LotFactory(name="Cloud hosting")
    march = datetime(2026, 3, 10, 12, tzinfo=LONDON)
    april = datetime(2026, 4, 10, 12, tzinfo=LONDON)
    for days, lot, when, route in [
        (2, software, march, Contract.Route.DIRECT_AWARD),
        (4, software, march, Contract.Route.DIRECT_AWARD),
        (6, software, april, Contract.Route.DIRECT_AWARD),
        (30, hosting, april, Contract.Route.FURTHER_COMPETITION),
        (50, hosting, april, Contract.Route.FURTHER_COMPETITION),
    ]:
        make_contract(lot=lot, awarded_at=when, route=route, time_to_award=timedelta(days=days))
    make_contract(lot=software, awarded_at=april)  # no recorded time: left out


def test_percentiles_interpolate():
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10], 0.9) == 10
    assert percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)


def test_median_and_p90_by_route_lot_and_month():
    _contracts()
    by_route = {row.group: row for row in time_rows("route")}
    assert by_route["Direct award"].contracts == 3
    assert str(by_route["Direct award"].median_days) == "4.0"
    assert str(by_route["Direct award"].p90_days) == "5.6"
    assert str(by_route["Further competition"].median_days) == "40.0"
    by_lot = {row.group: row for row in time_rows("lot")}
    assert by_lot["Cloud hosting"].contracts == 2
    months = time_rows("month")
    assert [(r.group, r.label, r.contracts) for r in months] == [
        ("2026-03", "Mar 2026", 2),
        ("2026-04", "Apr 2026", 3),
    ]
    assert time_csv_rows("month") == [
        ["group", "contracts", "median_days", "p90_days"],
        ["2026-03", "2", "3.0", "3.8"],
        ["2026-04", "3", "30.0", "46.0"],
    ]


def test_reports_page_shows_chart_table_and_csv(client):
    _contracts()
    page = client.get(reverse("reporting:dashboard")).content.decode()
    assert "Time to contract" in page
    assert "Half of the 5 contracts were signed within 6 days" in page
    assert 'id="time-to-contract-chart-title"' in page
    assert "Time to contract by route to market" in page
    response = client.get(reverse("reporting:time_csv") + "?by=lot")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0] == "group,contracts,median_days,p90_days"
    assert client.get(reverse("reporting:time_csv") + "?by=nonsense").status_code == 404


def test_nothing_to_report(client):
    page = client.get(reverse("reporting:dashboard")).content.decode()
    assert "no contract has a recorded time from need to award" in page


def test_the_buyer_sees_how_long_its_contract_took():
    from tests.accounts.factories import member
    from tests.auth import Client

    _contracts()
    contract = make_contract(time_to_award=timedelta(days=3, hours=5))
    client = Client()
    client.force_login(member(contract.organisation))
    page = client.get(reverse("contracts:contract", args=[contract.pk])).content.decode()
    assert "This contract took 3 days from your shortlist to award." in page
    assert "The national median for a direct award is 3 days." in page
