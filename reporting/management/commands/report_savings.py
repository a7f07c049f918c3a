"""python manage.py report_savings --by {fy,year,framework,organisation} --format {table,csv}"""

from django.core.management.base import BaseCommand, CommandError

from reporting.exports import (
    NO_CONTRACTS,
    computed_text,
    csv_text,
    savings_and_avoidance_text,
    savings_csv_rows,
    savings_table,
)
from reporting.models import ReportSnapshot, SavingsRow
from reporting.services import report_snapshot_compute

GROUPINGS = ["fy", "year", "framework", "organisation", "overall"]


class Command(BaseCommand):
    help = (
        "Print the cost saving of contracts awarded through NDX: (list price at award - awarded "
        "unit price) x quantity, over the contracts whose list price is known, by financial "
        "year (fy), calendar year (year), framework or buyer organisation, against the public "
        "ambition of £1bn of savings a year. It first computes a fresh snapshot (--cached "
        "prints the current one). CSV columns: group,contracts,priced_contracts,total_value,"
        "list_value,saving,saving_share (money in pounds to 2 places, share of the list-price "
        "cost as a fraction to 4 places). The table ends with a line giving the national cost "
        "saving and cost avoidance (baseline: the buyer's previous price, or the lot's median "
        "awarded price, minus the price paid). With no contracts it says so (exit status 0)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--by", choices=GROUPINGS, default="fy", help="how to group")
        parser.add_argument("--format", choices=["table", "csv"], default="table")
        parser.add_argument(
            "--cached",
            action="store_true",
            help="print the current snapshot without computing a new one",
        )

    def handle(self, *args, by, format, cached, **options):
        kind = ReportSnapshot.Kind.SAVINGS
        if cached:
            snapshot = ReportSnapshot.objects.current(kind)
            if snapshot is None:
                raise CommandError("The savings report has not been computed yet")
        else:
            try:
                snapshot = report_snapshot_compute(kind=kind, trigger="command")
            except Exception as exc:
                raise CommandError(
                    f"Could not compute the savings report ({exc}); the last good snapshot is kept"
                ) from exc
        if snapshot.contracts == 0:
            self.stdout.write(NO_CONTRACTS)
            return
        rows = list(snapshot.savings_rows.filter(dimension=by).order_by("position"))
        if format == "csv":
            self.stdout.write(csv_text(savings_csv_rows(rows)), ending="")
            return
        label = SavingsRow.Dimension(by).label
        self.stdout.write(
            f"Savings against list prices by {label.lower()} (ambition: £1bn a year)\n"
            f"Computed at {computed_text(snapshot)} from {snapshot.contracts:,} contracts\n"
        )
        self.stdout.write(savings_table(rows, label))
        overall = snapshot.savings_rows.filter(dimension="overall").first()
        self.stdout.write(savings_and_avoidance_text(overall), ending="")
