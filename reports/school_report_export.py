"""A school-report round as officials print and sign it (.xlsx, the annex layout) and as programs read it (CSV).

The workbook: sheet "Tổng hợp" — the title block (issuer, national motto, the Decree 30 date line from
core.dates), the round's title and scope, one row per district with its totals and a province total, a bar
chart per grid of the form (the grid's total per district, drawn from the district rows' cells), and the
signer block; sheet "Chi tiết" — one row per school grouped by district, each district closed by its
subtotal, the province total last. Both sheets have two header rows (a grid's row label above its
columns), print on A4 landscape fitted to the page width with the header rows repeated. Every number
comes from schoolreports.rollup; text is guarded against formula injection (reports.cells).
The CSV is the project's one CSV format (reports.csv_export): one row per school, one column per number.
"""

from __future__ import annotations

import io
import math
from copy import copy
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from core.dates import official_date
from schoolreports import definition as d
from schoolreports.rollup import RoundRollup

from .cells import clean_cell_text, local_naive, looks_like_formula
from .csv_export import write_csv
from .tables import DATETIME, DECIMAL, INT, Column, Table
from .widths import POINTS_PER_WIDTH

FONT = "Times New Roman"
CM = 72 / 2.54  # points
ROW = 15.0  # points: a row of default height
DISTRICT_WIDTH = 28  # the summary's district column; every other column is 10 wide (_print_setup)
THIN = Side(style="thin", color="666666")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(name=FONT, bold=True, size=11)
PLAIN = Font(name=FONT, size=11)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass
class Heading:
    issuer: str = ""  # one line each, e.g. "UBND TỈNH QUẢNG NGÃI\nSỞ GIÁO DỤC VÀ ĐÀO TẠO"
    place: str = ""
    signer_title: str = ""
    signer_name: str = ""
    scope: str = ""  # the district exported, or the whole province


def _put(ws, row: int, column: int, value, *, font=PLAIN, align=None, border=True, number_format=None):
    if isinstance(value, str):
        value = clean_cell_text(value)
    cell = ws.cell(row=row, column=column, value=value)
    guarded = isinstance(value, str) and looks_like_formula(value)
    if guarded:
        cell.data_type = "s"  # shown as typed, never evaluated
    # Assigning a font or border hashes openpyxl's style objects each time (seconds for 600 schools × 60
    # numbers): each combination is set once per workbook and its style array copied to the next cells.
    cache = ws.parent.diemcau_styles
    key = (id(font), id(align), border, number_format, guarded)
    if key in cache:
        cell._style = copy(cache[key])
        return cell
    cell.font = font
    if align is not None:
        cell.alignment = align
    if border:
        cell.border = BOX
    if number_format:
        cell.number_format = number_format
    if guarded:
        cell.quotePrefix = True
    cache[key] = copy(cell._style)
    return cell


def _title_block(ws, state: RoundRollup, heading: Heading, width: int, now) -> int:
    """Issuer left, motto right, the date line, the title; returns the next free row."""
    half = max(2, width // 2)
    lines = [line for line in heading.issuer.splitlines() if line.strip()] or [""]
    motto = [_("SOCIALIST REPUBLIC OF VIETNAM"), _("Independence – Freedom – Happiness")]
    for i in range(max(len(lines), len(motto))):
        row = i + 1
        if i < len(lines):
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=half)
            _put(ws, row, 1, lines[i].upper(), font=BOLD, align=CENTER, border=False)
        if i < len(motto):
            ws.merge_cells(start_row=row, start_column=half + 1, end_row=row, end_column=width)
            _put(ws, row, half + 1, motto[i], font=BOLD, align=CENTER, border=False)
    row = max(len(lines), len(motto)) + 2
    ws.merge_cells(start_row=row, start_column=half + 1, end_row=row, end_column=width)
    _put(ws, row, half + 1, official_date(now, heading.place), font=Font(name=FONT, italic=True, size=11),
         align=CENTER, border=False)
    row += 2
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    _put(ws, row, 1, state.round.title.upper(), font=Font(name=FONT, bold=True, size=13), align=CENTER, border=False)
    row += 1
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    deadline = timezone.localtime(state.round.deadline).strftime("%d/%m/%Y %H:%M")
    _put(ws, row, 1, _("%(scope)s · deadline %(deadline)s · %(submitted)s of %(expected)s schools answered") % {
        "scope": heading.scope or _("Whole province"), "deadline": deadline, "submitted": state.total.submitted,
        "expected": state.total.expected}, font=Font(name=FONT, italic=True, size=11), align=CENTER, border=False)
    return row + 2


