"""manage.py reindex: build the matching index now, synchronously, and swap it in."""

from django.core.management.base import BaseCommand, CommandError

from matching.services import index_rebuild_now


class Command(BaseCommand):
    help = "Build the whole matching index from the published catalogue and make it current."

    def handle(self, *args, **options):
        try:
            build = index_rebuild_now()
        except Exception as exc:
            raise CommandError(
                f"index build failed, the previous index stays current: {exc}"
            ) from exc
        self.stdout.write(f"indexed {build.offers_indexed} offers in {build.seconds:.2f} seconds")
