import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from bridges.models import Role
from reports import export
from reports.filters import ReportError, event_or_error, resolve
from reports.sheets import SHEETS


class Command(BaseCommand):
    help = ("Write an event's attendance workbook (.xlsx: Tổng hợp, Điểm cầu, Giáo viên) or one of its sheets "
            "as CSV (UTF-8 with BOM), chosen by the extension of --out.")

    def add_arguments(self, parser):
        parser.add_argument("event_id", help="the event's number")
        parser.add_argument("--out", required=True, help="the file to write (.xlsx or .csv)")
        parser.add_argument("--district", default="", help="only this district / intermediate bridge (its code)")
        parser.add_argument("--tier", default="", help="only bridges of this tier (its code)")
        parser.add_argument("--roll-call", action="append", default=[], dest="roll_calls",
                            help="only this roll call (its number); may be repeated")
        parser.add_argument("--sheet", default=SHEETS[0], choices=SHEETS, help="for .csv: which sheet")
        parser.add_argument("--language", default="vi", help="language of the document (default vi)")

    def handle(self, *args, event_id, out, district, tier, roll_calls, sheet, language, **options):
        path = Path(out)
        fmt = path.suffix.lower().lstrip(".")
        try:
            export.check_format(fmt)
            event = event_or_error(event_id)
            # The command is run by whoever runs the server: the organizer's (whole) view.
            filters = resolve(event, None, district=district, tier=tier, roll_calls=roll_calls,
                              role=Role(kind=Role.Kind.ORGANIZER))
        except (ReportError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        if not path.parent.exists():
            raise CommandError(f"The folder {path.parent} does not exist.")
        started = time.perf_counter()
        with path.open("wb") as target:
            report, rows = export.write(event, filters, target, fmt=fmt, sheet=sheet, language=language)
        export.record_export(event, filters, fmt=fmt, sheet=sheet if fmt == export.CSV else None, rows=rows)
        self.stdout.write(
            f"{path}: {len(report.bridges)} bridges, {len(report.people)} teachers, "
            f"{len(report.roll_calls)} roll calls ({time.perf_counter() - started:.1f} s)")
