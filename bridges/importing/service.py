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
from . import headers, lines
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
class Loaded:
    """A file read and understood, before any database look-up."""

    kind: str
    file_name: str
    sheet: Sheet
    layout: headers.Layout
    walk: lines.Walk


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


def load(path, kind: str, *, file_name: str = "") -> Loaded:
    if kind not in KINDS:
        raise ImportFileError(_("Unknown import kind."))
    sheets = read_file(path)
    for sheet in sheets:
        layout = headers.detect(sheet.rows, kind)
        if layout is not None:
            walk = lines.walk(sheet.rows, layout)
            if not any(not line.is_section for line in walk.lines):
                raise ImportFileError(_("The sheet %(sheet)s has a header on row %(row)s but no data rows below it.")
                                      % {"sheet": sheet.name, "row": layout.header_row})
            return Loaded(kind, file_name, sheet, layout, walk)
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
    plan = Plan(
        kind=loaded.kind, file_name=loaded.file_name, sheet=loaded.sheet.name, header_row=layout.header_row,
        columns=[(layout.labels[col], name) for col, name in sorted(layout.columns.items())],
        ignored_columns=list(layout.ignored), skipped_rows=len(loaded.walk.skipped_totals),
        signature_from=loaded.walk.signature_from, notes=describe(loaded.sheet),
    )
    if loaded.kind == "bridges":
        return plan_bridges(plan, loaded.walk)
    bridge = None
    if bridge_code:
        bridge = Bridge.objects.filter(code=bridge_code).first()
        if bridge is None:
            raise ImportFileError(_("Bridge %(code)s does not exist.") % {"code": bridge_code})
    return plan_people(plan, loaded.walk, bridge=bridge, progress=progress)


def preview(path, kind: str, *, file_name: str = "", bridge_code: str = "", progress: Progress | None = None) -> Plan:
    stages = Stages(progress)
    stages("read")
    loaded = load(path, kind, file_name=file_name)
    stages("check")
    return make_plan(loaded, bridge_code=bridge_code, progress=stages.part("check"))


def apply(path, kind: str, *, file_name: str = "", bridge_code: str = "", skip_invalid: bool = False,
          dry_run: bool = False, user=None, actor_label: str = "", ip: str | None = None, request=None,
          progress: Progress | None = None) -> Plan:
    """Plan again against the current database and write everything in one transaction.
    Raises RowsInvalid (writing nothing) when a row is invalid and skip_invalid is not set."""
    stages = Stages(progress)
    stages("read")
    loaded = load(path, kind, file_name=file_name)
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
                     "skip_invalid": skip_invalid},
        )
    return plan
