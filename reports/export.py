"""Exporting an event's attendance: the workbook or one sheet as CSV, directly or as a background job.

The workbook is a Vietnamese document whatever the language of the reader's screen (it goes into
official files), so it is written with Vietnamese active unless asked otherwise.
"""

from __future__ import annotations

import secrets
import tempfile

from django.contrib.auth import get_user_model
from django.core.files import File
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bridges.models import Person
from core import audit, jobs, numbers
from core.dates import official_date
from events.models import Event, Invitation
from followups.services import status as followup_status
from training.services import template_for

from . import data
from . import filters as report_filters
from .csv_export import write_csv
from .filters import ReportError, ReportFilters
from .followup_sheets import BUILDERS as FOLLOWUP_BUILDERS
from .followup_sheets import SHEETS as FOLLOWUP_SHEETS
from .followup_sheets import cover as followup_cover
from .followup_sheets import followup_tables
from .sheets import BUILDERS, SHEETS, attendance_tables, cover
from .tables import Table
from .workbook import TitleBlock, write_workbook

# Stored on Job rows (and looked up by the page): the name it had while reports lived in attendance.
EXPORT_JOB = "attendance.report_export"
XLSX, CSV = "xlsx", "csv"
FORMATS = (XLSX, CSV)
# Bigger exports than this (teachers in the reader's part) go to the background with a progress bar.
DIRECT_LIMIT = 3000
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}


def title_block(event: Event, filters: ReportFilters | None, generated_at, scope_text: str = "") -> TitleBlock:
    template = template_for(event)
    starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    when = starts.strftime("%d/%m/%Y")
    if ends.date() != starts.date():
        when += " – " + ends.strftime("%d/%m/%Y")
        period = _("Time: from %(start)s to %(end)s") % {
            "start": starts.strftime("%H:%M %d/%m/%Y"), "end": ends.strftime("%H:%M %d/%m/%Y")}
    else:
        period = _("Time: %(start)s – %(end)s, %(date)s") % {
            "start": starts.strftime("%H:%M"), "end": ends.strftime("%H:%M"), "date": when}
    exported = timezone.localtime(generated_at)
    at = {"time": exported.strftime("%H:%M"), "date": exported.strftime("%d/%m/%Y")}
    return TitleBlock(
        issuer=template.issuer.strip(), motto=template.motto.strip(),
        event_line=_("%(event)s – %(date)s") % {"event": event.title, "date": when},
        scope_line=_("Covering: %(scope)s") % {"scope": filters.describe() if filters else scope_text},
        exported_line=_("exported at %(time)s on %(date)s") % at,
        event_title=event.title, period_line=period, as_of_line=_("Figures as of %(time)s on %(date)s.") % at,
        dated=official_date(exported.date(), template.place), signer_title=template.signer_title.strip(),
        signer_name=template.signer_name.strip(),
    )


def check_sheet(sheet: str) -> str:
    if sheet not in SHEETS:
        raise ReportError(_("Unknown sheet “%(sheet)s”: choose one of %(choices)s.") % {
            "sheet": str(sheet)[:30], "choices": ", ".join(SHEETS)})
    return sheet


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ReportError(_("Unknown format “%(format)s”: choose xlsx or csv.") % {"format": str(fmt)[:20]})
    return fmt


def file_name(event: Event, filters: ReportFilters, fmt: str, sheet: str | None = None) -> str:
    parts = ["diem-danh", str(event.pk)]
    if filters.district is not None:
        parts.append(slugify(filters.district.code))
    if fmt == CSV and sheet:
        parts.append(slugify(BUILDERS[sheet].__name__.removesuffix("_table")))
    return "-".join(parts) + f".{fmt}"


def write(event: Event, filters: ReportFilters, target, *, fmt: str = XLSX, sheet: str | None = None,
          language: str = "vi", progress=None) -> tuple[data.AttendanceReport, int]:
    """Compute the report and write it to `target` (a path or binary file)."""
    with translation.override(language):
        report = data.build(event, filters)
        if fmt == XLSX:
            tables = attendance_tables(report)
            rows = write_workbook(target, tables, title_block(event, filters, report.generated_at), progress,
                                  cover=cover(report))
        else:
            table: Table = BUILDERS[check_sheet(sheet or SHEETS[0])](report)
            rows = write_csv(target, table, progress)
    return report, rows


