"""Report tables as an .xlsx workbook that looks like an official annex (openpyxl, write-only).

Write-only mode streams rows to disk: it keeps memory flat for 18,000 teachers (it does not save
time). Everything a streamed sheet needs before its first row (column widths, frozen panes) is set
first. Styled cells copy a prepared style array instead of assigning font/format one by one, which
costs a registry lookup per attribute per cell.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from .cells import ILLEGAL_CHARACTERS_RE, local_naive, looks_like_formula
from .tables import DATE, DATETIME, DECIMAL, INT, PERCENT, Progress, Table

HEADER_ROW = 7
FIRST_DATA_ROW = HEADER_ROW + 1
PROGRESS_EVERY = 2000
NUMBER_FORMATS = {INT: "#,##0", DECIMAL: "#,##0.0", PERCENT: "0.0%", DATE: "dd/mm/yyyy", DATETIME: "dd/mm/yyyy hh:mm"}
# Excel limits a sheet name to 31 characters without []:*?/\ .
_SHEET_NAME_BAD = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass
class TitleBlock:
    issuer: str  # one line each, e.g. the province's committee and the department
    motto: str  # the national motto, one line each
    event_line: str
    scope_line: str
    exported_line: str


class _Styles:
    """Prepared cells whose style arrays are copied onto the cells written."""

    def __init__(self, ws):
        thin = Side(style="thin", color="999999")
        self.ws = ws
        self.protos = {}

        def proto(name, **attrs):
            cell = WriteOnlyCell(ws)
            for key, value in attrs.items():
                setattr(cell, key, value)
            self.protos[name] = cell

        for kind, fmt in NUMBER_FORMATS.items():
            proto(kind, number_format=fmt)
            proto(f"total-{kind}", number_format=fmt, font=Font(bold=True), border=Border(top=thin))
        proto("total-text", font=Font(bold=True), border=Border(top=thin))
        proto("text-safe", quotePrefix=True)
        proto("header", font=Font(bold=True), fill=PatternFill("solid", fgColor="DDE4EE"),
              alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"), border=Border(
                  left=thin, right=thin, top=thin, bottom=thin))
        proto("issuer", font=Font(bold=True), alignment=Alignment(wrap_text=True, horizontal="center",
                                                                  vertical="top"))
        proto("title", font=Font(bold=True, size=14), alignment=Alignment(horizontal="center"))
        proto("line", font=Font(italic=True), alignment=Alignment(horizontal="center"))
        proto("empty", font=Font(bold=True, color="B00020"))
        proto("note", font=Font(italic=True, color="555555"))

    def cell(self, value, name: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value)
        cell._style = copy(self.protos[name]._style)
        return cell


def _text(value) -> str:
    text = str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text) if ILLEGAL_CHARACTERS_RE.search(text) else text


def _converters(table: Table, styles: _Styles, *, total: bool = False):
    def text_value(value):
        if value is None:
            return None
        text = _text(value)
        if looks_like_formula(text):
            # Stored as a string cell with Excel's quote prefix: shown as typed, never evaluated.
            cell = styles.cell(None, "total-text" if total else "text-safe")
            cell.value = text
            cell.data_type = "s"
            cell.quotePrefix = True
            return cell
        return styles.cell(text, "total-text") if total else text

    def number(kind):
        name = f"total-{kind}" if total else kind

        def convert(value):
            if value is None:
                return None
            if isinstance(value, datetime):
                value = local_naive(value)
            elif isinstance(value, str):
                return text_value(value)
            elif not isinstance(value, date | int | float):
                value = str(value)
            return styles.cell(value, name)

        return convert

    return [text_value if column.kind not in NUMBER_FORMATS else number(column.kind) for column in table.columns]


def _merged(ws, row: int, first: int, last: int) -> None:
    if last > first:
        ws.merged_cells.add(CellRange(min_col=first, min_row=row, max_col=last, max_row=row))


def _write_title(ws, styles: _Styles, table: Table, block: TitleBlock) -> None:
    width = len(table.columns)
    left_span = min(max(3, width // 3), width)
    right_first = min(max(left_span + 1, width - max(3, width // 3) + 1), width)
    lines = max(block.issuer.count("\n"), block.motto.count("\n")) + 1
    ws.row_dimensions[1].height = 16 * lines
    first = [styles.cell(_text(block.issuer), "issuer")] + [None] * (right_first - 2)
    if right_first > left_span:
        first.append(styles.cell(_text(block.motto), "issuer"))
    ws.append(first)
    _merged(ws, 1, 1, left_span)
    if right_first > left_span:
        _merged(ws, 1, right_first, width)
    ws.append([])
    ws.append([styles.cell(_text(table.title), "title")])
    ws.append([styles.cell(_text(block.event_line), "line")])
    ws.append([styles.cell(_text(block.scope_line + " · " + block.exported_line), "line")])
    for row in (3, 4, 5):
        _merged(ws, row, 1, width)
    ws.append([styles.cell(_text(table.empty_message), "empty")] if not table.row_count else [])
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.append([styles.cell(_text(column.header), "header") for column in table.columns])


def _add_chart(ws, table: Table, last_data_row: int, anchor_row: int) -> None:
    spec = table.chart
    label_col = table.index_of(spec.label_key) + 1
    value_col = table.index_of(spec.value_key) + 1
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long district names stay readable
    chart.title = spec.title
    chart.y_axis.title = spec.y_title
    chart.y_axis.numFmt = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorGridlines = None
    chart.legend = None
    values = Reference(ws, min_col=value_col, min_row=FIRST_DATA_ROW, max_row=last_data_row)
    labels = Reference(ws, min_col=label_col, min_row=FIRST_DATA_ROW, max_row=last_data_row)
    chart.add_data(values, titles_from_data=False)
    chart.set_categories(labels)
    chart.height = max(7.5, 0.6 * (last_data_row - FIRST_DATA_ROW + 1) + 3)
    chart.width = 22
    ws.add_chart(chart, f"B{anchor_row}")


def write_table(wb: Workbook, table: Table, block: TitleBlock, progress: Progress | None = None,
                done_before: int = 0) -> int:
    ws = wb.create_sheet(table.name.translate(_SHEET_NAME_BAD)[:31])
    styles = _Styles(ws)
    # Before the first row: streamed sheets write these at the top of the sheet XML.
    for index, column in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = f"{get_column_letter(table.frozen_columns + 1)}{FIRST_DATA_ROW}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    _write_title(ws, styles, table, block)
    convert = _converters(table, styles)
    written = 0
    for row in table.rows:
        ws.append([c(v) for c, v in zip(convert, row, strict=True)])
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(done_before + written)
    last_row = HEADER_ROW + written
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(table.columns))}{max(last_row, HEADER_ROW)}"
    next_row = last_row + 1
    if table.total is not None:
        total_convert = _converters(table, styles, total=True)
        ws.append([c(v) for c, v in zip(total_convert, table.total, strict=True)])
        next_row += 1
    if table.notes:
        ws.append([])
        next_row += 1
        for note in table.notes:
            ws.append([styles.cell(_text(note), "note")])
            next_row += 1
    if table.chart is not None and written:
        _add_chart(ws, table, last_row, next_row + 1)
    if progress is not None:
        progress(done_before + written)
    return written


def write_workbook(target, tables: list[Table], block: TitleBlock, progress: Progress | None = None) -> int:
    """Write the tables, one sheet each, to a path or binary file; returns the data rows written."""
    wb = Workbook(write_only=True)
    done = 0
    for table in tables:
        done += write_table(wb, table, block, progress, done)
    wb.save(target)
    return done
