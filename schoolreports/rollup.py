"""Who has answered a round and the numbers added up: per school, per district, in total.

The columns of a rollup come from the form version (`columns`): each number field, each cell of a grid
(with the grid's total), the "yes" count of a yes/no field and a count per option of a choice. A
district is `bridges.tree.group_of` (the highest intermediate bridge above the school); what a person
sees is limited by their scope path (bridges.scope), passed in by the page or endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bridges.models import Bridge, Tier
from bridges.tree import group_of

from . import definition as d
from .models import ReportAnswer, ReportReminder, ReportRound
from .services import expected_bridges


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str = ""  # the header above (a grid's row, a choice field's label)
    kind: str = "number"  # number | count (schools answering yes / choosing the option)
    field: str = ""
    option: str = ""
    is_total: bool = False


def columns(definition: dict) -> list[Column]:
    out = []
    for f in d.fields_of(definition):
        kind, key, label = f["type"], f["key"], f["label"]
        if kind in (d.INTEGER, d.DECIMAL):
            out.append(Column(key, label, field=key))
        elif kind == d.GRID:
            for row in f["rows"]:
                for col in f["columns"]:
                    out.append(Column(d.cell_key(key, row["key"], col["key"]), col["label"],
                                      group=f"{label} – {row['label']}", field=key))
            out.append(Column(key, _("Total"), group=label, field=key, is_total=True))
        elif kind == d.YES_NO:
            out.append(Column(key, _("yes"), group=label, kind="count", field=key, option="yes"))
        elif kind in (d.CHOICE, d.MULTI_CHOICE):
            out += [Column(f"{key}={c['key']}", c["label"], group=label, kind="count", field=key, option=c["key"])
                    for c in f["choices"]]
    return out


def column_value(column: Column, values: dict, grids: dict[str, dict]):
    """One school's number for a column (None when not answered)."""
    return reader(column, grids)(values)


def reader(column: Column, grids: dict[str, dict]):
    """A function giving one school's number for a column from its values (made once per rollup: 600 schools ×
    60 columns are read for a page)."""
    if column.kind == "count":
        field, option = column.field, column.option
        if option == "yes":
            return lambda values: None if values.get(field) is None else int(values[field] is True)

        def count(values):
            value = values.get(field)
            if value is None:
                return None
            return int(value == option or (isinstance(value, list) and option in value))

        return count
    if column.is_total:
        grid = grids[column.field]
        keys = [d.cell_key(column.field, r["key"], c["key"]) for r in grid["rows"] for c in grid["columns"]]

        def total(values):
            typed = [values[k] for k in keys if values.get(k) is not None]
            return sum(typed) if typed else None

        return total
    key = column.key
    return lambda values: values.get(key)


@dataclass
class SchoolRow:
    bridge: Bridge
    district_id: int
    district_name: str
    answer: ReportAnswer | None
    numbers: list = field(default_factory=list)
    reminders: int = 0
    last_reminded_at: datetime | None = None

    @property
    def submitted(self) -> bool:
        return self.answer is not None and self.answer.submitted

    @property
    def has_draft(self) -> bool:
        return self.answer is not None and not self.answer.submitted and bool(self.answer.draft)


@dataclass
class Totals:
    id: int | None
    name: str
    width: int
    expected: int = 0
    submitted: int = 0
    late: int = 0
    drafts: int = 0
    numbers: list = field(default_factory=list)

    def __post_init__(self):
        self.numbers = [0] * self.width

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    def add(self, row: SchoolRow) -> None:
        self.expected += 1
        self.drafts += row.has_draft
        if not row.submitted:
            return
        self.submitted += 1
        self.late += row.answer.late
        numbers = self.numbers
        for i, value in enumerate(row.numbers):
            if value is not None:
                numbers[i] += value

    def plain_numbers(self) -> list:
        # Whole numbers stay ints; decimals are summed as floats and rounded past what a form keeps.
        return [n if isinstance(n, int) else round(n, 6) for n in self.numbers]


@dataclass
class RoundRollup:
    round: ReportRound
    now: datetime
    columns: list[Column]
    schools: list[SchoolRow]
    districts: list[Totals]
    total: Totals

    @property
    def overdue(self) -> bool:
        return self.now > self.round.deadline

    @property
    def missing(self) -> list[SchoolRow]:
        return [s for s in self.schools if not s.submitted]

    @property
    def late(self) -> list[SchoolRow]:
        return [s for s in self.schools if s.submitted and s.answer.late]


def _ancestors() -> dict[int, dict]:
    # Every bridge above the schools, once: group_of needs the path's intermediate bridges and the root.
    return {row["id"]: row for row in Bridge.objects.exclude(tier__role=Tier.Role.SCHOOL)
            .values("id", "code", "name", "tier__role")}


def rollup(round_: ReportRound, scope_path: str | None, *, district_id: int | None = None,
           now: datetime | None = None) -> RoundRollup:
    now = now or timezone.now()
    definition = round_.version.definition
    cols = columns(definition)
    grids = {f["key"]: f for f in d.fields_of(definition) if f["type"] == d.GRID}
    readers = [reader(c, grids) for c in cols]
    bridges = expected_bridges(round_).select_related("tier").order_by("path")
    if scope_path:
        bridges = bridges.filter(path__startswith=scope_path)
    bridges = list(bridges)
    answers = {a.bridge_id: a for a in ReportAnswer.objects.filter(round=round_, bridge__in=[b.pk for b in bridges])}
    reminded = {row["bridge_id"]: row for row in ReportReminder.objects.filter(round=round_).values("bridge_id")
                .annotate(n=Count("id"), last=Max("at")).order_by()}
    ancestors = _ancestors()
    rows, districts = [], {}
    for bridge in bridges:
        ancestors.setdefault(bridge.pk, {"id": bridge.pk, "code": bridge.code, "name": bridge.name,
                                         "tier__role": bridge.tier.role})
        district = group_of(bridge.path, ancestors)
        if district_id is not None and district["id"] != district_id:
            continue
        answer = answers.get(bridge.pk)
        values = answer.values if answer is not None and answer.submitted else {}
        reminder = reminded.get(bridge.pk, {})
        row = SchoolRow(bridge, district["id"], district["name"], answer,
                        [read(values) for read in readers] if values else [None] * len(cols),
                        reminder.get("n", 0), reminder.get("last"))
        rows.append(row)
        districts.setdefault(district["id"], Totals(district["id"], district["name"], len(cols))).add(row)
    total = Totals(None, _("Total"), len(cols))
    for row in rows:
        total.add(row)
    return RoundRollup(round_, now, cols, rows, sorted(districts.values(), key=lambda t: t.name), total)


def header_groups(cols: list[Column]) -> list[dict]:
    """The first of two header rows: consecutive columns of one group (a grid's row) under one cell; a column
    without a group takes both rows."""
    out: list[dict] = []
    for column in cols:
        if column.group and out and out[-1]["group"] == column.group:
            out[-1]["span"] += 1
        else:
            out.append({"group": column.group, "label": column.label, "span": 1})
    return out
