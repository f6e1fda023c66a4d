"""Report tables as an .xlsx workbook that looks and prints like an official annex (openpyxl, write-only).

Write-only mode streams rows to disk: it keeps memory flat for 18,000 teachers. Everything a streamed
sheet needs before its first row (column widths, frozen panes) is set first; the page setup
(reports.page_setup) is written after the rows. A table's data and total rows are made of
reports.xlsx.PreparedCell, one per column and style, whose style id is looked up once, and are
written by reports.xlsx.stream_rows as the very XML openpyxl's writer makes, without an element tree
per cell: the styled workbook costs less than bare openpyxl writing the same values
(bench/bench_reports.py). Plain cells take the workbook's font (Times New Roman 11, reports.widths).

A workbook may open with a signed cover sheet (reports.cover): it is the first and active sheet,
so "print" in Excel prints the one or two pages an official signs, not the annexes.
"""

from __future__ import annotations

from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from . import page_setup
from .cells import FORMULA_PREFIXES, ILLEGAL_CHARACTERS_RE, local_naive
from .cover import Cover, write_cover
from .tables import Progress, Table
from .widths import POINTS_PER_WIDTH, row_height, widest, wrapped_lines
from .xlsx import (
    MAX_TEXT,
    NUMBER_FORMATS,
    PreparedRow,
    Styles,
    TitleBlock,
    clean,
    column_widths,
    header_height,
    merge,
    new_workbook,
    sheet_name,
)

HEADER_ROW = 7
FIRST_DATA_ROW = HEADER_ROW + 1
PROGRESS_EVERY = 2000
ROW = 15.0  # points: a row of one line, as the page arithmetic counts it
CM_PER_POINT = 2.54 / 72
PAGE_ROWS_AT_MOST = 60  # more data rows than this never leave room under them on the first page


def _converters(table: Table, styles: Styles, widths: list[float], *, total: bool = False):
    """One function per column turning a value into what the row holds: None, or a PreparedCell of that
    column (one per style it may take, reused row after row) holding the value with its cell type."""

    def text_converter(width: float | None, centred: bool = False):
        """Text cells; `width`: a wrapped column's width (a value that needs more than one line wraps)."""
        plain = styles.prepared("total-text" if total else ("centred" if centred else None))
        # Stored as a string cell with Excel's quote prefix: shown as typed, never evaluated.
        safe = styles.prepared("total-text" if total else ("centred-safe" if centred else "text-safe"))
        wrapping = width is not None and not total
        wrap = styles.prepared("wrap") if wrapping else None
        wrap_safe = styles.prepared("wrap-safe") if wrapping else None
        search = ILLEGAL_CHARACTERS_RE.search

        def text_value(value):
            if value is None:
                return None
            text = value if value.__class__ is str else str(value)
            if search(text):
                text = ILLEGAL_CHARACTERS_RE.sub("", text)
            if len(text) > MAX_TEXT:
                text = text[:MAX_TEXT]
            wraps = wrapping and wrapped_lines(text, width) > 1
            if text.startswith(FORMULA_PREFIXES):
                return (wrap_safe if wraps else safe).put(text, "s")
            return (wrap if wraps else plain).put(text, "s")

        return text_value

    def number(kind, centred: bool):
        name = f"total-{kind}" if total else (f"centred-{kind}" if f"centred-{kind}" in styles.protos and centred
                                               else kind)
        cell = styles.prepared(name)
        as_text = text_converter(None, centred)

        def convert(value):
            if value is None:
                return None
            cls = value.__class__
            if cls is int or cls is float:
                return cell.put(value, "n")
            if cls is datetime:
                return cell.put(local_naive(value), "d")
            if cls is str:
                return as_text(value)
            if cls is bool:
                return cell.put(value, "b")
            if isinstance(value, datetime):
                return cell.put(local_naive(value), "d")
            if isinstance(value, date):
                return cell.put(value, "d")
            if isinstance(value, int | float):
                return cell.put(value, "n")
            return as_text(str(value))

        return convert

    return [text_converter(width if column.wrap else None, column.centred) if column.kind not in NUMBER_FORMATS
            else number(column.kind, column.centred) for column, width in zip(table.columns, widths, strict=True)]


def _spans(widths: list[float], left_need: float, right_need: float) -> tuple[int, int]:
    """(last column of the left block, first column of the right block) of a title row: each block as
    wide as its longest line needs, the left from the first column, the right up to the last."""
    count = len(widths)
    left, room = 1, widths[0]
    while room < left_need and left < count - 1:
        room += widths[left]
        left += 1
    right, room = count, widths[-1]
    while room < right_need and right - 1 > left + 1:
        right -= 1
        room += widths[right - 1]
    return left, max(right, left + 1)


