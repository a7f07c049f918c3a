"""python manage.py report_sme --by {year,fy,quarter,month,lot,sector} --format {table,csv}"""

from django.core.management.base import BaseCommand, CommandError

from reporting.exports import (
    NOTHING_TO_REPORT,
    TARGET_TEXT,
    computed_text,
    csv_text,
    sme_csv_rows,
    sme_table,
)
from reporting.models import ReportSnapshot, SmeShareRow
from reporting.services import report_snapshot_compute

GROUPINGS = ["year", "fy", "quarter", "month", "lot", "sector"]


class Command(BaseCommand):
    help = (
        "Print the share of spend and of contracts going to SMEs, by calendar year (year), "
        "April-to-March financial year (fy, like 2013-14), calendar quarter (quarter, like "
        "2013-Q2), month (like 2013-07), lot or buyer sector (lot and sector names as they were "
        "imported, e.g. 'Software as a Service (SaaS)'). Spend is the spend returns' evidenced "
        "spend, credit notes included, plus the value of each contract awarded through NDX in "
        "the month it was awarded. Contracts: each NDX contract counts once; spend returns do "
        "not name contracts, so each distinct buyer (CustomerName), supplier (SupplierName) and "
        "lot (LotDescription) relationship with spend in a group counts as one contract in that "
        "group, and as an SME contract when that spend is an SME's. It first computes a fresh "
        "snapshot of the report (as the hourly job does; --cached prints the current snapshot "
        "instead). CSV columns: group,total_spend,sme_spend,sme_share,contracts,sme_contracts; "
        "money in pounds to 2 decimal places, shares as fractions to 4 places (empty when the "
        "group's total spend is not positive). The table adds VCSE share and the 40% target. "
        "With no spend and no contracts it says there is nothing to report (exit status 0)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--by", choices=GROUPINGS, default="year", help="how to group")
        parser.add_argument("--format", choices=["table", "csv"], default="table")
        parser.add_argument(
            "--cached",
            action="store_true",
            help="print the current snapshot without computing a new one",
        )

    def handle(self, *args, by, format, cached, **options):
        kind = ReportSnapshot.Kind.SME_SHARE
        if cached:
            snapshot = ReportSnapshot.objects.current(kind)
            if snapshot is None:
                raise CommandError("The SME share report has not been computed yet")
        else:
            try:
                snapshot = report_snapshot_compute(kind=kind, trigger="command")
            except Exception as exc:
                raise CommandError(
                    f"Could not compute the SME share report ({exc}); the last good snapshot "
                    "is kept"
                ) from exc
        if snapshot.is_empty:
            self.stdout.write(NOTHING_TO_REPORT)
            return
        rows = list(snapshot.sme_rows.filter(dimension=by).order_by("position"))
        if format == "csv":
            self.stdout.write(csv_text(sme_csv_rows(rows)), ending="")
            return
        overall = snapshot.sme_rows.filter(dimension=SmeShareRow.Dimension.OVERALL).first()
        label = SmeShareRow.Dimension(by).label
        self.stdout.write(
            f"SME share of spend and contracts by {label.lower()} (target: {TARGET_TEXT} of "
            f"spend with SMEs)\nComputed at {computed_text(snapshot)} from "
            f"{snapshot.spend_rows:,} spend rows and {snapshot.contracts:,} contracts\n"
        )
        self.stdout.write(sme_table(rows, overall, label))
