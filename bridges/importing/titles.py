"""The school a roster sheet is about, read from its title block or its sheet title.

District offices collect one sheet per school, titled "DANH SÁCH GIÁO VIÊN … – TRƯỜNG TH BÌNH MINH" or
named after the school, often with no school column in the rows. The text from the word "Trường" on is
given to the planner as a section above the sheet's first row, so the rows get that school exactly as
if a section row named it (and are refused with that reason when no such school is stored).
"""

import re

from . import normalize
from .headers import Layout
from .lines import Line, SheetRow, Walk
from .reading import Sheet

# "Trường" as a word; the name runs to the end of the cell or to a bracket ("(kèm theo …)").
_SCHOOL = re.compile(r"(?<!\w)(trường\s+\S.*?)\s*(?:[(\[]|$)", re.IGNORECASE)


def school_named(text: str) -> str:
    match = _SCHOOL.search(normalize.text(text))
    if not match:
        return ""
    name = match.group(1).strip(" -–—:.,")
    return name.title() if name.isupper() else name


def find_school_title(sheet: Sheet, layout: Layout) -> tuple[int, str] | None:
    """(1-based row, school text) from the rows above the header, else (header row, text) from a
    workbook's sheet title. None when the rows have their own school column or nothing names a school."""
    if "bridge" in layout.columns.values():
        return None
    for index in range(layout.header_row - 1):
        for value in sheet.rows[index]:
            if isinstance(value, str) and school_named(value):
                return index + 1, school_named(value)
    if not sheet.encoding and school_named(sheet.name):  # a text file's "sheet name" is only its file name
        return layout.header_row, school_named(sheet.name)
    return None


def add_school_section(walk: Walk, row: int, school: str, sheet: str, sheet_index: int | None) -> None:
    number = row if sheet_index is None else SheetRow(row, sheet, sheet_index)
    walk.lines.insert(0, Line(number, section=school))
