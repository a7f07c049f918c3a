"""Load deterministic demo data. Running it twice changes nothing.

Each app with demo data declares `demo_order` on its AppConfig and a `demo` module
(ndx.appkit.demo_sections): the foundation finds them through the app registry."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ndx.appkit import demo_sections


def refuse_in_production(command: str) -> None:
    """Demo data holds a staff account with a published password and a fixed authenticator
    secret: it exists in development only."""
    if settings.PRODUCTION:
        raise CommandError(
            f"{command} refuses to run with NDX_ENV=production: the demo accounts have published "
            "passwords and a fixed two-factor secret, so they exist only in development."
        )


class Command(BaseCommand):
    help = "Create demo organisations, users and data. Idempotent."

    def handle(self, *args, **options):
        refuse_in_production("seed_demo")
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
