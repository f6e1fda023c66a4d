"""Cell values -> model values. Each function returns (value, problem) where problem is a short
translated reason or None; callers decide whether a problem rejects the row or only the cell."""

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from bridges.phones import normalize_phone, typed_phone
from core.text import clean_text, fold

_NON_WORD = re.compile(r"[^0-9a-z]+")
_NON_WORD_ANY = re.compile(r"[\W_]+")
# Administrative prefixes written before a place name, longest first so "tp." wins over "t".
_PLACE_PREFIXES = (
    "thanh pho", "thi xa", "thi tran", "huyen", "quan", "phuong", "xa", "tinh",
    "tp", "tx", "tt", "h", "q", "p",
)
_PLACE_PREFIX_RE = re.compile(r"^(?:(?:{})\s+)+".format("|".join(re.escape(p) for p in _PLACE_PREFIXES)))


def text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.strftime("%d/%m/%Y")
    return clean_text(value)


def key(value) -> str:
    """Folded, punctuation-free comparison key."""
    return _NON_WORD.sub(" ", fold(text(value))).strip()


def place_key(value) -> str:
    """Key of a place or unit name with administrative prefixes removed:
    "Huyện Bình Sơn", "H. Bình Sơn" and "huyện Bình Sơn" all give "binh son"."""
    folded = key(value)
    stripped = _PLACE_PREFIX_RE.sub("", folded)
    return stripped or folded


def name_key(value) -> str:
    """Identity of a name: NFC text in lower case with punctuation and administrative prefixes removed,
    diacritics kept. "Huyện Bình Sơn" and "H. Bình Sơn" are one name; "Ba Tơ" and "Ba Tô" are two."""
    words = [w for w in _NON_WORD_ANY.split(text(value).lower()) if w]
    folded = [_NON_WORD.sub("", fold(w)) for w in words]
    match = _PLACE_PREFIX_RE.match(" ".join(folded) + " ")
    skip = len(match.group(0).split()) if match else 0
    return " ".join(words[skip:]) or " ".join(words)


def starts_like_place(value) -> bool:
    """True when the text begins with an administrative prefix ("Huyện ...", "TX. ...")."""
    folded = key(value)
    return bool(_PLACE_PREFIX_RE.match(folded)) and _PLACE_PREFIX_RE.sub("", folded) != ""


def identifier(value) -> str:
    """Codes and personal identifiers are strings: 1.0 -> "1", " 0123 456 " -> "0123456"."""
    if isinstance(value, float):
        value = int(value) if value.is_integer() else repr(value)
    result = text(value).replace(" ", "")
    return result.lstrip("'")


def phone(value, max_length: int) -> tuple[str, str | None, str]:
    """(value, reason, level). A recognised number as bridges.phones stores it; digits libphonenumber
    does not know are kept as typed with a warning (the lists mark them unchecked); text with no digit
    is left empty with a warning; a kept number longer than the field is an error (never cut)."""
    found = normalize_phone(value)
    if found is not None:
        return found, None, "warning"
    typed = typed_phone(value)
    mended = normalize_phone(typed) if typed else None
    if mended:
        return mended, None, "warning"  # a valid number behind letters or signs ("0905x123456")
    if not typed:
        return "", _("phone number %(value)s is not valid, left empty") % {"value": text(value)}, "warning"
    if len(typed) > max_length:
        return "", _("phone number %(value)s is not recognised and longer than %(max)s characters") % {
            "value": typed, "max": max_length}, "error"
    return typed, _("phone number %(value)s is not recognised: kept as typed, marked unchecked") % {
        "value": typed}, "warning"


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y", "%Y/%m/%d")


def birth_date(value) -> tuple[date | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    else:
        raw = text(value)
        result = None
        cleaned = re.sub(r"\s*([/.-])\s*", r"\1", raw)
        for fmt in _DATE_FORMATS:
            try:
                result = datetime.strptime(cleaned, fmt).date()
                break
            except ValueError:
                continue
        if result is None:
            return None, _("birth date %(value)s is not a date (dd/mm/yyyy), left empty") % {"value": raw}
    if not (1900 <= result.year <= date.today().year):
        return None, _("birth date %(value)s is out of range, left empty") % {"value": result.strftime("%d/%m/%Y")}
    return result, None


_GENDERS = {"nam": "M", "m": "M", "male": "M", "nu": "F", "f": "F", "female": "F", "khac": "O", "other": "O"}


def gender(value) -> tuple[str, str | None]:
    raw = key(value)
    if not raw:
        return "", None
    if raw in _GENDERS:
        return _GENDERS[raw], None
    return "", _("gender %(value)s is not Nam or Nữ, left empty") % {"value": text(value)}


def email(value) -> tuple[str, str | None]:
    raw = text(value).lower().replace(" ", "")
    if not raw:
        return "", None
    try:
        validate_email(raw)
    except ValidationError:
        return "", _("e-mail %(value)s is not valid, left empty") % {"value": text(value)}
    return raw, None


def count(value) -> tuple[int | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value >= 0 and float(value).is_integer():
            return int(value), None
    else:
        digits = re.sub(r"[.,\s]", "", text(value))
        match = re.match(r"^(\d+)", digits)
        if match:
            return int(match.group(1)), None
    return None, _("number of participants %(value)s is not a whole number, left empty") % {"value": text(value)}


def limited(value: str, max_length: int, label: str) -> tuple[str, str | None]:
    if len(value) <= max_length:
        return value, None
    return value[:max_length], _("%(field)s is longer than %(max)s characters and was shortened") % {
        "field": label, "max": max_length}