def estimated_rows(event: Event, filters: ReportFilters) -> int:
    """Teachers in the reader's part of the event: decides between a direct download and a job."""
    invited = Invitation.objects.filter(event=event).values("bridge_id")
    people = Person.objects.filter(bridge_id__in=invited)
    if filters.path:
        people = people.filter(bridge__path__startswith=filters.path)
    return people.count()


def record_export(event: Event, filters: ReportFilters, *, fmt: str, sheet: str | None, request=None,
                  user=None, rows: int = 0) -> None:
    # Exports carry personal data (names, birth dates): who took which part is worth knowing.
    audit.record("attendance.report_export", request=request, user=user, target=event, summary=event.title[:200],
                 details={"format": fmt, "sheet": sheet or "", "rows": rows, **filters.as_params()})


def start_job(event: Event, filters: ReportFilters, *, user, fmt: str, sheet: str | None = None,
              language: str = "vi", ip: str | None = None):
    params = {"event_id": event.pk, "format": check_format(fmt), "sheet": sheet or "", "language": language,
              "ip": ip, **filters.as_params()}
    if fmt == CSV:
        check_sheet(sheet or "")
    return jobs.start(EXPORT_JOB, params=params, user=user)


@jobs.job_kind(EXPORT_JOB)
def export_job(job) -> dict:
    params = job.params
    user = get_user_model().objects.filter(pk=job.created_by_id).first() if job.created_by_id else None
    if user is None:
        raise ReportError(_("An export needs the account that asked for it."))
    with translation.override(params.get("language") or "vi"):
        event = report_filters.event_or_error(params["event_id"])
        # The reader's scope is checked again now: a role taken away meanwhile stops the export.
        filters = report_filters.resolve(event, user, district=params.get("district", ""),
                                         tier=params.get("tier", ""), roll_calls=params.get("roll_calls"))
        fmt, sheet = params.get("format", XLSX), params.get("sheet") or None
        total = estimated_rows(event, filters)
        jobs.progress(job, 0, max(total, 1), _("Computing the numbers…"))

        def report_progress(done: int) -> None:
            jobs.progress(job, min(done, total), max(total, 1), _("Writing rows: %(done)s") % {"done": numbers.grouped(done)})

        with tempfile.TemporaryFile() as spool:
            report, rows = write(event, filters, spool, fmt=fmt, sheet=sheet, language=params.get("language") or "vi",
                                 progress=report_progress)
            spool.seek(0)
            name = file_name(event, filters, fmt, sheet)
            # Served only through core's scope-checked download; a random part keeps the stored path unguessable.
            stored = name.replace(f".{fmt}", f"-{secrets.token_hex(3)}.{fmt}")
            job.result_file.save(stored, File(spool), save=False)
        job.save(update_fields=["result_file"])
        record_export(event, filters, fmt=fmt, sheet=sheet, user=user, rows=rows)
        jobs.progress(job, total, max(total, 1), _("Ready: %(teachers)s teachers, %(bridges)s bridges.") % {
            "teachers": numbers.grouped(len(report.people)), "bridges": numbers.grouped(len(report.bridges))})
    return {"event_id": event.pk, "format": fmt, "sheet": sheet or "", "rows": rows, "file_name": name}


def write_followup(form, scope_bridge, target, *, fmt: str = XLSX, sheet: str | None = None,
                   language: str = "vi") -> int:
    """A follow-up report's rollup and per-school answers, for the reader's part of the province."""
    with translation.override(language):
        state = followup_status(form, scope_bridge.path if scope_bridge else None)
        if fmt == XLSX:
            scope_text = scope_bridge.name if scope_bridge else _("the whole event")
            block = title_block(form.event, None, state.now, scope_text)
            block.event_line = f"{form.title} – {block.event_line}"
            return write_workbook(target, followup_tables(state), block, cover=followup_cover(state))
        sheet = sheet or FOLLOWUP_SHEETS[0]
        if sheet not in FOLLOWUP_SHEETS:
            raise ReportError(_("Unknown sheet “%(sheet)s”: choose one of %(choices)s.") % {
                "sheet": str(sheet)[:30], "choices": ", ".join(FOLLOWUP_SHEETS)})
        return write_csv(target, FOLLOWUP_BUILDERS[sheet](state))
