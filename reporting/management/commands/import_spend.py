"""python manage.py import_spend PATH"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reporting.services import spend_import

MAX_LISTED = 100


class Command(BaseCommand):
    help = (
        "Load a G-Cloud spend return in the published CSV layout: the columns LotDescription, "
        "Return Month (dd/mm/yyyy), EvidencedSpend (pounds excluding VAT), Sector, SME or Large, "
        "SupplierName and CustomerName, in any order (other columns are ignored). Suppliers and "
        "buyers are matched by name, ignoring case, or created (a new buyer's type follows its "
        "Sector: Central Government, Health, Local Government and Education map to central, "
        "NHS, council and school, anything else to other; a new supplier gets a profile saying "
        "only whether it is an SME). Negative amounts are credit notes and are kept as such. "
        "Each row is identified by a hash of its normalised values and its occurrence number "
        "among identical rows of the file, so loading the same file again, or a later file that "
        "repeats it (spend returns are published cumulatively), loads only rows not loaded "
        "before, while genuinely repeated rows are all kept. A bad row is rejected with its "
        "line number and reason (on standard error) and the other rows still load. It prints "
        "'read N rows: L loaded, A already loaded, R rejected' and a line with the amount "
        "loaded and the organisations created. Exits with status 1, loading nothing, when the "
        "file cannot be read or lacks a column; otherwise 0."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the spend return, a .csv file")

    def handle(self, *args, path, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = spend_import(name=source.name, content=source.read_bytes())
        except ValidationError as exc:
            problems = [m for messages in exc.message_dict.values() for m in messages]
            raise CommandError(f"{path}: {' '.join(problems)}; nothing was loaded") from None
        for line, reason in result.rejected[:MAX_LISTED]:
            self.stderr.write(f"line {line}: rejected: {reason}")
        if len(result.rejected) > MAX_LISTED:
            self.stderr.write(f"and {len(result.rejected) - MAX_LISTED} more rejected rows")
        for line in result.summary:
            self.stdout.write(line)
