from django.core.management.base import BaseCommand

from bridges.importing import cli
from bridges.importing.reading import ENCODINGS


class Command(BaseCommand):
    help = ("Import a bridge list (.xlsx, .csv or Unicode Text .txt) as offices send it. Prints the summary and "
            "every row problem; writes everything in one transaction, or nothing when a row is invalid "
            "(unless --skip-invalid).")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx, .csv or .txt file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--skip-invalid", action="store_true", help="import the valid rows, skip invalid ones")
        parser.add_argument("--skip-sheet", action="append", default=[], dest="skip_sheets", metavar="NAME",
                            help="leave this sheet of the workbook out (repeat for several)")
        parser.add_argument("--encoding", default="", choices=["", *ENCODINGS],
                            help="read a text file (or a workbook typed in .VnTime fonts: tcvn3) with this "
                                 "encoding instead of detecting it")

    def handle(self, *args, file, dry_run, skip_invalid, skip_sheets, encoding, **options):
        cli.run(self, "bridges", file, dry_run=dry_run, skip_invalid=skip_invalid,
                skip_sheets=skip_sheets, encoding=encoding)
