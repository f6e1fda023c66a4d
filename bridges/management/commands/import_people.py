from django.core.management.base import BaseCommand

from bridges.importing import cli
from bridges.importing.reading import ENCODINGS


class Command(BaseCommand):
    help = ("Import a roster of people (.xlsx, .csv or Unicode Text .txt). Each row names its bridge (school code "
            "or name) unless --bridge CODE is given. Prints the summary and every row problem; writes everything "
            "in one transaction, or nothing when a row is invalid (unless --skip-invalid).")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx, .csv or .txt file")
        parser.add_argument("--bridge", default="", help="put every person on this bridge (its code)")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--skip-invalid", action="store_true", help="import the valid rows, skip invalid ones")
        parser.add_argument("--skip-sheet", action="append", default=[], dest="skip_sheets", metavar="NAME",
                            help="leave this sheet of the workbook out (repeat for several)")
        parser.add_argument("--encoding", default="", choices=["", *ENCODINGS],
                            help="read a text file (or a workbook typed in .VnTime fonts: tcvn3) with this "
                                 "encoding instead of detecting it")

    def handle(self, *args, file, bridge, dry_run, skip_invalid, skip_sheets, encoding, **options):
        cli.run(self, "people", file, bridge_code=bridge, dry_run=dry_run, skip_invalid=skip_invalid,
                skip_sheets=skip_sheets, encoding=encoding)
