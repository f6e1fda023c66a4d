"""Cell values -> model values. Each function returns (value, problem) where problem is a short
translated reason or None; callers decide whether a problem rejects the row or only the cell."""

import re
from datetime import date, datetime

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.text import clean_text, fold

_NON_WORD = re.compile(r"[^0-9a-z]+")
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


def phone(value) -> tuple[str, str | None]:
    """Vietnamese national format with the leading 0: 905123456, "0905.123.456", "+84 905 123 456"
    all give "0905123456"."""
    if value is None or value == "":
        return "", None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = text(value)
    if not raw:
        return "", None
    candidate = raw
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("84") and len(digits) in (11, 12) and not raw.startswith("0"):
        candidate = "+" + digits  # 84905123456: the country code without its plus
    elif isinstance(value, int) or (digits == raw and not raw.startswith("0")):
        # A number cell lost its leading 0.
        candidate = "0" + digits
    national = _national(candidate)
    if national is None:
        # Cells like "0905 123 456 - 0912 345 678": keep the first number found.
        first = next(iter(phonenumbers.PhoneNumberMatcher(raw, "VN")), None)
        national = _national(first.raw_string) if first is not None else None
    if national is None:
        return "", _("phone number %(value)s is not valid, left empty") % {"value": raw}
    return national, None


def _national(text: str) -> str | None:
    try:
        parsed = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return None
    if parsed.country_code == 84 and phonenumbers.is_valid_number(parsed):
        return "0" + str(parsed.national_number)
    return None


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
