"""The workbook's first sheet: the one or two pages an official signs (a report in the form of Decree 30/2020).

National header (issuing body on the left, the motto on the right), place and date under the motto,
the title, what the report covers and when, a short table by district with its total, the notes that
say what the numbers mean, a chart, and the signer's block. Portrait A4 at full size: the sheet's
columns are the table's, chosen by the builder (reports.sheets.cover) to fit the page's width.

Every row's height is set here (merged cells are never fitted by Excel or LibreOffice), so the sheet
knows where its first page ends and breaks the page before the chart or the signer's block rather
than through them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from . import page_setup
from .tables import Table
from .widths import POINTS_PER_WIDTH, row_height, widest, wrapped_lines
from .xlsx import (
    BOX,
    NUMBER_FORMATS,
    Styles,
    TitleBlock,
    clean,
    column_widths,
    font,
    header_height,
    merge,
    sheet_name,
)

ROW = 15.0  # points: an ordinary row of the cover
HEADER_SIZE = 12  # the national header (Decree 30: 12-13 pt)
CM = 72 / 2.54  # points
SIGNATURE_ROWS = 5  # the blank space for the signature and the seal


@dataclass(frozen=True)
class CoverChart:
    """Bars per row of the cover's table: one series per column key (named by its header)."""

    title: str
    label_key: str
    series: list[str]


@dataclass
class Cover:
    name: str  # the sheet's tab
    title: str  # "BÁO CÁO"
    subtitle: str  # what it reports on
    table: Table  # a few columns by district, with its total
    chart: CoverChart | None = None
    notes: list[str] = field(default_factory=list)


class _Sheet:
    """Appends rows to the cover, keeping each row's height to know where the pages break."""

    def __init__(self, ws, styles: Styles, widths: list[float], left_need: float, right_need: float):
        self.ws, self.styles, self.widths = ws, styles, widths
        self.count = len(widths)
        self.heights: list[float] = []
        # The left and right parts of the national header and the signer's block. The motto must stay on
        # one line: the right part gets what it needs, the left the rest (its first line may wrap, as
        # "ỦY BAN NHÂN DÂN / TỈNH QUẢNG NGÃI" often does); room to spare is shared between them.
        total = sum(widths)
        spare = max(total - left_need - right_need, 0)
        target = min(right_need + spare / 2, total - widths[0])
        self.split, room = self.count - 1, 0.0
        for index in range(self.count - 1, 0, -1):
            if room >= target:
                break
            room += widths[index]
            self.split = index

    @property
    def row(self) -> int:
        return len(self.heights)

    def span_width(self, first: int, last: int) -> float:
        return sum(self.widths[first - 1:last])

    def append(self, cells: list, height: float = ROW) -> int:
        # Before the row: a streamed sheet writes a row's height with the row.
        self.ws.row_dimensions[self.row + 1].height = height
        self.ws.append(cells)
        self.heights.append(height)
        return self.row

    def blank(self, height: float = ROW) -> int:
        return self.append([], height)

    def line(self, text: str, style: str, size: float, *, bold: bool = False) -> int:
        """A line of text across the sheet, wrapped, its height measured."""
        lines = wrapped_lines(text, self.span_width(1, self.count), size, bold)
        row = self.append([self.styles.text(text, style)], row_height(lines, size))
        merge(self.ws, row, 1, self.count)
        return row

    def halves(self, left: tuple[str, str] | None, right: tuple[str, str] | None, size: float) -> int:
        """A row with a text centred over the left half and one over the right half."""
        cells = [None] * self.count
        lines = 1
        for part, first, last in ((left, 1, self.split), (right, self.split + 1, self.count)):
            if part is None or not part[0]:
                continue
            text, style = part
            cells[first - 1] = self.styles.text(text, style)
            lines = max(lines, wrapped_lines(text, self.span_width(first, last), size, bold=True))
        row = self.append(cells, row_height(lines, size))
        merge(self.ws, row, 1, self.split)
        merge(self.ws, row, self.split + 1, self.count)
        return row


