"""manage.py backup_data OUT.tar.gz: every row and uploaded file in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ndx.backup import backup_create


class Command(BaseCommand):
    help = (
        "Back up all data (a Django fixture of every model, less sessions, content types and "
        "permissions) and the uploaded files in MEDIA_ROOT to one .tar.gz archive. Restore it "
        "with `manage.py restore_data`."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="the archive to write, e.g. ndx-backup.tar.gz")
        parser.add_argument("--no-media", action="store_true", help="leave out the uploaded files")
        parser.add_argument(
            "--force", action="store_true", help="overwrite the output file if it exists"
        )

    def handle(self, *args, **options):
        output = Path(options["output"])
        if output.exists() and not options["force"]:
            raise CommandError(f"{output} already exists: choose another name or use --force")
        backup_create(
            path=output,
            include_media=not options["no_media"],
            say=lambda message: self.stdout.write(message),
        )
        self.stdout.write(self.style.SUCCESS(f"Backup written to {output}"))
