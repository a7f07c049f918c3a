"""python manage.py import_catalogue PATH [--framework REF --lot SLUG]"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from suppliers.importing.formats import IMPORT_MARKET_NAME, IMPORT_MARKET_REFERENCE
from suppliers.importing.running import catalogue_import_run

MAX_LISTED = 50


class Command(BaseCommand):
    help = (
        "Import offers from a catalogue interchange file: JSONL (one offer a line: external_id, "
        "title, summary, description, category, supplier {name, sme}, and optionally price, "
        "list_price, unit, cpv, features), a JSON array of the same, or CSV with the columns "
        "external_id, title, summary, description, category, supplier_name, supplier_sme, "
        "price, list_price, unit, cpv, features (cpv and features separated by | or ;). "
        "Suppliers are found by name (ignoring case) or created; offers are created published, "
        "or updated by external_id. Every row is checked first: if any is bad, each bad line is "
        "listed, nothing is written and the command exits with status 1. "
        f"Without --framework, offers go into the live dynamic market '{IMPORT_MARKET_NAME}' "
        f"({IMPORT_MARKET_REFERENCE}), created on first use. "
        "It prints 'imported N offers (C created, U updated) from M suppliers': N is every row "
        "in the file, C the offers that were new, U the existing offers whose content changed "
        "(each gets a new published version; the old one is kept, superseded). Rows identical "
        "to the published offer are not counted as updated, so running a file twice prints "
        "'(0 created, 0 updated)' the second time and changes nothing. "
        "Summaries longer than 500 characters are shortened at a word boundary."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .jsonl, .json or .csv file")
        parser.add_argument(
            "--framework",
            default="",
            metavar="REF",
            help="the reference of the framework to import into, like RM1557.14",
        )
        parser.add_argument(
            "--lot",
            default="",
            metavar="SLUG",
            help="the lot's slug (needed when the framework has more than one lot)",
        )

    def handle(self, *args, path, framework, lot, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = catalogue_import_run(
                name=source.name,
                content=source.read_bytes(),
                framework_reference=framework,
                lot_slug=lot,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                options_named = {"framework": "--framework", "lot_slug": "--lot", "file": path}
                problems = [
                    f"{options_named.get(key, key)}: {message}"
                    for key, messages in exc.message_dict.items()
                    for message in messages
                ]
            else:
                problems = exc.messages
            for problem in problems[:MAX_LISTED]:
                self.stderr.write(problem)
            if len(problems) > MAX_LISTED:
                self.stderr.write(f"and {len(problems) - MAX_LISTED} more")
            raise CommandError(
                f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''} found; "
                "nothing was imported"
            ) from None
        self.stdout.write(result.summary)
