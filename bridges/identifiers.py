"""How a personal identifier (mã định danh, a citizen identity number) is cleaned: once, for the
roster import and the teacher's check-in page.

People type them in groups ("0075 3699 5075", "0075.3699.5075", "0075-3699-5075") and spreadsheets
store them as numbers (1.0, or with a leading apostrophe to keep the zeros): what is stored is the
characters without separators. A number cell has lost its leading zeros: where the rest of its
column shares one length (`column_length`; 12 for a column of citizen numbers that all lost their
zero), `restore_zeros` pads it back to that length. Bridge codes keep their
dashes (`importing.normalize.identifier`).
"""

import re
from collections import Counter

from core.text import clean_text

SEPARATORS = re.compile(r"[\s.\-]+")


def clean_identifier(value) -> str:
    if isinstance(value, float):
        value = int(value) if value.is_integer() else repr(value)
    return SEPARATORS.sub("", clean_text(value)).lstrip("'")


# A column counts as "of one length" when that length covers this share of its identifiers:
# 12-digit citizen numbers with a few typos still qualify; a column mixing kinds does not.
USUAL_SHARE = 0.6


def typed_as_number(value) -> bool:
    """A cell the spreadsheet stored as a whole number: its leading zeros are gone."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return value >= 0 and float(value).is_integer()


def usual_length(identifiers) -> int | None:
    """The length most of a column's cleaned identifiers share, or None with no clear majority."""
    lengths = Counter(len(identifier) for identifier in identifiers if identifier)
    if not lengths:
        return None
    length, count = lengths.most_common(1)[0]
    return length if count >= USUAL_SHARE * lengths.total() else None


# A citizen identity number (căn cước công dân) has 12 digits and always begins with 0 (the province
# code, 001-096): typed as a number it always shows 11. A column that is mostly such numbers is a column
# of citizen numbers, even when no cell kept its zero.
CITIZEN_ID_DIGITS = 12


def column_length(raw_values) -> int | None:
    """The length a column's identifiers should have: the usual length of the cleaned values, or 12 when
    the usual length is 11 and those cells are numbers (citizen numbers that all lost their zero)."""
    raws = [raw for raw in raw_values if clean_identifier(raw)]
    length = usual_length(clean_identifier(raw) for raw in raws)
    if length == CITIZEN_ID_DIGITS - 1:
        numbers = sum(1 for raw in raws if typed_as_number(raw) and len(clean_identifier(raw)) == length)
        if numbers >= USUAL_SHARE * len(raws):
            return CITIZEN_ID_DIGITS
    return length


def restore_zeros(raw, identifier: str, length: int | None) -> str:
    """The identifier with the leading zeros a number cell lost, padded to the column's usual length.
    Text is kept as typed (its zeros were never lost) and nothing is ever cut."""
    if length and typed_as_number(raw) and identifier.isdigit() and len(identifier) < length:
        return identifier.zfill(length)
    return identifier