def _headers(ws, row: int, fixed: list[str], state: RoundRollup) -> int:
    """Two header rows: the fixed columns merged down, a grid's (or choice's) group merged across its columns."""
    for i, label in enumerate(fixed, start=1):
        ws.merge_cells(start_row=row, start_column=i, end_row=row + 1, end_column=i)
        _put(ws, row, i, label, font=BOLD, align=CENTER)
        _put(ws, row + 1, i, None, font=BOLD, align=CENTER)
    start = len(fixed) + 1
    i = 0
    columns = state.columns
    while i < len(columns):
        column = columns[i]
        at = start + i
        if not column.group:
            ws.merge_cells(start_row=row, start_column=at, end_row=row + 1, end_column=at)
            _put(ws, row, at, column.label, font=BOLD, align=CENTER)
            _put(ws, row + 1, at, None, font=BOLD, align=CENTER)
            i += 1
            continue
        j = i
        while j + 1 < len(columns) and columns[j + 1].group == column.group:
            j += 1
        if j > i:
            ws.merge_cells(start_row=row, start_column=at, end_row=row, end_column=start + j)
        for k in range(i, j + 1):
            _put(ws, row, start + k, column.group if k == i else None, font=BOLD, align=CENTER)
            _put(ws, row + 1, start + k, columns[k].label, font=BOLD, align=CENTER)
        i = j + 1
    ws.row_dimensions[row].height = 45
    ws.row_dimensions[row + 1].height = 45
    return row + 2


def _numbers(ws, row: int, first_column: int, numbers, font=PLAIN) -> None:
    for i, value in enumerate(numbers):
        _put(ws, row, first_column + i, value, font=font, number_format="#,##0.##")


def _print_setup(ws, header_rows: str, width: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = header_rows
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = _("Page &P / &N")
    for i in range(1, width + 1):
        ws.column_dimensions[get_column_letter(i)].width = 10


def grid_charts(ws, state: RoundRollup, first: int, last: int, fixed: int, table_width: float) -> list[BarChart]:
    """One bar chart per grid of the form: the grid's total per district, read from the district rows
    `first`..`last` of the summary sheet (names in column B; the province total row is left out, it would
    dwarf the bars). Empty when no district is listed or the form has no grid."""
    if last < first:
        return []
    grids = {f["key"]: f["label"] for f in d.fields_of(state.round.version.definition) if f["type"] == d.GRID}
    labels = Reference(ws, min_col=2, min_row=first, max_row=last)
    charts = []
    for index, column in enumerate(state.columns):
        if not (column.is_total and column.field in grids):
            continue
        chart = BarChart()
        chart.type = "bar"  # horizontal bars: district names stay readable
        chart.grouping = "clustered"
        chart.title = grids[column.field]
        chart.y_axis.title = _("Total")
        chart.y_axis.scaling.min = 0
        chart.y_axis.majorGridlines = None
        chart.x_axis.scaling.orientation = "maxMin"  # the first district on top, as in the table
        chart.x_axis.tickLblSkip = 1  # every district named (LibreOffice skips labels it finds crowded)
        chart.legend = None  # one series, named by the title
        data = Reference(ws, min_col=fixed + 1 + index, min_row=first, max_row=last)
        chart.add_data(data, titles_from_data=False)
        chart.series[0].tx = None
        chart.set_categories(labels)
        # As wide as the table (the page is fitted to its width, the chart scales with it), as tall as
        # its districts need, in cm.
        chart.width = table_width * POINTS_PER_WIDTH / CM
        chart.height = min(chart.width * 0.6, max(chart.width * 0.35, 0.8 * (last - first + 1) + 4))
        charts.append(chart)
    return charts


def rollup_sheet(ws, state: RoundRollup, heading: Heading, now) -> None:
    fixed = [pgettext("serial number column", "No."), _("District"), _("Schools asked"), pgettext("count of schools", "Answered"), _("Late"), _("Not answered")]
    width = len(fixed) + len(state.columns)
    row = _title_block(ws, state, heading, width, now)
    header = row
    row = _headers(ws, row, fixed, state)
    for n, totals in enumerate(state.districts, start=1):
        for i, value in enumerate([n, totals.name, totals.expected, totals.submitted, totals.late, totals.missing], 1):
            _put(ws, row, i, value)
        _numbers(ws, row, len(fixed) + 1, totals.plain_numbers())
        row += 1
    total = state.total
    for i, value in enumerate(["", _("Total"), total.expected, total.submitted, total.late, total.missing], 1):
        _put(ws, row, i, value, font=BOLD)
    _numbers(ws, row, len(fixed) + 1, total.plain_numbers(), font=BOLD)
    row += 3
    first_district = header + 2
    table_width = 10 * width + (DISTRICT_WIDTH - 10)
    for chart in grid_charts(ws, state, first_district, first_district + len(state.districts) - 1, len(fixed),
                             table_width):
        ws.add_chart(chart, f"A{row}")
        row += math.ceil(chart.height * CM / ROW) + 2
    half = max(2, width // 2)
    for column, lines in ((1, [_("PREPARED BY"), _("(Sign, full name)")]),
                          (half + 1, [heading.signer_title or _("HEAD OF THE OFFICE"), _("(Sign, full name, seal)")])):
        end = half if column == 1 else width
        for k, text in enumerate(lines):
            ws.merge_cells(start_row=row + k, start_column=column, end_row=row + k, end_column=end)
            _put(ws, row + k, column, text, font=BOLD if k == 0 else Font(name=FONT, italic=True, size=11),
                 align=CENTER, border=False)
    if heading.signer_name:
        ws.merge_cells(start_row=row + 6, start_column=half + 1, end_row=row + 6, end_column=width)
        _put(ws, row + 6, half + 1, heading.signer_name, font=BOLD, align=CENTER, border=False)
    _print_setup(ws, f"{header}:{header + 1}", width)
    ws.column_dimensions["B"].width = DISTRICT_WIDTH
    ws.freeze_panes = ws.cell(row=header + 2, column=3)


def schools_sheet(ws, state: RoundRollup, heading: Heading, now) -> None:
    fixed = [pgettext("serial number column", "No."), _("School"), _("Code"), _("District"), _("Sent"), _("Late")]
    width = len(fixed) + len(state.columns)
    row = _title_block(ws, state, heading, width, now)
    header = row
    row = _headers(ws, row, fixed, state)
    by_district = {}
    for school in state.schools:
        by_district.setdefault(school.district_id, []).append(school)
    n = 0
    for totals in state.districts:
        for school in by_district.get(totals.id, []):
            n += 1
            sent = local_naive(school.answer.updated_at) if school.submitted else _("not answered")
            late = _("late") if school.submitted and school.answer.late else ""
            for i, value in enumerate([n, school.bridge.name, school.bridge.code, school.district_name, sent, late], 1):
                cell = _put(ws, row, i, value)
                if i == 5 and school.submitted:
                    cell.number_format = "dd/mm/yyyy hh:mm"
            _numbers(ws, row, len(fixed) + 1, school.numbers)
            row += 1
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(fixed))
        _put(ws, row, 1, _("Subtotal %(district)s") % {"district": totals.name}, font=BOLD)
        for i in range(2, len(fixed) + 1):
            _put(ws, row, i, None, font=BOLD)
        _numbers(ws, row, len(fixed) + 1, totals.plain_numbers(), font=BOLD)
        row += 1
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(fixed))
    _put(ws, row, 1, _("Total"), font=BOLD)
    for i in range(2, len(fixed) + 1):
        _put(ws, row, i, None, font=BOLD)
    _numbers(ws, row, len(fixed) + 1, state.total.plain_numbers(), font=BOLD)
    _print_setup(ws, f"{header}:{header + 1}", width)
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["D"].width = 20
    ws.column_dimensions["E"].width = 16
    ws.freeze_panes = ws.cell(row=header + 2, column=3)


