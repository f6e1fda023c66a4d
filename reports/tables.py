"""A report table as the workbook, the CSV writer and the reports page all see it.

Values stay typed (int, float, date, datetime, str, None); each column says how to show them, so
the writers format and the page formats the same numbers the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

TEXT, INT, DECIMAL, PERCENT, DATE, DATETIME = "text", "int", "decimal", "percent", "date", "datetime"
# A row's number in its table (Số TT): an integer written without a thousands separator.
SERIAL = "serial"
# A moment shown by its time of day (a check-in at a roll call): the workbook shows hh:mm, the CSV the
# full ISO date-time. Text in such a column (e.g. "absent") stays text.
TIME = "time"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT
    width: float = 12  # in Excel's units (widths of the digit 0); reports.widths.fit sizes it from the data
    wrap: bool = False  # longer values than the width wrap onto more lines instead of being cut off
    # False: kept in the sheet and the CSV, left off the printed page (contacts on the bridges sheet);
    # such columns come last, the print area stops before them.
    printed: bool = True
    centred: bool = False  # short words ("yes", "absent") read better centred between numbers


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

    @property
    def printed_columns(self) -> list[Column]:
        """The columns on paper: the leading ones up to the first left off."""
        printed = []
        for column in self.columns:
            if not column.printed:
                break
            printed.append(column)
        if any(c.printed for c in self.columns[len(printed):]):
            raise ValueError(f"{self.slug}: columns left off the page must come last")
        return printed


Progress = Callable[[int], None]


def format_cell(value, kind: str) -> str:
    """A cell as the reports page shows it, in the reader's language (dates dd/mm/yyyy)."""
    from django.utils.formats import number_format

    from .cells import date_text, local_naive

    if value is None:
        return "–"
    if kind in (DATE, DATETIME):
        return date_text(value)
    if kind == TIME and not isinstance(value, str):
        return local_naive(value).strftime("%H:%M")
    if isinstance(value, str):
        return value
    if kind == PERCENT:
        return f"{number_format(value * 100, 1)} %"
    if kind == DECIMAL:
        return number_format(value, 1, force_grouping=True)
    if kind == SERIAL:
        return str(value)
    return number_format(value, force_grouping=True)


def display_rows(table: Table, rows=None) -> list[list[tuple[str, bool]]]:
    """(text, is a number) per cell, for an HTML table."""
    numeric = [c.kind not in (TEXT,) for c in table.columns]
    source = table.rows if rows is None else rows
    return [[(format_cell(v, c.kind), n) for v, c, n in zip(row, table.columns, numeric, strict=True)]
            for row in source]
