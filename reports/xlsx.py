"""What every sheet of the workbook shares: its font, the prepared cell styles, text made safe for a cell."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.cell_range import CellRange

from .cells import ILLEGAL_CHARACTERS_RE, looks_like_formula
from .tables import DATE, DATETIME, DECIMAL, INT, PERCENT, SERIAL, TIME, Table
from .widths import FONT_NAME, FONT_SIZE, row_height, widest, wrapped_lines

NUMBER_FORMATS = {INT: "#,##0", SERIAL: "0", DECIMAL: "#,##0.0", PERCENT: "0.0%", DATE: "dd/mm/yyyy",
                  DATETIME: "dd/mm/yyyy hh:mm", TIME: "hh:mm"}
BASE_FONT = Font(name=FONT_NAME, sz=FONT_SIZE, family=1)
# Excel limits a sheet name to 31 characters without []:*?/\ .
_SHEET_NAME_BAD = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(name: str) -> str:
    return name.translate(_SHEET_NAME_BAD)[:31]


@dataclass
class TitleBlock:
    issuer: str  # one line each, e.g. the province's committee and the department
    motto: str  # the national motto, one line each
    event_line: str
    scope_line: str
    exported_line: str
    # For the signed cover sheet (reports.cover).
    event_title: str = ""
    period_line: str = ""  # when the event took place
    as_of_line: str = ""  # when the numbers were taken
    dated: str = ""  # place and date, core.dates.official_date
    signer_title: str = ""  # one line each, e.g. "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    signer_name: str = ""


def font(**attrs) -> Font:
    """A font of the workbook's face: a style's font without a name would fall back to the program's own."""
    return Font(name=FONT_NAME, sz=attrs.pop("size", FONT_SIZE), **attrs)


THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


class Styles:
    """Prepared cells whose style arrays are copied onto the cells written."""

    def __init__(self, ws):
        self.ws = ws
        self.protos = {}
        # Bottom-aligned like the unstyled cells beside it, so that a row's last lines line up.
        wrap = Alignment(wrap_text=True)
        for kind, fmt in NUMBER_FORMATS.items():
            self.add(kind, number_format=fmt)
            self.add(f"total-{kind}", number_format=fmt, font=font(bold=True), border=Border(top=THIN))
        self.add("total-text", font=font(bold=True), border=Border(top=THIN))
        self.add("text-safe", quotePrefix=True)
        self.add("wrap", alignment=wrap)
        centre = Alignment(horizontal="center")
        self.add("centred", alignment=centre)
        self.add("centred-safe", alignment=centre, quotePrefix=True)
        self.add(f"centred-{TIME}", alignment=centre, number_format=NUMBER_FORMATS[TIME])
        self.add("wrap-safe", alignment=wrap, quotePrefix=True)
        self.add("header", font=font(bold=True), fill=PatternFill("solid", fgColor="DDE4EE"),
                 alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"), border=BOX)
        self.add("issuer", font=font(bold=True), alignment=Alignment(wrap_text=True, horizontal="center",
                                                                     vertical="top"))
        self.add("title", font=font(bold=True, size=14), alignment=Alignment(horizontal="center"))
        self.add("line", font=font(italic=True), alignment=Alignment(horizontal="center"))
        self.add("empty", font=font(bold=True, color="B00020"))
        self.add("note", font=font(italic=True, color="555555"))

    def add(self, name: str, **attrs) -> None:
        cell = WriteOnlyCell(self.ws)
        for key, value in attrs.items():
            setattr(cell, key, value)
        self.protos[name] = cell

    def cell(self, value, name: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value)
        cell._style = copy(self.protos[name]._style)
        return cell

    def text(self, value, name: str) -> WriteOnlyCell:
        """A text cell in a style, never a formula (a typed title or name may start with "=")."""
        text = clean(value)
        cell = self.cell(None, name)
        cell.value = text
        if looks_like_formula(text):
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell


def clean(value) -> str:
    text = str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text) if ILLEGAL_CHARACTERS_RE.search(text) else text


def merge(ws, row: int, first: int, last: int) -> None:
    if last > first:
        ws.merged_cells.add(CellRange(min_col=first, min_row=row, max_col=last, max_row=row))


HEADER_LINES = 4  # a header wrapping to more lines than this widens its (narrow) column, up to:
HEADER_WIDEN_TO = 12


def column_widths(table: Table) -> list[float]:
    """The table's widths, widened where a word of the (bold) header would not fit, or where a narrow
    column's header would wrap to more than four lines."""
    widths = []
    for column in table.columns:
        width = max(column.width, widest(column.header.split(), bold=True))
        while wrapped_lines(column.header, width, bold=True) > HEADER_LINES and width < HEADER_WIDEN_TO:
            width += 0.5
        widths.append(width)
    return widths


def header_height(table: Table, widths: list[float]) -> float:
    lines = max((wrapped_lines(c.header, w, bold=True) for c, w in zip(table.columns, widths, strict=True)),
                default=1)
    return row_height(lines)


def new_workbook() -> Workbook:
    wb = Workbook(write_only=True)
    # The workbook's own font (cells without a style of their own, and the unit of column widths) is
    # Times New Roman instead of openpyxl's Calibri: openpyxl has no setting for it, so its default
    # font entry and the "Normal" style are replaced before any cell is written.
    wb._fonts = IndexedList([BASE_FONT])
    wb._named_styles["Normal"].font = copy(BASE_FONT)
    return wb


