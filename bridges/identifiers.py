"""How a personal identifier (mã định danh, a citizen identity number) is cleaned: once, for the
roster import and the teacher's check-in page.

People type them in groups ("0075 3699 5075", "0075.3699.5075", "0075-3699-5075") and spreadsheets
store them as numbers (1.0, or with a leading apostrophe to keep the zeros): what is stored is the
characters without separators. Bridge codes keep their dashes (`importing.normalize.identifier`).
"""

import re

from core.text import clean_text

SEPARATORS = re.compile(r"[\s.\-]+")


def clean_identifier(value) -> str:
    if isinstance(value, float):
        value = int(value) if value.is_integer() else repr(value)
    return SEPARATORS.sub("", clean_text(value)).lstrip("'")
