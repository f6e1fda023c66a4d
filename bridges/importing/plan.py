"""What an import will do, row by row: the preview shows it, apply writes it."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

CREATE, UPDATE, UNCHANGED, INVALID = "create", "update", "unchanged", "invalid"

# The preview lists at most this many planned rows and problems; counts are always complete.
PREVIEW_ROWS = 300
PREVIEW_PROBLEMS = 1000


@dataclass
class Problem:
    row: int | None
    reason: str
    level: str = "error"  # "error" rejects the row; "warning" keeps it

    @property
    def text(self) -> str:
        if self.row is None:
            return self.reason
        return _("Row %(row)s: %(reason)s") % {"row": self.row, "reason": self.reason}


@dataclass
class Planned:
    """One row of the file and what becomes of it."""

    row: int
    action: str
    key: str  # the code or identifier shown to people
    label: str  # the name shown to people
    values: dict = field(default_factory=dict)  # field -> new value, for creates and updates
    changes: dict = field(default_factory=dict)  # field -> (old, new), for updates
    target: object = None  # the existing model instance for updates
    note: str = ""
    # Filled by the planner for apply: the tier and parent (a Bridge or another Planned create).
    tier: object = None
    parent: object = None
    bridge: object = None
    obj: object = None


@dataclass
class Plan:
    kind: str
    file_name: str = ""
    sheet: str = ""  # the sheets read, joined with commas
    sheets_read: int = 1
    header_row: int = 0
    columns: list[tuple[str, str]] = field(default_factory=list)  # (label as written, field)
    ignored_columns: list[str] = field(default_factory=list)
    rows: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped_rows: int = 0  # totals, subtotals
    signature_from: int | None = None
    # How the file was read (a text file's encoding and separator), shown above the counts.
    notes: list[str] = field(default_factory=list)

    def add_problem(self, row, reason, level="error") -> None:
        self.problems.append(Problem(row, reason, level))

    def count(self, action: str) -> int:
        return sum(1 for planned in self.rows if planned.action == action)

    @property
    def counts(self) -> dict:
        return {
            CREATE: self.count(CREATE), UPDATE: self.count(UPDATE), UNCHANGED: self.count(UNCHANGED),
            INVALID: self.count(INVALID),
            "errors": sum(1 for p in self.problems if p.level == "error"),
            "warnings": sum(1 for p in self.problems if p.level == "warning"),
            "skipped_rows": self.skipped_rows,
        }

    def sorted_problems(self) -> list[Problem]:
        # Rows of several sheets carry their sheet (lines.SheetRow): sheet order first.
        return sorted(self.problems, key=lambda p: (getattr(p.row, "sheet_index", 0), p.row or 0, p.level != "error"))

    @property
    def has_errors(self) -> bool:
        return any(p.level == "error" for p in self.problems)

    @property
    def writes(self) -> int:
        return self.count(CREATE) + self.count(UPDATE)

    def summary_text(self) -> str:
        c = self.counts
        return _("%(create)s to create, %(update)s to update, %(unchanged)s unchanged, %(invalid)s invalid rows, "
                 "%(warnings)s warnings") % c

    def to_dict(self) -> dict:
        """JSON for the preview job's result (lists capped, counts complete)."""
        shown = [p for p in self.rows if p.action != UNCHANGED][:PREVIEW_ROWS]
        return {
            "kind": self.kind,
            "file_name": self.file_name,
            "sheet": self.sheet,
            "sheets_read": self.sheets_read,
            "header_row": self.header_row,
            "columns": [{"label": label, "field": name} for label, name in self.columns],
            "ignored_columns": self.ignored_columns,
            "counts": self.counts,
            "summary": self.summary_text(),
            "signature_from": self.signature_from,
            "notes": self.notes,
            "problems": [
                {"row": p.row, "sheet": getattr(p.row, "sheet", ""), "level": p.level, "text": p.text}
                for p in self.sorted_problems()[:PREVIEW_PROBLEMS]
            ],
            "problems_total": len(self.problems),
            "rows": [
                {
                    "row": p.row, "sheet": getattr(p.row, "sheet", ""), "action": p.action, "key": p.key,
                    "label": p.label, "note": p.note,
                    "changes": {name: [_shown(old), _shown(new)] for name, (old, new) in p.changes.items()},
                }
                for p in shown
            ],
            "rows_total": sum(1 for p in self.rows if p.action != UNCHANGED),
        }


def _shown(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)
