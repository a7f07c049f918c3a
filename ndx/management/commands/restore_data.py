"""manage.py restore_data IN.tar.gz: restore a backup_data archive into an empty database."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ndx.backup import restore


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup_data` into an empty database: migrate, "
        "load every row, copy the uploaded files into MEDIA_ROOT, check the row counts, then "
        "rebuild the search fields and the matching index."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a .tar.gz made by backup_data")
        parser.add_argument(
            "--no-reindex",
            action="store_true",
            help="skip rebuilding the search fields and the matching index: only when the "
            "backup comes from the same kind of database; run `manage.py reindex` afterwards, "
            "as matching is unavailable until then",
        )

    def handle(self, *args, **options):
        try:
            result = restore(
                path=Path(options["archive"]),
                reindex=not options["no_reindex"],
                say=lambda message: self.stdout.write(message),
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        made = result["manifest"]["created_at"]
        self.stdout.write(self.style.SUCCESS(f"Restored the backup made at {made}"))
