"""What the import commands print: the sheet understood, the summary and every row problem."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from . import service
from .errors import ImportFileError
from .plan import Plan


def run(command, kind: str, path: str, *, bridge_code: str = "", dry_run: bool = False,
        skip_invalid: bool = False, skip_sheets=(), encoding: str = "") -> Plan:
    out = command.stdout
    try:
        plan = service.apply(path, kind, file_name=Path(path).name, bridge_code=bridge_code, skip_invalid=skip_invalid,
                             dry_run=dry_run, actor_label="manage.py import_" + kind, skip_sheets=skip_sheets,
                             encoding=encoding)
    except service.RowsInvalid as exc:
        report(out, exc.plan)
        raise CommandError(exc.user_message) from exc
    except ImportFileError as exc:
        raise CommandError(exc.user_message) from exc
    report(out, plan)
    if dry_run:
        out.write(_("Dry run: nothing was written."))
    else:
        out.write(command.style.SUCCESS(_("Written: %(create)s created, %(update)s updated.") % plan.counts))
    return plan


def report(out, plan: Plan) -> None:
    if plan.sheets_read == 1:
        out.write(_("Sheet %(sheet)s, header on row %(row)s.") % {"sheet": plan.sheet, "row": plan.header_row})
    else:
        out.write(_("%(count)s sheets read: %(sheets)s.") % {"count": plan.sheets_read, "sheets": plan.sheet})
    # With several sheets the notes say, sheet by sheet, the header row and columns found.
    for note in plan.notes:
        out.write(note)
    if plan.sheets_read == 1:
        out.write(_("Columns: %(columns)s") % {
            "columns": ", ".join(f"{label} → {name}" for label, name in plan.columns)})
    if plan.ignored_columns:
        out.write(_("Columns not read: %(columns)s") % {"columns": ", ".join(plan.ignored_columns)})
    out.write(plan.summary_text())
    for problem in plan.sorted_problems():
        prefix = _("error") if problem.level == "error" else _("warning")
        out.write(f"  [{prefix}] {problem.text}")
