"""`manage.py restore FILE`: put a backup made by `manage.py backup` into the configured database.

The database must be empty (a new SQLite file, a new PostgreSQL database) unless --replace is given;
stop the site and the workers before replacing a database in use.
"""

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "Restore a backup (a .sqlite3 copy or a .pgdump) into the configured, empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The database backup: diemcau-<time>.sqlite3 or diemcau-<time>.pgdump.")
        parser.add_argument("--media", help="The uploaded files' archive made with it (diemcau-<time>-media.tar.gz).")
        parser.add_argument("--replace", action="store_true",
                            help="Overwrite a database that is not empty (everything in it is lost).")

    def handle(self, *args, file, media=None, replace=False, **options):
        try:
            backup.restore(file, media_file=media, replace=replace)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = backup.tables()
        self.stdout.write(f"Restored {file}: {len(tables)} tables." + (f" Uploaded files from {media}." if media else ""))
