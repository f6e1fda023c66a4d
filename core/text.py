"""Normalization applied once, at the boundary, to everything a person types or imports."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean_text(value) -> str:
    """NFC, no stray or repeated white space; None becomes ''."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return _SPACES.sub(" ", text).strip()


def fold(value) -> str:
    """A comparison key: lower case, no diacritics, đ -> d, single spaces."""
    text = clean_text(value).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
