"""How wide a column must be for its text, in the workbook's font, and how many lines a header wraps to.

The workbook is set in Times New Roman (every office computer has it; LibreOffice substitutes Liberation
Serif, which has the same metrics). Its letter widths come from the Times-Roman metrics ReportLab ships
(no font file needed). Those metrics know no Vietnamese letters; a letter with its marks is as wide as
its base letter, so the marks are dropped before measuring.

Excel measures a column in widths of the digit "0" of the workbook's font: 7 pixels at 96 dpi for Times
New Roman 11, i.e. 5.25 points, of which 5 pixels are the cell's padding.
"""

from __future__ import annotations

import heapq
import math
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import stringWidth

FONT_NAME = "Times New Roman"
FONT_SIZE = 11
POINTS_PER_WIDTH = 5.25
PADDING_POINTS = 3.75  # 5 px
LINE_HEIGHT = 1.15  # of the font size: Times New Roman's line spacing


def _base_letters(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")


# Times-Roman's metrics without the marks come within 4 % of Times New Roman's own widths for Vietnamese
# names, schools and subjects (measured against Liberation Serif on the demo province: 0.92-1.04):
# measure 4 % wider, so that what is measured to fit does fit.
SPARE = 1.04


@lru_cache(maxsize=65536)  # names, schools and subjects repeat across 18,000 rows and several passes
def text_points(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    return stringWidth(_base_letters(str(text)), "Times-Bold" if bold else "Times-Roman", size) * SPARE


def width_for(points: float) -> float:
    """The column width (in Excel's units) that shows `points` of text without clipping."""
    return math.ceil((points + PADDING_POINTS) / POINTS_PER_WIDTH * 10) / 10


# Of 18,000 names only the longest few can be the widest: measuring these is enough (a name 20 % shorter
# in letters is not wider in print).
MEASURED = 200


def widest(values: Iterable, size: float = FONT_SIZE, bold: bool = False) -> float:
    """The width (Excel units) of the widest value: the longest distinct values are measured."""
    texts = heapq.nlargest(MEASURED, {str(v) for v in values if v not in (None, "")}, key=len)
    return max((width_for(text_points(t, size, bold)) for t in texts), default=0.0)


def fit(values: Iterable, minimum: float, maximum: float = math.inf) -> tuple[float, bool]:
    """(width, wrap): as wide as the widest value within [minimum, maximum]; wrapped when that is not enough
    (no maximum: never wrapped, for codes and identifiers)."""
    need = widest(values)
    return max(minimum, min(need, maximum)), need > maximum


@lru_cache(maxsize=65536)
def wrapped_lines(text: str, width: float, size: float = FONT_SIZE, bold: bool = False) -> int:
    """How many lines `text` takes in a wrapped cell `width` wide (words broken at spaces, as Excel does)."""
    room = width * POINTS_PER_WIDTH - PADDING_POINTS
    if text_points(text, size, bold) <= room and "\n" not in text:
        return 1
    lines = 0
    for paragraph in str(text).split("\n"):
        line = 0.0
        lines += 1
        space = text_points(" ", size, bold)
        for word in paragraph.split():
            w = text_points(word, size, bold)
            if line and line + space + w > room:
                lines += 1
                line = 0.0
            if w > room:  # a word longer than the cell is broken across lines
                extra = math.ceil(w / room) - 1
                lines += extra
                line = w - extra * room
            else:
                line += (space if line else 0) + w
    return max(lines, 1)


def row_height(lines: int, size: float = FONT_SIZE) -> float:
    """Points for a row of `lines` lines of text."""
    return round(lines * size * LINE_HEIGHT + 3, 1)