def _add_styles(styles: Styles) -> None:
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    styles.add("c-body", font=font(size=12), alignment=centred)
    styles.add("c-body-bold", font=font(size=12, bold=True), alignment=centred)
    styles.add("c-body-bold-line", font=font(size=12, bold=True, underline="single"), alignment=centred)
    styles.add("c-motto-line", font=font(size=HEADER_SIZE, bold=True, underline="single"), alignment=centred)
    styles.add("c-motto", font=font(size=12, bold=True), alignment=centred)
    styles.add("c-dated", font=font(size=13, italic=True), alignment=centred)
    styles.add("c-title", font=font(size=14, bold=True), alignment=centred)
    styles.add("c-subtitle", font=font(size=13, bold=True), alignment=centred)
    styles.add("c-line", font=font(size=13), alignment=centred)
    styles.add("c-as-of", font=font(size=12, italic=True), alignment=centred)
    styles.add("c-note", font=font(size=11, italic=True), alignment=Alignment(wrap_text=True, vertical="top"))
    styles.add("c-signer", font=font(size=13, bold=True), alignment=centred)
    styles.add("c-header", font=font(bold=True), border=BOX,
               alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"))
    text = Alignment(wrap_text=True, vertical="center")
    styles.add("c-text", border=BOX, alignment=text)
    styles.add("c-total-text", border=BOX, alignment=text, font=font(bold=True))
    middle = Alignment(vertical="center")
    for kind, fmt in NUMBER_FORMATS.items():
        styles.add(f"c-{kind}", number_format=fmt, border=BOX, alignment=middle)
        styles.add(f"c-total-{kind}", number_format=fmt, border=BOX, alignment=middle, font=font(bold=True))
    styles.add("c-empty", border=BOX)
    styles.add("c-total-empty", border=BOX, font=font(bold=True))


def _header(sheet: _Sheet, block: TitleBlock) -> None:
    """Issuing body | national motto, one row per line; the place and date under the motto."""
    issuer = [line for line in block.issuer.splitlines() if line.strip()]
    motto = [line for line in block.motto.splitlines() if line.strip()]
    for index in range(max(len(issuer), len(motto))):
        left = right = None
        if index < len(issuer):
            # Decree 30: the governing body in regular capitals, the issuing body (last line) in bold.
            last = index == len(issuer) - 1
            left = (issuer[index], "c-body-bold-line" if last else "c-body")
        if index < len(motto):
            last = index == len(motto) - 1
            right = (motto[index], "c-motto-line" if last and index else "c-motto")
        sheet.halves(left, right, HEADER_SIZE)
    sheet.blank(8)
    if block.dated:
        sheet.halves(None, (block.dated, "c-dated"), 13)


def _table(sheet: _Sheet, table: Table) -> tuple[int, int]:
    """The table with borders; returns (first data row, last data row)."""
    styles = sheet.styles
    sheet.append([styles.text(c.header, "c-header") for c in table.columns],
                 header_height(table, sheet.widths))
    first = sheet.row + 1

    def cells(values: list, total: bool) -> tuple[list, float]:
        prefix = "c-total-" if total else "c-"
        out, lines = [], 1
        for column, width, value in zip(table.columns, sheet.widths, values, strict=True):
            if value is None:
                out.append(styles.cell(None, prefix + "empty"))
            elif column.kind == "text":
                out.append(styles.text(value, prefix + "text"))
                lines = max(lines, wrapped_lines(clean(value), width, bold=total))
            else:
                out.append(styles.cell(value, prefix + column.kind))
        return out, row_height(lines)

    for values in table.rows:
        sheet.append(*cells(values, False))
    last = sheet.row
    if table.total is not None:
        sheet.append(*cells(table.total, True))
    return first, last


def _chart(sheet: _Sheet, table: Table, spec: CoverChart, first: int, last: int) -> tuple[BarChart, int]:
    """The chart and the rows it covers."""
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: district names stay readable
    chart.grouping = "clustered"
    chart.title = spec.title
    chart.y_axis.numFmt = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # the first district on top, as in the table
    chart.legend.position = "b"
    chart.x_axis.tickLblSkip = 1  # every district named (LibreOffice skips labels it finds crowded)
    labels = Reference(sheet.ws, min_col=table.index_of(spec.label_key) + 1, min_row=first, max_row=last)
    for key in spec.series:
        column = table.index_of(key) + 1
        # The header cell (the row above the data) names the series.
        chart.add_data(Reference(sheet.ws, min_col=column, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(labels)
    chart.width = sum(sheet.widths) * POINTS_PER_WIDTH / CM
    chart.height = min(14.0, 0.7 * (last - first + 1) + 3.5)
    rows = math.ceil(chart.height * CM / ROW) + 1
    return chart, rows


def write_cover(wb: Workbook, cover: Cover, block: TitleBlock) -> None:
    ws = wb.create_sheet(sheet_name(cover.name))
    styles = Styles(ws)
    _add_styles(styles)
    widths = column_widths(cover.table)
    # The table spans the page's width: its widest text column takes what is left.
    page_units = page_setup.printable_width(page_setup.PORTRAIT, page_setup.DOCUMENT_MARGINS) / POINTS_PER_WIDTH
    if sum(widths) < page_units - 1:
        texts = [i for i, c in enumerate(cover.table.columns) if c.kind == "text"]
        if texts:
            widest_text = max(texts, key=lambda i: widths[i])
            widths[widest_text] += round(page_units - 1 - sum(widths), 1)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    left_need = widest(block.issuer.splitlines(), size=HEADER_SIZE, bold=True)
    right_need = widest([*block.motto.splitlines(), block.dated], size=HEADER_SIZE, bold=True)
    sheet = _Sheet(ws, styles, widths, left_need, right_need)
    # Before the first row: "fit to page" is part of the sheet's properties, at the top of its XML.
    plan = page_setup.layout(widths, page_setup.DOCUMENT_MARGINS, orientation=page_setup.PORTRAIT)
    page_setup.apply(ws, plan, page_setup.DOCUMENT_MARGINS)

    _header(sheet, block)
    sheet.blank()
    sheet.line(cover.title, "c-title", 14, bold=True)
    sheet.line(cover.subtitle, "c-subtitle", 13, bold=True)
    if block.event_title:
        sheet.line(block.event_title, "c-subtitle", 13, bold=True)
    for text in (block.scope_line, block.period_line):
        if text:
            sheet.line(text, "c-line", 13)
    if block.as_of_line:
        sheet.line(block.as_of_line, "c-as-of", 12)
    sheet.blank()
    if cover.table.row_count:
        first, last = _table(sheet, cover.table)
    else:
        first = last = 0
        sheet.line(cover.table.empty_message, "c-note", 11)
    for note in cover.notes:
        sheet.line(note, "c-note", 11)

    page = page_setup.page_height(plan, page_setup.DOCUMENT_MARGINS)
    if cover.chart is not None and last >= first > 0:
        chart, rows = _chart(sheet, cover.table, cover.chart, first, last)
        _keep_together(sheet, [ROW] * (rows + 1), page)
        # A blank row above the chart: LibreOffice draws (clipped) on the page before a chart that starts
        # right at a page break.
        sheet.blank()
        ws.add_chart(chart, f"A{sheet.row + 1}")
        for _ in range(rows):
            sheet.blank()

    # The signer's block, kept on one page: title (one line each), room to sign, name.
    signer = [line for line in block.signer_title.splitlines() if line.strip()]
    if signer or block.signer_name:
        heights = [ROW] + [row_height(1, 13)] * len(signer) + [ROW] * SIGNATURE_ROWS + [row_height(1, 13)]
        _keep_together(sheet, heights, page)
        sheet.blank()
        for line in signer:
            sheet.halves(None, (line, "c-signer"), 13)
        for _ in range(SIGNATURE_ROWS):
            sheet.blank()
        if block.signer_name:
            sheet.halves(None, (block.signer_name, "c-signer"), 13)

    ws.print_area = f"A1:{get_column_letter(len(widths))}{sheet.row}"


def _keep_together(sheet: _Sheet, heights: list[float], page: float) -> None:
    """Break the page before the next rows if they would run over the end of the page they start on."""
    used = 0.0
    for height in sheet.heights[_after_last_break(sheet):]:
        if used + height > page:  # the program breaks before a row that does not fit
            used = 0.0
        used += height
    if used and used + sum(heights) > page:
        sheet.ws.row_breaks.append(Break(id=sheet.row))


def _after_last_break(sheet: _Sheet) -> int:
    breaks = [b.id for b in sheet.ws.row_breaks.brk]
    return max(breaks) if breaks else 0

