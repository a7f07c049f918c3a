"""The real G-Cloud spend file of April 2014 loads with the published totals, and the SME share
report by year, financial year and lot equals a computation straight from the file."""

import csv
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from ndx.accounts.models import Organisation
from reporting.models import SpendRecord

from .helpers import spend_2014

pytestmark = pytest.mark.django_db

PUBLISHED_ROWS = 9227
PUBLISHED_TOTAL = Decimal("154635951.7974")  # £154,635,951.80


def load(capsys) -> list[str]:
    call_command("import_spend", str(spend_2014()))
    return capsys.readouterr().out.strip().splitlines()


def fy(day: str) -> str:
    _, month, year = (int(p) for p in day.split("/"))
    start = year if month >= 4 else year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def independent(group_of) -> str:
    """The report's CSV, worked out from the file with the csv module and Decimal alone."""
    totals, sme = defaultdict(Decimal), defaultdict(Decimal)
    contracts, sme_contracts = defaultdict(set), defaultdict(set)
    with spend_2014().open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            group = group_of(row)
            amount = Decimal(row["EvidencedSpend"])
            relationship = (row["CustomerName"], row["SupplierName"], row["LotDescription"])
            totals[group] += amount
            contracts[group].add(relationship)
            if row["SME or Large"] == "SME":
                sme[group] += amount
                sme_contracts[group].add(relationship)
    lines = ["group,total_spend,sme_spend,sme_share,contracts,sme_contracts"]
    for group in sorted(totals):
        share = (sme[group] / totals[group]).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        lines.append(
            ",".join(
                [
                    group,
                    str(totals[group].quantize(Decimal("0.01"), ROUND_HALF_UP)),
                    str(sme[group].quantize(Decimal("0.01"), ROUND_HALF_UP)),
                    str(share),
                    str(len(contracts[group])),
                    str(len(sme_contracts[group])),
                ]
            )
        )
    return "\n".join(lines)


def report(by: str, capsys) -> str:
    call_command("report_sme", "--by", by, "--format", "csv")
    return capsys.readouterr().out.strip()


def test_the_2014_file_loads_with_the_published_totals_in_seconds(capsys):
    started = time.monotonic()
    out = load(capsys)
    seconds = time.monotonic() - started
    assert out == [
        "read 9227 rows: 9227 loaded, 0 already loaded, 0 rejected",
        "loaded £154,635,951.80 (149 credit notes); created 300 suppliers and 437 buyers",
    ]
    assert seconds < 30, f"loading took {seconds:.1f}s"
    assert SpendRecord.objects.count() == PUBLISHED_ROWS
    assert SpendRecord.objects.aggregate(total=Sum("amount"))["total"].quantize(
        Decimal("0.01")
    ) == Decimal("154635951.80")
    assert sum(SpendRecord.objects.values_list("amount", flat=True)) == PUBLISHED_TOTAL
    assert SpendRecord.objects.credit_notes().count() == 149
    assert SpendRecord.objects.filter(amount=0).count() == 155
    assert Organisation.objects.suppliers().count() == 300
    assert Organisation.objects.buyers().count() == 437
    assert set(SpendRecord.objects.values_list("month__year", flat=True)) == {2012, 2013, 2014}

    assert load(capsys)[0] == "read 9227 rows: 0 loaded, 9227 already loaded, 0 rejected"
    assert SpendRecord.objects.count() == PUBLISHED_ROWS


def test_sme_share_by_year_equals_an_independent_computation(capsys):
    load(capsys)
    expected = independent(lambda row: row["Return Month"][-4:])
    assert report("year", capsys) == expected
    # The published third-party check: about £87.2m in 2013 and £7.1m in 2012.
    lines = dict(line.split(",", 1) for line in expected.splitlines()[1:])
    assert lines["2013"].startswith("87208051.95,")
    assert lines["2012"].startswith("7097886.94,")


def test_sme_share_by_financial_year_equals_an_independent_computation(capsys):
    load(capsys)
    assert report("fy", capsys) == independent(lambda row: fy(row["Return Month"]))


def test_sme_share_by_lot_equals_an_independent_computation(capsys):
    load(capsys)
    out = report("lot", capsys)
    assert out == independent(lambda row: row["LotDescription"])
    assert "\nSoftware as a Service (SaaS)," in out


def test_sme_share_by_sector_and_month_keep_the_imported_names(capsys):
    load(capsys)
    assert report("sector", capsys) == independent(lambda row: row["Sector"])
    month = report("month", capsys).splitlines()
    assert month[1].startswith("2012-04,")
    assert month[-1].startswith("2014-03,")
    assert len(month) == 1 + 24
    quarters = report("quarter", capsys).splitlines()
    assert [q.split(",")[0] for q in quarters[1:3]] == ["2012-Q2", "2012-Q3"]


def test_table_format_lists_groups_with_the_overall_total(capsys):
    load(capsys)
    call_command("report_sme", "--by", "lot")
    out = capsys.readouterr().out
    assert "SME share of spend and contracts by lot (target: 40% of spend with SMEs)" in out
    assert "from 9,227 spend rows and 0 contracts" in out
    assert "Software as a Service (SaaS)" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("All")
    assert "£154,635,951.80" in last
    assert "1,043" in last  # distinct buyer, supplier and lot relationships
