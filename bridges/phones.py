"""How a phone number is cleaned: once, for imports, the console's contact form and the API.

Vietnamese numbers are kept in national form with the leading 0 ("0905123456"); a valid foreign
number is kept in E.164 ("+85512345678"), never dropped. Spreadsheet cells that lost the leading 0
(a number cell: 905123456) or the plus of the country code (84905123456) are mended first; a cell
holding several numbers ("0905 123 456 - 0912 345 678") keeps the first valid one.
"""

import functools
import re

import phonenumbers

from core.text import clean_text

VIETNAM = 84


def _format(number: phonenumbers.PhoneNumber) -> str | None:
    if not phonenumbers.is_valid_number(number):
        return None
    if number.country_code == VIETNAM:
        return "0" + str(number.national_number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse(text: str) -> str | None:
    try:
        return _format(phonenumbers.parse(text, "VN"))
    except phonenumbers.NumberParseException:
        return None


def normalize_phone(value) -> str | None:
    """The number in its stored form; "" for an empty value; None when no valid number is in it."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = clean_text(value)
    if not raw:
        return ""
    candidate = raw
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("84") and len(digits) in (11, 12) and not raw.startswith(("0", "+")):
        candidate = "+" + digits  # 84905123456: the country code without its plus
    elif isinstance(value, int) or (digits == raw and not raw.startswith("0")):
        candidate = "0" + digits  # a number cell lost its leading 0
    found = _parse(candidate)
    if found is None:
        first = next(iter(phonenumbers.PhoneNumberMatcher(raw, "VN")), None)
        found = _format(first.number) if first is not None else None
    return found


_NOT_TYPED = re.compile(r"[^0-9+.\- ]+")


def typed_phone(value) -> str:
    """A number libphonenumber does not know, kept as the office typed it: only its digits, plus signs,
    spaces, dots and dashes, trimmed; "" when it has no digit at all (a note such as "gọi cô Lan")."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    kept = " ".join(_NOT_TYPED.sub(" ", clean_text(value)).split()).strip(" .-")
    return kept if re.search(r"[0-9]", kept) else ""


def is_checked(value) -> bool:
    """True when a stored number is one libphonenumber recognises; an import keeps unrecognised
    ones as typed, and the contact lists mark those as unchecked."""
    if isinstance(value, str):
        return _stored_is_checked(value)
    return bool(value) and normalize_phone(value) is not None


@functools.lru_cache(maxsize=131_072)
def _stored_is_checked(value: str) -> bool:
    # Asked for every tile of every board snapshot: a nation's 40,000 bridges parsed by libphonenumber
    # each time cost ~2 s of CPU a snapshot (bench/bench_nation.py). The answer depends on the text only.
    return bool(value) and normalize_phone(value) is not None
