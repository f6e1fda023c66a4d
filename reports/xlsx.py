"""What every sheet of the workbook shares: its font, the prepared cell styles, text made safe for a cell."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
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
        if hasattr(ws, "_values_to_row"):  # a streamed sheet
            stream_rows(ws)
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

    def prepared(self, name: str | None) -> PreparedCell:
        """A reusable cell in the named style (None: the workbook's plain cell)."""
        return PreparedCell(self.ws, self.protos[name]._style if name else None)

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


class PreparedCell(Cell):
    """A cell of one column in one style, reused row after row of a streamed sheet (each row is written
    before the next is made). Its style's id is looked up once: a styled cell otherwise hashes its style
    array twice when written, and a cell appended to a row first fails openpyxl's value conversion (an
    exception per cell). Its value is set as the column's type says (`put`), without type inference."""

    __slots__ = ("_style_id", "_styled", "_s")

    def __init__(self, ws, style=None):
        super().__init__(ws, row=1, column=1, style_array=copy(style) if style is not None else None)
        self._styled = style is not None and any(style)
        self._style_id = ws.parent._cell_styles.add(self._style) if self._styled else 0
        self._s = f' s="{self._style_id}"' if self._styled else ""

    @property
    def style_id(self) -> int:
        return self._style_id

    @property
    def has_style(self) -> bool:
        return self._styled

    def put(self, value, data_type: str) -> PreparedCell:
        self._value = value
        self.data_type = data_type
        return self

    def xml(self, ref: str) -> str:
        """The cell's XML as openpyxl's own writer (cell._writer.etree_write_cell) writes it."""
        value, kind = self._value, self.data_type
        if value is None or value == "":
            return f'<c r="{ref}"{self._s} t="{"inlineStr" if kind == "s" else kind}" />' if self._styled or value == "" \
                else ""
        if kind == "s":
            stripped = value.strip()
            space = ' xml:space="preserve"' if stripped and stripped != value else ""
            return f'<c r="{ref}"{self._s} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'
        if kind == "d":
            value, kind = to_excel(value, self.parent.parent.epoch), "n"
        text = safe_string(value)  # "" for NaN and infinities, which the element tree writes as <v />
        return f'<c r="{ref}"{self._s} t="{kind}"><v>{text}</v></c>' if text else f'<c r="{ref}"{self._s} t="{kind}"><v /></c>'


class PreparedRow(list):
    """A row of PreparedCells and Nones (a table's data or total row), written as text by `stream_rows`."""


def stream_rows(ws) -> None:
    """Rows appended to the write-only sheet `ws` as openpyxl writes them, except that (1) a cell given in a
    row (a PreparedCell, or a styled title cell) is written as it is instead of after a failed conversion,
    and (2) a PreparedRow is written as XML text in one piece, the same XML openpyxl's writer makes cell by
    cell through an element tree (most of a big sheet's time). (2) only with openpyxl's own XML writer
    (et_xmlfile, whose output the text joins); with lxml installed, or ISO dates, rows go through openpyxl."""
    letters = [""]

    def values_to_row(values, row_idx):
        cell = WriteOnlyCell(ws)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                value.row = row_idx
                value.column = col_idx
                if value._hyperlink is not None:
                    value._hyperlink.ref = value.coordinate
                yield value
                continue
            cell.value = value
            cell.column = col_idx
            cell.row = row_idx
            yield cell
            if cell.has_style:  # a date takes a number format of its own
                cell = WriteOnlyCell(ws)

    def row_xml(cells, row_idx: int) -> str:
        r = str(row_idx)
        while len(letters) <= len(cells):
            letters.append(get_column_letter(len(letters)))
        dims = ws.row_dimensions.get(row_idx)
        parts = [f'<row r="{r}"' + "".join(f' {k}="{escape(v)}"' for k, v in dims) + ">" if dims else f'<row r="{r}">']
        for col_idx, cell in enumerate(cells, 1):
            if cell is not None:
                parts.append(cell.xml(letters[col_idx] + r))
        parts.append("</row>")
        return "".join(parts)

    def write_rows():
        writer = ws._writer
        try:
            xf = writer.xf.send(True)
        except StopIteration:
            ws._already_saved()
        raw = getattr(xf, "_file", None) if not ws.parent.iso_dates else None
        with xf.element("sheetData"):
            row_idx = 1
            try:
                while True:
                    row = (yield)
                    if raw is not None and row.__class__ is PreparedRow:
                        raw(row_xml(row, row_idx))
                    else:
                        writer.write_row(xf, values_to_row(row, row_idx), row_idx)
                    row_idx += 1
            except GeneratorExit:
                pass
        writer.xf.send(None)

    ws._values_to_row = values_to_row
    ws._write_rows = write_rows


MAX_TEXT = 32767  # characters in a cell, as openpyxl truncates


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


