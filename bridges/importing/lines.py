"""Walk the rows below the header and tell data rows from what offices put around them:
section rows ("I. HUYỆN BÌNH SƠN"), subtotal and total rows ("Cộng", "TỔNG CỘNG"), column-number
rows ("(1) (2) (3)"), a repeated header, blank rows and the signature block at the bottom."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from . import normalize
from .headers import Layout

_ROMAN_OR_LETTER = r"(?:[IVXLC]+|[A-Z])"
_SECTION_ONE_CELL = re.compile(r"^(?:[IVXLC]+(?:\s*[.)/:-]\s*|\s+)|[A-Z]\s*[.)/:-]\s*)(?P<title>\S.*)$")
_SECTION_MARK = re.compile(rf"^{_ROMAN_OR_LETTER}\s*[.)]?$")
_TOTAL = re.compile(r"^(tong cong|tong so|tong|cong)\b")
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$|^\([a-z]\)$")
_SIGNATURE = re.compile(
    r"^(nguoi lap( bieu| bang| danh sach)?|nguoi ky|ky ten|ky ghi ro ho ten|ky va ghi ro ho ten|ky dong dau"
    r"|ky ho ten|xac nhan( cua.*)?|noi nhan|(kt|tm|tl|ktl|q) .+|(pho )?(giam doc|hieu truong|truong phong|chu tich"
    r"|thu truong( don vi)?|truong ban))$"
    r"|\bngay\b.*\bthang\b.*\bnam\b"
)


class SheetRow(int):
    """A row number that also names its sheet, used when several sheets of one workbook are read.

    The planners and their messages ("same as row %(row)s") only print row numbers; carrying the sheet
    inside the number makes every such message say which sheet without each planner knowing about
    sheets. It compares and sorts as the plain number; Plan sorts problems by sheet first."""

    sheet: str
    sheet_index: int

    def __new__(cls, number: int, sheet: str, sheet_index: int):
        value = super().__new__(cls, number)
        value.sheet = sheet
        value.sheet_index = sheet_index
        return value

    def __str__(self) -> str:
        return _("%(row)s (sheet “%(sheet)s”)") % {"row": int(self), "sheet": self.sheet}

    def __format__(self, spec: str) -> str:
        # f"{row}" reads like "%s" % row; a width or other spec formats the bare number.
        return str(self) if not spec else format(int(self), spec)


def same_sheet(a, b) -> bool:
    """Whether two row numbers lie on the same sheet (always, when only one sheet is read)."""
    return getattr(a, "sheet_index", 0) == getattr(b, "sheet_index", 0)


@dataclass
class Line:
    number: int  # 1-based sheet row
    values: dict = field(default_factory=dict)  # field -> raw cell value (data rows)
    section: str = ""  # the section title (section rows)

    @property
    def is_section(self) -> bool:
        return bool(self.section)


@dataclass
class Walk:
    lines: list[Line]
    skipped_totals: list[int] = field(default_factory=list)
    signature_from: int | None = None


def _filled(row: list) -> list[tuple[int, object]]:
    return [(col, value) for col, value in enumerate(row)
            if value is not None and (not isinstance(value, str) or value.strip())]


def _is_column_number(value) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return 0 < value < 100
    return isinstance(value, str) and bool(_COLUMN_NUMBER.match(value.strip().lower()))


def _title_case(title: str) -> str:
    # Section rows are often in capitals; "HUYỆN BÌNH SƠN" reads better as "Huyện Bình Sơn".
    return title.title() if title.isupper() else title


def _section_title(cells: list[tuple[int, str]]) -> str:
    if len(cells) == 1:
        match = _SECTION_ONE_CELL.match(cells[0][1])
        if match:
            return _title_case(match.group("title").strip())
        # A lone capitalised cell is a section when it sits in the first column (a merged band) or
        # names a place; a lone bridge name sits in its name column.
        text = cells[0][1]
        if text.isupper() and (cells[0][0] == 0 or normalize.starts_like_place(text)):
            return _title_case(text)
    if len(cells) == 2 and _SECTION_MARK.match(cells[0][1]) and not cells[1][1].isdigit():
        return _title_case(cells[1][1])
    return ""


def walk(rows: list[list], layout: Layout, *, sheet: str = "", sheet_index: int | None = None) -> Walk:
    """With sheet_index given, row numbers are SheetRow (several sheets read together)."""
    # Runs over every row of big rosters: cheap checks first, folding text only where it decides.
    result = Walk(lines=[])
    header_keys = {normalize.key(label) for label in layout.labels.values()}
    code_col = layout.column_of("code")
    read_cols = {col for col, name in layout.columns.items() if name != "stt"}
    seen_data = False
    for index in range(layout.data_start, len(rows)):
        row = rows[index]
        number = index + 1 if sheet_index is None else SheetRow(index + 1, sheet, sheet_index)
        filled = _filled(row)
        if not filled:
            continue
        if len(filled) >= 3 and all(_is_column_number(value) for _, value in filled):
            continue
        texts = [(col, value) for col, value in filled if isinstance(value, str)]
        first_key = normalize.key(texts[0][1]) if texts else ""
        if len(filled) >= 2 and first_key in header_keys:
            keys = [normalize.key(value) for _, value in filled]
            if sum(1 for k in keys if k in header_keys) >= len(filled) - 1:
                continue  # the header repeated (printed page breaks)
        if len(filled) <= 3:
            keys = [normalize.key(value) for _, value in filled]
            numbered = any(k.replace(" ", "").isdigit() for k in keys)
            if seen_data and not numbered and any(_SIGNATURE.search(k) for k in keys):
                result.signature_from = number
                break
        first_text = next((normalize.key(v) for _, v in texts if not v.strip().replace(" ", "").isdigit()), "")
        if first_text and _TOTAL.match(first_text) and len(first_text.split()) <= 6:
            code_key = normalize.key(row[code_col]) if code_col is not None and code_col < len(row) else ""
            if not code_key or _TOTAL.match(code_key):
                result.skipped_totals.append(number)
                continue
        if len(filled) <= 2:
            title = _section_title([(col, normalize.text(value)) for col, value in filled])
            if title:
                result.lines.append(Line(number, section=title))
                continue
        if not any(col in read_cols for col, _ in filled):
            continue  # only a running number, or only columns we do not read
        seen_data = True
        result.lines.append(Line(number, values={name: row[col] for col, name in layout.columns.items()
                                                 if col < len(row)}))
    return result
