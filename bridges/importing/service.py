"""Imports as a service: read a file, plan it, write it in one transaction, audit it.

The web page, the API and the management commands all come through here.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit

from ..models import Bridge
from . import headers, lines, titles
from .apply import apply_bridges, apply_people
from .errors import ImportFileError
from .plan import Plan
from .plan_bridges import plan_bridges
from .plan_people import plan_people
from .reading import Sheet, describe, read_file

KINDS = ("bridges", "people")
Progress = Callable[[int, int, str], None]


class RowsInvalid(ImportFileError):
    """Some rows cannot be imported and the caller did not ask to skip them; nothing was written."""

    def __init__(self, plan: Plan):
        errors = plan.counts["invalid"]
        super().__init__(_("%(count)s rows have problems, so nothing was written. Correct them in the file, or "
                           "choose to skip the invalid rows.") % {"count": errors})
        self.plan = plan


@dataclass
class Part:
    """One sheet that has a header and data rows."""

    sheet: Sheet
    layout: headers.Layout
    walk: lines.Walk
    school: str = ""  # named by the title block or sheet title, for rows without a school column


@dataclass
class Loaded:
    """A file read and understood, before any database look-up. Every sheet with a header is read."""

    kind: str
    file_name: str
    parts: list[Part]
    # One line per sheet of the workbook: what was found in it, or why it was left out.
    sheet_notes: list[str]

    @property
    def sheet(self) -> Sheet:
        return self.parts[0].sheet

    @property
    def layout(self) -> headers.Layout:
        return self.parts[0].layout

    @property
    def walk(self) -> lines.Walk:
        """The data lines of every sheet read, in sheet order."""
        if len(self.parts) == 1:
            return self.parts[0].walk
        combined = lines.Walk(lines=[])
        for part in self.parts:
            combined.lines.extend(part.walk.lines)
            combined.skipped_totals.extend(part.walk.skipped_totals)
        return combined


class Stages:
    """Maps the stages (read, then check for a preview or write for an apply) onto one 0..100 bar, at most
    a few updates a second."""

    SPANS = {"read": (0, 40), "check": (40, 100), "write": (40, 100)}

    def __init__(self, report: Progress | None):
        self.report = report
        self.last = 0.0

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        if self.report is None:
            return
        now = time.monotonic()
        if done and done < total and now - self.last < 0.3:
            return
        self.last = now
        low, high = self.SPANS[stage]
        percent = low + (high - low) * (done / total if total else 0)
        messages = {"read": _("Reading the file"), "check": _("Checking rows"),
                    "write": _("Checking and writing everything in one transaction")}
        self.report(int(percent), 100, messages[stage])

    def part(self, stage: str):
        return lambda done, total: self(stage, done, total)


def split_sheet_names(text: str) -> list[str]:
    """Sheet names typed one per line (a name may hold a comma, never a line break)."""
    return [name.strip() for name in (text or "").splitlines() if name.strip()]


def load(path, kind: str, *, file_name: str = "", skip_sheets=(), encoding: str = "", progress=None) -> Loaded:
    if kind not in KINDS:
        raise ImportFileError(_("Unknown import kind."))
    sheets = read_file(path, encoding=encoding, progress=progress)
    left_out = {name.strip() for name in skip_sheets if name.strip()}
    unknown = sorted(left_out - {sheet.name.strip() for sheet in sheets})
    if unknown:
        raise ImportFileError(_("The file has no sheet named %(names)s. Its sheets are: %(sheets)s.") % {
            "names": ", ".join(f"“{name}”" for name in unknown),
            "sheets": ", ".join(f"“{sheet.name}”" for sheet in sheets)})
    found: list[tuple[int, Sheet, headers.Layout]] = []
    skipped: dict[int, str] = {}
    for index, sheet in enumerate(sheets):
        if sheet.name.strip() in left_out:
            skipped[index] = _("left out on request")
            continue
        if not sheet.rows:
            skipped[index] = _("the sheet is empty")
            continue
        layout = headers.detect(sheet.rows, kind)
        if layout is None:
            skipped[index] = _("no recognisable header in the first %(rows)s rows") % {"rows": headers.SCAN_ROWS}
            continue
        found.append((index, sheet, layout))
    several = len(found) > 1
    parts: list[Part] = []
    read: dict[int, Part] = {}
    for index, sheet, layout in found:
        walk = lines.walk(sheet.rows, layout, sheet=sheet.name, sheet_index=index if several else None)
        if not any(not line.is_section for line in walk.lines):
            skipped[index] = _("header on row %(row)s but no data rows below it") % {"row": layout.header_row}
            continue
        school = titles.find_school_title(sheet, layout) if kind == "people" else None
        if school is not None:
            titles.add_school_section(walk, *school, sheet.name, index if several else None)
        part = Part(sheet, layout, walk, school[1] if school else "")
        parts.append(part)
        read[index] = part
    if not parts:
        if left_out and len(left_out) == len(sheets):
            raise ImportFileError(_("Every sheet was left out: nothing to import."))
        _refuse(kind, sheets, found)
    notes = [_sheet_note(sheet, read.get(index), skipped.get(index, "")) for index, sheet in enumerate(sheets)]
    if len(sheets) == 1:
        notes = [note for note in notes if parts[0].school]  # one sheet: say only where its school came from
    return Loaded(kind, file_name, parts, describe([part.sheet for part in parts]) + notes)


def _sheet_note(sheet: Sheet, part: Part | None, skipped: str) -> str:
    if part is None:
        return _("Sheet “%(sheet)s”: skipped, %(reason)s.") % {"sheet": sheet.name, "reason": skipped}
    data = sum(1 for line in part.walk.lines if not line.is_section)
    columns = ", ".join(f"{part.layout.labels[col]} → {name}" for col, name in sorted(part.layout.columns.items()))
    note = _("Sheet “%(sheet)s”: header on row %(row)s, %(count)s data rows; columns: %(columns)s.") % {
        "sheet": sheet.name, "row": part.layout.header_row, "count": data, "columns": columns}
    if part.school:
        note += " " + _("No school column: the rows are for “%(school)s”, named in the sheet's title.") % {
            "school": part.school}
    return note


def _refuse(kind: str, sheets: list[Sheet], found: list) -> None:
    if found:
        _index, sheet, layout = found[0]
        raise ImportFileError(_("The sheet %(sheet)s has a header on row %(row)s but no data rows below it.")
                              % {"sheet": sheet.name, "row": layout.header_row})
    if not any(sheet.rows for sheet in sheets):
        raise ImportFileError(_("The file is empty."))
    if kind == "bridges":
        wanted = _("a header row with at least the bridge name (Tên điểm cầu / Tên đơn vị) and one more column "
                   "such as Mã điểm cầu, Địa chỉ or Người phụ trách")
    else:
        wanted = _("a header row with at least the full name (Họ và tên) and one more column such as Ngày sinh, "
                   "Mã định danh or Trường")
    raise ImportFileError(_("No recognisable header was found in the first %(rows)s rows of any sheet. "
                            "Expected %(wanted)s.") % {"rows": headers.SCAN_ROWS, "wanted": wanted})


def make_plan(loaded: Loaded, *, bridge_code: str = "", progress=None) -> Plan:
    layout = loaded.layout
    walk = loaded.walk
    ignored = [label for part in loaded.parts for label in part.layout.ignored]
    plan = Plan(
        kind=loaded.kind, file_name=loaded.file_name, sheet=", ".join(part.sheet.name for part in loaded.parts),
        sheets_read=len(loaded.parts), header_row=layout.header_row,
        columns=[(layout.labels[col], name) for col, name in sorted(layout.columns.items())],
        ignored_columns=list(dict.fromkeys(ignored)), skipped_rows=len(walk.skipped_totals),
        signature_from=loaded.parts[0].walk.signature_from, notes=loaded.sheet_notes,
    )
    if loaded.kind == "bridges":
        return plan_bridges(plan, walk)
    bridge = None
    if bridge_code:
        bridge = Bridge.objects.filter(code=bridge_code).first()
        if bridge is None:
            raise ImportFileError(_("Bridge %(code)s does not exist.") % {"code": bridge_code})
    return plan_people(plan, walk, bridge=bridge, progress=progress)


def preview(path, kind: str, *, file_name: str = "", bridge_code: str = "", skip_sheets=(), encoding: str = "",
            progress: Progress | None = None) -> Plan:
    stages = Stages(progress)
    stages("read")
    loaded = load(path, kind, file_name=file_name, skip_sheets=skip_sheets, encoding=encoding,
                  progress=stages.part("read"))
    stages("check")
    return make_plan(loaded, bridge_code=bridge_code, progress=stages.part("check"))


def apply(path, kind: str, *, file_name: str = "", bridge_code: str = "", skip_invalid: bool = False,
          dry_run: bool = False, user=None, actor_label: str = "", ip: str | None = None, request=None,
          skip_sheets=(), encoding: str = "", progress: Progress | None = None) -> Plan:
    """Plan again against the current database and write everything in one transaction.
    Raises RowsInvalid (writing nothing) when a row is invalid and skip_invalid is not set."""
    stages = Stages(progress)
    stages("read")
    loaded = load(path, kind, file_name=file_name, skip_sheets=skip_sheets, encoding=encoding,
                  progress=stages.part("read"))
    # Progress written from inside the transaction would stay invisible until its commit.
    stages("write")
    with transaction.atomic():
        plan = make_plan(loaded, bridge_code=bridge_code)
        if plan.has_errors and not skip_invalid:
            raise RowsInvalid(plan)
        if dry_run:
            return plan
        if kind == "bridges":
            apply_bridges(plan)
        else:
            apply_people(plan)
        counts = plan.counts
        audit.record(
            f"import.{kind}", request=request, user=user, actor_label=actor_label, ip=ip,
            summary=f"{file_name}: {plan.summary_text()}",
            details={"file_name": file_name, "sheet": plan.sheet, "bridge": bridge_code, "counts": counts,
                     "skip_invalid": skip_invalid, "skip_sheets": list(skip_sheets),
                     "encoding": encoding},
        )
    return plan
