"""Load deterministic demo data. Running it twice changes nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from buying import demo as buying_demo
from catalogue import demo as catalogue_demo
from matching import demo as matching_demo
from ndx.accounts import demo as accounts_demo
from ndx.reporting import demo as reporting_demo
from reviews import demo as reviews_demo

# reviews_demo reviews the buying demo's contracts, so it must come after buying's section.
SECTIONS = [
    accounts_demo,
    catalogue_demo,
    buying_demo,
    matching_demo,
    reviews_demo,
    reporting_demo,
]


class Command(BaseCommand):
    help = "Create demo organisations, users and data. Idempotent."

    def handle(self, *args, **options):
        context: dict = {}
        with transaction.atomic():
            for section in SECTIONS:
                context.update(section.seed(self.stdout, context) or {})
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/accounts/login/")
        )
        for section in SECTIONS:
            for line in getattr(section, "describe", lambda: [])():
                self.stdout.write(line)
