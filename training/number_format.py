"""The certificate number format: a tiny template language, not str.format.

An organizer types the format ("{seq:04d}/GCN-{year}"); str.format on it would also evaluate
"{seq.__class__.__mro__}" or "{seq:>99999999}" (attribute access, any format spec). The language has
literal text and four placeholders, nothing else:

    {seq}       the certificate's number within the training and year
    {seq:0Nd}   the same padded with zeros to N digits, 1 <= N <= 9 ({seq:04d} -> 0007)
    {year}      the year of issue
    {event}     the training's id

Any other brace, a lone "{" or "}" included, is refused at save time (the template form and the API go
through `training.services.check_number_format`) with a message that names it.
"""

import re

from django.utils.translation import gettext as _

from .errors import TrainingError

_TOKEN = re.compile(r"\{[^{}]*\}|[{}]")
_PADDED = re.compile(r"\{seq:0([1-9])d\}")
PLACEHOLDERS = ("{seq}", "{year}", "{event}")


class BadNumberFormat(TrainingError):
    code = "invalid_number_format"


def parse(number_format: str) -> list[str | tuple[str, int]]:
    """The format as literal strings and (name, width) placeholders; BadNumberFormat names what is not allowed."""
    parts: list[str | tuple[str, int]] = []
    position = 0
    for token in _TOKEN.finditer(number_format):
        if token.start() > position:
            parts.append(number_format[position:token.start()])
        text = token.group()
        padded = _PADDED.fullmatch(text)
        if padded:
            parts.append(("seq", int(padded.group(1))))
        elif text in PLACEHOLDERS:
            parts.append((text[1:-1], 0))
        else:
            raise BadNumberFormat(_("The number format cannot contain %(placeholder)s: only {seq}, {seq:04d} "
                                    "(zeros up to 9 digits), {year}, {event} and plain text are allowed.")
                                  % {"placeholder": text})
        position = token.end()
    if position < len(number_format):
        parts.append(number_format[position:])
    if not any(isinstance(part, tuple) and part[0] == "seq" for part in parts):
        raise BadNumberFormat(_("The number format must contain {seq}."))
    return parts


def render(number_format: str, *, seq: int, year: int, event_id: int) -> str:
    values = {"seq": seq, "year": year, "event": event_id}
    return "".join(part if isinstance(part, str) else str(values[part[0]]).zfill(part[1])
                   for part in parse(number_format))