def _write_title(ws, styles: Styles, table: Table, block: TitleBlock, widths: list[float]) -> None:
    """The annex's title block over the printed columns: issuer and motto, title, event, scope."""
    width = len(widths)
    issuer, motto = clean(block.issuer), clean(block.motto)
    left_span, right_first = _spans(widths, widest(issuer.splitlines(), bold=True),
                                    widest(motto.splitlines(), bold=True))
    if width < 3:
        left_span, right_first = width, width + 1  # too narrow for two blocks: the issuer alone
    lines = wrapped_lines(issuer, sum(widths[:left_span]), bold=True)
    if right_first <= width:
        lines = max(lines, wrapped_lines(motto, sum(widths[right_first - 1:]), bold=True))
    ws.row_dimensions[1].height = row_height(lines)
    first = [styles.text(issuer, "issuer")] + [None] * (right_first - 2)
    if right_first <= width:
        first.append(styles.text(motto, "issuer"))
    ws.append(first)
    merge(ws, 1, 1, left_span)
    if right_first <= width:
        merge(ws, 1, right_first, width)
    ws.append([])
    ws.append([styles.text(table.title, "title")])
    ws.append([styles.text(block.event_line, "line")])
    ws.append([styles.text(block.scope_line + " · " + block.exported_line, "line")])
    for row in (3, 4, 5):
        merge(ws, row, 1, width)
    ws.append([styles.text(table.empty_message, "empty")] if not table.row_count else [])
    ws.append([styles.text(column.header, "header") for column in table.columns])


def _chart(ws, table: Table, last_data_row: int, widths: list[float]) -> BarChart:
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
    chart.x_axis.scaling.orientation = "maxMin"  # the first district on top, as in the table
    chart.x_axis.tickLblSkip = 1  # every district named (LibreOffice skips labels it finds crowded)
    values = Reference(ws, min_col=value_col, min_row=FIRST_DATA_ROW, max_row=last_data_row)
    labels = Reference(ws, min_col=label_col, min_row=FIRST_DATA_ROW, max_row=last_data_row)
    chart.add_data(values, titles_from_data=False)
    chart.set_categories(labels)
    # 0.75 cm a bar: LibreOffice names every other bar when they are closer.
    chart.height = max(7.5, 0.75 * (last_data_row - FIRST_DATA_ROW + 1) + 3)
    # Within the printed width (cm), so that the chart does not widen what is fitted to the page.
    chart.width = min(22, sum(widths[1:]) * POINTS_PER_WIDTH * CM_PER_POINT)
    return chart


def write_table(wb: Workbook, table: Table, block: TitleBlock, progress: Progress | None = None,
                done_before: int = 0) -> int:
    ws = wb.create_sheet(sheet_name(table.name))
    styles = Styles(ws)
    widths = column_widths(table)
    printed = len(table.printed_columns)
    # Before the first row: streamed sheets write these at the top of the sheet XML.
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"{get_column_letter(table.frozen_columns + 1)}{FIRST_DATA_ROW}"
    ws.row_dimensions[HEADER_ROW].height = header_height(table, widths)
    # Before the first row too: "fit to page" is part of the sheet's properties, at the top of its XML.
    plan = page_setup.layout(widths[:printed])
    page_setup.apply(ws, plan, page_setup.TABLE_MARGINS, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    # Points used on the page so far (at full size), to know whether a chart still fits under the table.

    _write_title(ws, styles, table, block, widths[:printed])
    used = (ws.row_dimensions[1].height or ROW) + (HEADER_ROW - 2) * ROW + ws.row_dimensions[HEADER_ROW].height
    convert = _converters(table, styles, widths)
    # Neither Excel nor LibreOffice fits a row's height to wrapped text when opening a file: a row whose
    # wrapped cells need more than one line gets its height here (measured once per distinct value).
    wrapped = [(i, widths[i]) for i, c in enumerate(table.columns) if c.wrap]
    written = 0
    for row in table.rows:
        if wrapped:
            lines = max(wrapped_lines(str(row[i]), w) if row[i] else 1 for i, w in wrapped)
            if lines > 1:
                ws.row_dimensions[FIRST_DATA_ROW + written].height = row_height(lines)
                used += row_height(lines) - ROW
        used += ROW
        ws.append(PreparedRow([c(v) for c, v in zip(convert, row, strict=True)]))
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(done_before + written)
    last_row = HEADER_ROW + written
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(table.columns))}{max(last_row, HEADER_ROW)}"
    next_row = last_row + 1
    if table.total is not None:
        total_convert = _converters(table, styles, widths, total=True)
        ws.append(PreparedRow([c(v) for c, v in zip(total_convert, table.total, strict=True)]))
        next_row += 1
    if table.notes:
        ws.append([])
        next_row += 1
        for note in table.notes:
            ws.append([styles.text(note, "note")])
            next_row += 1
    if table.chart is not None and written:
        chart = _chart(ws, table, last_row, widths[:printed])
        used += (next_row - last_row) * ROW
        # Under the table if it fits on that page, else on a page of its own: a chart crossing a page
        # break is printed cut in two.
        room = page_setup.page_height(plan, page_setup.TABLE_MARGINS) - used
        if written > PAGE_ROWS_AT_MOST or ROW + chart.height / CM_PER_POINT > room:
            ws.row_breaks.append(Break(id=next_row - 1))
        ws.add_chart(chart, f"B{next_row + 1}")
    if printed < len(table.columns):
        ws.print_area = f"A1:{get_column_letter(printed)}{max(next_row - 1, HEADER_ROW)}"
    if progress is not None:
        progress(done_before + written)
    return written


def write_workbook(target, tables: list[Table], block: TitleBlock, progress: Progress | None = None,
                   cover: Cover | None = None) -> int:
    """Write the tables, one sheet each (after the signed cover sheet, if any), to a path or binary file;
    returns the data rows written."""
    wb = new_workbook()
    if cover is not None:
        write_cover(wb, cover, block)
    done = 0
    for table in tables:
        done += write_table(wb, table, block, progress, done)
    wb.save(target)
    return done
