"""A report table as the workbook, the CSV writer and the reports page all see it.

Values stay typed (int, float, date, datetime, str, None); each column says how to show them, so
the writers format and the page formats the same numbers the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

TEXT, INT, DECIMAL, PERCENT, DATE, DATETIME = "text", "int", "decimal", "percent", "date", "datetime"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT
    width: float = 12


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart of one column against the labels of another, over the table's data rows."""

    title: str
    label_key: str
    value_key: str
    y_title: str = ""


@dataclass
class Table:
    name: str  # sheet tab / file name part
    title: str  # the title line of the annex
    columns: list[Column]
    rows: Iterable[list]
    row_count: int
    total: list | None = None
    chart: ChartSpec | None = None
    # Columns kept in view when scrolling sideways (identity columns).
    frozen_columns: int = 0
    empty_message: str = ""
    notes: list[str] = field(default_factory=list)
    slug: str = ""

    def index_of(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)


Progress = Callable[[int], None]


def format_cell(value, kind: str) -> str:
    """A cell as the reports page shows it, in the reader's language (dates dd/mm/yyyy)."""
    from django.utils.formats import number_format

    from .cells import date_text

    if value is None:
        return "–"
    if kind in (DATE, DATETIME):
        return date_text(value)
    if isinstance(value, str):
        return value
    if kind == PERCENT:
        return f"{number_format(value * 100, 1)} %"
    if kind == DECIMAL:
        return number_format(value, 1, force_grouping=True)
    return number_format(value, force_grouping=True)


def display_rows(table: Table, rows=None) -> list[list[tuple[str, bool]]]:
    """(text, is a number) per cell, for an HTML table."""
    numeric = [c.kind not in (TEXT,) for c in table.columns]
    source = table.rows if rows is None else rows
    return [[(format_cell(v, c.kind), n) for v, c, n in zip(row, table.columns, numeric, strict=True)]
            for row in source]
