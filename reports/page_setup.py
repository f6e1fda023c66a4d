"""How a workbook sheet prints: A4, fitted to the page width, landscape where wide, header rows repeated
on every page, "Trang x / y" in the footer, margins of an annex or (the signed sheet) of Decree 30.

The scale Excel and LibreOffice choose when fitting to the width is the printable width over the
sheet's width: `layout` computes it from the column widths, so the sheets can be laid out to keep
the printed text readable (the effective size of an 11 pt cell is 11 × scale).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from .widths import FONT_NAME, FONT_SIZE, POINTS_PER_WIDTH

MM = 72 / 25.4  # points
INCH_MM = 25.4
A4_POINTS = (210 * MM, 297 * MM)  # portrait width, height
PORTRAIT, LANDSCAPE = "portrait", "landscape"


@dataclass(frozen=True)
class Margins:
    """In millimetres."""

    left: float
    right: float
    top: float
    bottom: float
    header: float = 8
    footer: float = 8

    def openpyxl(self) -> PageMargins:
        return PageMargins(left=self.left / INCH_MM, right=self.right / INCH_MM, top=self.top / INCH_MM,
                           bottom=self.bottom / INCH_MM, header=self.header / INCH_MM,
                           footer=self.footer / INCH_MM)


# Annex tables: narrow margins, the page is for the numbers. The signed sheet: Decree 30/2020's
# margins for administrative documents (left 30-35 mm, right 15-20 mm, top and bottom 20-25 mm).
TABLE_MARGINS = Margins(left=15, right=10, top=15, bottom=18)
DOCUMENT_MARGINS = Margins(left=30, right=15, top=20, bottom=20)


@dataclass(frozen=True)
class Layout:
    orientation: str
    scale: float  # what fitting to the page width does to the sheet (1: printed at full size)

    @property
    def effective_font_size(self) -> float:
        return round(FONT_SIZE * self.scale, 1)


def printable_width(orientation: str, margins: Margins) -> float:
    portrait_width, portrait_height = A4_POINTS
    page = portrait_width if orientation == PORTRAIT else portrait_height
    return page - (margins.left + margins.right) * MM


def page_height(plan: Layout, margins: Margins) -> float:
    """The printable height of a page, in the sheet's own points (before fitting shrinks them)."""
    portrait_width, portrait_height = A4_POINTS
    page = portrait_height if plan.orientation == PORTRAIT else portrait_width
    return (page - (margins.top + margins.bottom) * MM) / plan.scale


def layout(widths: list[float], margins: Margins = TABLE_MARGINS, *, orientation: str | None = None) -> Layout:
    """Portrait when the columns fit a portrait page at full size, else landscape; the fitted scale."""
    sheet = sum(widths) * POINTS_PER_WIDTH
    if orientation is None:
        orientation = PORTRAIT if sheet <= printable_width(PORTRAIT, margins) else LANDSCAPE
    return Layout(orientation, min(1.0, printable_width(orientation, margins) / sheet) if sheet else 1.0)


def apply(ws: Worksheet, plan: Layout, margins: Margins, *, title_rows: str | None = None) -> None:
    """Page setup for a sheet (write-only sheets included: all of it is written after the rows)."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = plan.orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    # Page numbers run on through the printout ("Auto" first page number): a sheet printed alone is
    # numbered from 1 of its own pages; LibreOffice's "pages" field is the whole printout's count.
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = margins.openpyxl()
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    # The page number keeps its size whatever the fitting does to the sheet.
    ws.HeaderFooter.scaleWithDoc = False
    footer = ws.oddFooter.center
    # &P and &N are the header/footer codes for this page's number and the number of pages.
    footer.text = _("Page &P of &N")
    footer.font = f"{FONT_NAME},Regular"
    footer.size = 10
