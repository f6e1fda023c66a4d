"""JSON from clients, bounded: how deep it nests, how large its numbers are, and only text that can be stored.

Python's json module accepts what the rest of the stack cannot take:

- nesting deep enough to exhaust the recursion limit: a RecursionError, which is no ValueError, so the
  caller's `except ValueError` let it through (a 500 on the console routes and the Jitsi webhook, a
  closed websocket);
- integers of any size: SQLite and PostgreSQL store 64 bits, and a larger one fails in the database
  ("datatype mismatch", OverflowError);
- "\\ud800" escapes, which decode to lone surrogates that UTF-8 cannot encode (the database write fails),
  and "\\u0000", which PostgreSQL refuses in any text column;
- NaN, Infinity and 1e999, which no JSON client means and no column stores.

Every JSON document a client sends is read here: the API's body parser (`BoundedParser`, set on the
NinjaAPI in config/api.py), the console's own bodies (console/api_support.py), the Jitsi webhooks and the
websockets (attendance's consumers). A refusal is a `BadJSON` (a `core.errors.Refused`) whose message
says what was wrong, in the user's language.
"""

import json
import math
import re

from django.utils.translation import gettext as _
from ninja.parser import Parser

from .errors import Refused

# Deeper than any document this API reads (a school report's answers are three levels deep).
MAX_DEPTH = 32
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BadJSON(Refused):
    code = "invalid_json"
    status = 400


def _integer(text: str) -> int:
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise BadJSON(_("A number in the request is too large (at most 19 digits)."), code="number_too_large")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJSON(_("A number in the request is too large (at most 19 digits)."), code="number_too_large")
    return value


def _constant(name: str):
    raise BadJSON(_("The request was not sent in the expected form."))


def _too_deep() -> BadJSON:
    return BadJSON(_("The request nests values too deeply (at most %(depth)s levels).") % {"depth": MAX_DEPTH},
                   code="too_deep")


def _check(data, max_depth: int) -> None:
    """Depth and text of a decoded document, walked without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                raise BadJSON(_("The request contains text that cannot be stored (a NUL character or a lone "
                                "surrogate, \\ud800–\\udfff)."), code="invalid_text")
        elif isinstance(value, dict | list):
            if depth > max_depth:
                raise _too_deep()
            children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)


def loads(raw: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH):
    """The decoded document, or BadJSON saying why not."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
        data = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except BadJSON:
        raise
    except RecursionError:
        raise _too_deep() from None
    except (TypeError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise BadJSON(_("The request was not sent in the expected form.")) from None
    if _may_cross_bounds(text, max_depth):
        _check(data, max_depth)
    return data


def _may_cross_bounds(text: str, max_depth: int) -> bool:
    """Whether the decoded document may hold unstorable text or nest too deeply; False is certain. Such
    text is in the document's own characters (a str given) or comes from a \\u escape (JSON forbids raw
    control characters, UTF-8 bytes hold no surrogates), and a document cannot nest deeper than its opening
    brackets: most bodies (a check-in's few strings) are cleared by these scans of the text, done in C,
    without walking the decoded values. An ASCII text (known without reading it) holds no surrogate, and a
    raw NUL would not have parsed: the character scan is only for other text."""
    return ("\\u" in text or (not text.isascii() and _UNSTORABLE.search(text) is not None)
            or text.count("{") + text.count("[") > max_depth)


class BoundedParser(Parser):
    """django-ninja's body parser through `loads`. django-ninja answers any parser error with its own 400
    ("Cannot parse request body"); the refusal is kept on the request so that the API's handler
    (config/api.py) can say which bound was crossed."""

    def parse_body(self, request):
        try:
            return loads(request.body)
        except BadJSON as refusal:
            request.input_refusal = refusal
            raise


# Websocket messages: what every consumer reads a client's frame with. A consumer answers a BadJSON with an
# error frame ({"type": "error", "code", "message"}) and stays open.
MAX_FRAME_BYTES = 8 * 1024


def frame(text_data: str | None, bytes_data: bytes | None, *, max_bytes: int = MAX_FRAME_BYTES) -> dict:
    """One websocket message as a JSON object, or BadJSON: too large, not JSON, too deep, not an object."""
    raw = text_data if text_data is not None else bytes_data
    size = len(raw.encode()) if isinstance(raw, str) else len(raw or b"")
    if size > max_bytes:
        raise BadJSON(_("The message is too large."), code="too_large")
    try:
        message = loads(raw or "")
    except BadJSON as refusal:
        if refusal.code == BadJSON.code:
            raise BadJSON(_("The message is not valid JSON.")) from None
        raise
    if not isinstance(message, dict):
        raise unknown_type()
    return message


def unknown_type() -> BadJSON:
    # A message is an object with a "type" the consumer knows; a list or a number has none.
    return BadJSON(_("Unknown message type."), code="unknown_type")


def error_frame(refusal: Refused, **extra) -> dict:
    return {"type": "error", "code": refusal.code, "message": refusal.message, **extra}
