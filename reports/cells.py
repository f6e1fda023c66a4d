"""What may go into an exported cell: no formulas smuggled in as text, no characters Excel rejects."""

from datetime import date, datetime

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A spreadsheet treats text starting with these as a formula (or, in CSV, may do so on opening).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_cell_text(value) -> str:
    """Text with the control characters Excel refuses removed."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def csv_text(value: str) -> str:
    """CSV has no cell types: a leading apostrophe keeps a spreadsheet from evaluating the text."""
    text = clean_cell_text(value)
    return "'" + text if looks_like_formula(text) else text


def local_naive(value: datetime) -> datetime:
    """Excel has no time zones: write the local (Asia/Ho_Chi_Minh) wall-clock time."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, microsecond=0)


def date_text(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_naive(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")
