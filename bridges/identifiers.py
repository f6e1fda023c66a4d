"""How a personal identifier (mã định danh, a citizen identity number) is cleaned: once, for the
roster import and the teacher's check-in page.

People type them in groups ("0075 3699 5075", "0075.3699.5075", "0075-3699-5075") and spreadsheets
store them as numbers (1.0, or with a leading apostrophe to keep the zeros): what is stored is the
characters without separators. A number cell has lost its leading zeros: where the rest of its
column shares one length, `restore_zeros` pads it back to that length. Bridge codes keep their
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


def restore_zeros(raw, identifier: str, length: int | None) -> str:
    """The identifier with the leading zeros a number cell lost, padded to the column's usual length.
    Text is kept as typed (its zeros were never lost) and nothing is ever cut."""
    if length and typed_as_number(raw) and identifier.isdigit() and len(identifier) < length:
        return identifier.zfill(length)
    return identifier
