"""`manage.py backup`: a consistent copy of the database (and uploaded files) while the site runs.

SQLite through its online backup API, PostgreSQL through `pg_dump -Fc` (core.backup). Schedule it
daily (README, "Backups") and copy BACKUP_DIR off the machine.
"""

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) and the uploaded files to BACKUP_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Directory to write to (default: BACKUP_DIR).")
        parser.add_argument("--keep", type=int, default=None,
                            help="Keep only this many newest backups in the directory (older ones are deleted).")
        parser.add_argument("--no-media", action="store_true", help="Leave the uploaded files out.")

    def handle(self, *args, output=None, keep=None, no_media=False, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        try:
            result = backup.backup(output, media=not no_media, keep=keep)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Database: {result.database} ({result.database.stat().st_size} bytes)")
        if result.media:
            self.stdout.write(f"Uploaded files: {result.media}")
        for path in result.removed:
            self.stdout.write(f"Removed old backup: {path}")
