"""Print the current authenticator code for the demo staff user (demo data only)."""

from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.management.base import BaseCommand

from ndx.accounts.demo import DEMO_STAFF_TOTP_SECRET
from ndx.management.commands.seed_demo import refuse_in_production


class Command(BaseCommand):
    help = "Print the current two-factor code for the demo staff account."

    def handle(self, *args, **options):
        refuse_in_production("demo_totp")
        counter = next(yield_hotp_counters_from_time())
        self.stdout.write(format_hotp_value(hotp_value(DEMO_STAFF_TOTP_SECRET, counter)))
