"""Load deterministic demo data. Running it twice changes nothing.

Each app with demo data declares `demo_order` on its AppConfig and a `demo` module
(ndx.appkit.demo_sections): the foundation finds them through the app registry."""

from django.core.management.base import BaseCommand
from django.db import transaction

from ndx.appkit import demo_sections


class Command(BaseCommand):
    help = "Create demo organisations, users and data. Idempotent."

    def handle(self, *args, **options):
        context: dict = {}
        sections = demo_sections()
        with transaction.atomic():
            for section in sections:
                context.update(section.seed(self.stdout, context) or {})
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/accounts/login/")
        )
        for section in sections:
            for line in getattr(section, "describe", lambda: [])():
                self.stdout.write(line)
