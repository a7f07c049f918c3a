"""Report snapshots: computed by the beat job and on demand, idempotent, and a failed run keeps
the last good snapshot. An empty database is reported as such."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from ndx.audit.models import AuditEntry
from ndx.celery import app as celery_app
from reporting import services
from reporting.figures import SmeShareFigures, fy_label
from reporting.models import ReportSnapshot, SavingsRow, SmeShareRow
from reporting.services import report_snapshot_compute, spend_import
from reporting.tasks import refresh_report_snapshots
from tests.accounts.factories import BuyerOrganisationFactory
from tests.catalogue.factories import LotFactory
from tests.suppliers.factories import SupplierProfileFactory

from .factories import bare_supplier, make_contract
from .helpers import spend_csv

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SPEND = spend_csv(
    "IaaS,01/03/2013,600,Central Government,SME,,Small Ltd,Home Office",
    "IaaS,01/04/2013,400,Central Government,Large,,Big PLC,Home Office",
    "SaaS,01/04/2013,-100,Health,Large,,Big PLC,Leeds Trust",
)


def rows_of(snapshot, dimension="year"):
    return [
        (r.group, r.total_spend, r.sme_spend, r.contracts, r.sme_contracts)
        for r in snapshot.sme_rows.filter(dimension=dimension).order_by("position")
    ]


def test_financial_years_run_april_to_march():
    assert fy_label(datetime(2013, 3, 31).date()) == "2012-13"
    assert fy_label(datetime(2013, 4, 1).date()) == "2013-14"
    assert fy_label(datetime(1999, 12, 1).date()) == "1999-00"


def test_an_empty_database_is_reported_as_such(capsys):
    for fmt in ("table", "csv"):
        call_command("report_sme", "--by", "year", "--format", fmt)
        out = capsys.readouterr().out.strip()
        assert out == (
            "There is nothing to report yet: no spend returns have been loaded and no contracts "
            "have been awarded. Load spend returns with `manage.py import_spend PATH`."
        )
    call_command("report_savings")
    assert capsys.readouterr().out.strip() == (
        "There is nothing to report yet: no contracts have been awarded."
    )
    snapshot = ReportSnapshot.objects.current("sme_share")
    assert snapshot.is_empty and snapshot.sme_rows.count() == 0


def test_the_beat_job_is_scheduled_and_registered():
    schedule = settings.CELERY_BEAT_SCHEDULE["reporting-refresh-snapshots"]
    assert schedule["task"] == "reporting.tasks.refresh_report_snapshots"
    assert schedule["task"] in celery_app.tasks
    assert schedule["schedule"] <= 24 * 3600


def test_the_job_is_idempotent():
    spend_import(name="s.csv", content=SPEND)
    assert refresh_report_snapshots.delay().get() == {
        "sme_share": "succeeded",
        "savings": "succeeded",
    }
    first = ReportSnapshot.objects.current("sme_share")
    refresh_report_snapshots.delay().get()
    second = ReportSnapshot.objects.current("sme_share")
    assert second.pk != first.pk
    assert rows_of(second) == rows_of(first)
    for dimension in SmeShareRow.Dimension.values:
        assert rows_of(second, dimension) == rows_of(first, dimension)
    assert ReportSnapshot.objects.filter(kind="sme_share", is_current=True).count() == 1
    assert ReportSnapshot.objects.filter(kind="savings", is_current=True).count() == 1
    first.refresh_from_db()
    assert not first.is_current and first.status == "succeeded"
    # Scheduled runs are not audited; runs somebody asked for are.
    assert not AuditEntry.objects.filter(action="reporting.snapshot_computed").exists()


def test_figures_of_a_snapshot(capsys):
    spend_import(name="s.csv", content=SPEND)
    snapshot = report_snapshot_compute(kind="sme_share", trigger="command")
    assert rows_of(snapshot, "fy") == [
        ("2012-13", Decimal("600"), Decimal("600"), 1, 1),
        ("2013-14", Decimal("300"), Decimal("0"), 2, 0),
    ]
    assert rows_of(snapshot, "sector") == [
        ("Central Government", Decimal("1000"), Decimal("600"), 2, 1),
        ("Health", Decimal("-100"), Decimal("0"), 1, 0),
    ]
    health = snapshot.sme_rows.get(dimension="sector", group="Health")
    assert health.sme_share is None and health.meets_target is None  # no positive spend
    overall = snapshot.sme_rows.get(dimension="overall")
    assert overall.group == "All"
    assert overall.sme_share == Decimal("0.6667") and overall.meets_target
    assert AuditEntry.objects.filter(action="reporting.snapshot_computed").count() == 1
    call_command("report_sme", "--by", "sector", "--format", "csv")
    assert capsys.readouterr().out == (
        "group,total_spend,sme_spend,sme_share,contracts,sme_contracts\n"
        "Central Government,1000.00,600.00,0.6000,2,1\n"
        "Health,-100.00,0.00,,1,0\n"
    )


def test_a_failed_run_keeps_the_last_good_snapshot(monkeypatch, capsys):
    spend_import(name="s.csv", content=SPEND)
    good = report_snapshot_compute(kind="sme_share", trigger="command")
    good_rows = rows_of(good)

    def broken():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "sme_share_figures", broken)
    with pytest.raises(RuntimeError):
        report_snapshot_compute(kind="sme_share", trigger="command")
    failed = ReportSnapshot.objects.filter(kind="sme_share").latest("id")
    assert failed.status == "failed" and not failed.is_current
    assert failed.error == "RuntimeError: the database went away"
    assert ReportSnapshot.objects.current("sme_share") == good
    assert rows_of(ReportSnapshot.objects.current("sme_share")) == good_rows

    # The command says so, and the snapshot it prints from is still the good one.
    with pytest.raises(CommandError, match="the last good snapshot is kept"):
        call_command("report_sme", "--by", "year")
    call_command("report_sme", "--by", "year", "--format", "csv", "--cached")
    assert capsys.readouterr().out.splitlines()[1:] == [
        "2013,900.00,600.00,0.6667,3,1",
    ]


def test_a_run_failing_part_way_leaves_no_rows_behind(monkeypatch):
    spend_import(name="s.csv", content=SPEND)
    good = report_snapshot_compute(kind="sme_share")

    def half_written():
        row = dict(
            dimension="year",
            total_spend=1,
            sme_spend=1,
            vcse_spend=0,
            contracts=1,
            sme_contracts=1,
            vcse_contracts=0,
        )
        # The same group twice: the second insert breaks the unique constraint.
        rows = [SmeShareRow(position=i, group="2013", **row) for i in range(2)]
        return SmeShareFigures(rows=rows, spend_rows=3, contracts=0)

    monkeypatch.setattr(services, "sme_share_figures", half_written)
    outcomes = refresh_report_snapshots.delay(trigger="schedule").get()
    assert outcomes["sme_share"].startswith("failed: IntegrityError")
    assert outcomes["savings"] == "succeeded"  # one report failing does not stop the other
    failed = ReportSnapshot.objects.filter(kind="sme_share").latest("id")
    assert failed.status == "failed"
    assert failed.sme_rows.count() == 0
    assert ReportSnapshot.objects.current("sme_share") == good


def test_old_runs_are_pruned_but_the_current_one_kept():
    for _ in range(services.SNAPSHOTS_KEPT + 3):
        report_snapshot_compute(kind="savings")
    assert ReportSnapshot.objects.filter(kind="savings").count() == services.SNAPSHOTS_KEPT + 1
    assert ReportSnapshot.objects.filter(kind="savings", is_current=True).count() == 1


def test_cached_needs_a_snapshot():
    with pytest.raises(CommandError, match="has not been computed yet"):
        call_command("report_sme", "--cached")


def test_contracts_count_with_spend_by_their_supplier_and_buyer_type():
    spend_import(name="s.csv", content=SPEND)
    council = BuyerOrganisationFactory(name="York Council", buyer_type="council")
    sme = SupplierProfileFactory(is_sme=True, is_vcse=True).organisation
    large = SupplierProfileFactory(size="large", is_sme=False).organisation
    lot = LotFactory(name="Cloud hosting", framework__name="Cloud Compute 2")
    when = datetime(2013, 5, 2, 10, 0, tzinfo=LONDON)
    make_contract(buyer=council, supplier=sme, lot=lot, awarded_at=when, value="1000")
    make_contract(buyer=council, supplier=large, lot=lot, awarded_at=when, value="3000")
    make_contract(buyer=council, supplier=bare_supplier(), lot=lot, awarded_at=when, value="10")
    snapshot = report_snapshot_compute(kind="sme_share")
    assert snapshot.contracts == 3 and snapshot.spend_rows == 3
    assert rows_of(snapshot, "fy")[1] == ("2013-14", Decimal("4310"), Decimal("1000"), 5, 1)
    local = snapshot.sme_rows.get(dimension="sector", group="Local Government")
    assert (local.contracts, local.sme_contracts, local.vcse_contracts) == (3, 1, 1)
    assert local.vcse_spend == Decimal("1000")
    assert local.sme_contract_share == Decimal("0.3333")
    lots = [r[0] for r in rows_of(snapshot, "lot")]
    assert lots == ["Cloud hosting", "IaaS", "SaaS"]
    frameworks = [r[0] for r in rows_of(snapshot, "framework")]
    assert frameworks == ["Cloud Compute 2", "G-Cloud"]
    buyers = [r[0] for r in rows_of(snapshot, "buyer")]
    assert buyers == ["Home Office", "Leeds Trust", "York Council"]


def test_savings_by_organisation_and_framework(capsys):
    council = BuyerOrganisationFactory(name="York Council")
    trust = BuyerOrganisationFactory(name="Leeds Trust", buyer_type="nhs")
    lot_a = LotFactory(framework__name="Cloud Compute 2")
    lot_b = LotFactory(framework__name="Technology Products 3")
    april = datetime(2025, 4, 10, 9, 0, tzinfo=LONDON)
    make_contract(
        buyer=council,
        lot=lot_a,
        awarded_at=april,
        quantity="10",
        unit_price="100",
        list_price="120",
    )  # saves 200
    make_contract(
        buyer=council, lot=lot_b, awarded_at=april, quantity="3", unit_price="50", list_price="80"
    )  # saves 90
    make_contract(
        buyer=trust,
        lot=lot_a,
        awarded_at=datetime(2025, 3, 1, tzinfo=LONDON),
        quantity="2",
        unit_price="10",
        list_price=None,
    )  # no list price
    snapshot = report_snapshot_compute(kind="savings")

    def group(dimension, name):
        return snapshot.savings_rows.get(dimension=dimension, group=name)

    overall = group("overall", "All")
    assert (overall.contracts, overall.priced_contracts) == (3, 2)
    assert overall.saving == Decimal("290.00")
    assert overall.list_value == Decimal("1440.00")
    assert overall.saving_share == Decimal("0.2014")
    assert group("organisation", "York Council").saving == Decimal("290.00")
    assert group("organisation", "Leeds Trust").saving == Decimal("0.00")
    assert group("framework", "Cloud Compute 2").saving == Decimal("200.00")
    assert group("framework", "Technology Products 3").saving == Decimal("90.00")
    fy = group("fy", "2025-26")
    assert fy.saving == Decimal("290.00") and fy.ambition_share == Decimal("0.000000")
    assert [r.group for r in snapshot.savings_rows.filter(dimension="fy")] == [
        "2024-25",
        "2025-26",
    ]
    call_command("report_savings", "--by", "organisation", "--format", "csv")
    assert capsys.readouterr().out == (
        "group,contracts,priced_contracts,total_value,list_value,saving,saving_share\n"
        "Leeds Trust,1,0,20.00,0.00,0.00,\n"
        "York Council,2,2,1150.00,1440.00,290.00,0.2014\n"
    )
    call_command("report_savings", "--by", "fy")
    out = capsys.readouterr().out
    assert "Savings against list prices by financial year (ambition: £1bn a year)" in out
    assert "2025-26" in out and "£290.00" in out
    # overall, 2 financial years, 1 calendar year, 2 frameworks, 2 organisations
    assert SavingsRow.objects.filter(snapshot=snapshot).count() == 1 + 2 + 1 + 2 + 2