def workbook_bytes(state: RoundRollup, heading: Heading | None = None, *, now=None) -> bytes:
    heading = heading or Heading()
    now = now or timezone.now()
    book = Workbook()
    book.diemcau_styles = {}  # (font, alignment, border, format) -> style array, see _put
    rollup_ws = book.active
    rollup_ws.title = _("Summary")[:31]
    rollup_sheet(rollup_ws, state, heading, now)
    schools_sheet(book.create_sheet(_("Details")[:31]), state, heading, now)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_table(state: RoundRollup) -> Table:
    columns = [Column("district", _("District")), Column("code", _("Code")), Column("school", _("School")),
               Column("status", _("Status")), Column("late", _("Late"), INT), Column("sent", _("Sent"), DATETIME)]
    columns += [Column(c.key, f"{c.group} – {c.label}" if c.group else c.label,
                       DECIMAL if any(isinstance(s.numbers[i], float) for s in state.schools) else INT)
                for i, c in enumerate(state.columns)]

    def rows():
        for s in state.schools:
            status = "submitted" if s.submitted else "draft" if s.has_draft else "missing"
            yield [s.district_name, s.bridge.code, s.bridge.name, status, int(bool(s.submitted and s.answer.late)),
                   s.answer.updated_at if s.submitted else None, *s.numbers]

    return Table(name="bao-cao-truong", title=state.round.title, columns=columns, rows=rows(),
                 row_count=len(state.schools), slug="school-report")


def csv_bytes(state: RoundRollup) -> bytes:
    out = io.BytesIO()
    write_csv(out, csv_table(state))
    return out.getvalue()

