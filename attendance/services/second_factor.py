"""The second check beside the birth year, for a teacher who checks in by name (issue 15).

A birth year alone is known to every colleague and has some fifty plausible values, so the roll call
asks for one more thing, chosen by the organizer when opening it (RollCall.second_factor):

- SCREEN_CODE (default): four digits shown under the roll-call QR on the bridge's screen. They are not
  in the QR's link, so a link forwarded to a colleague at home is not enough; they are the same for
  the whole roll call at one bridge (a teacher typing is not raced by a rotation) and differ from
  bridge to bridge and roll call to roll call (an HMAC of the roll call's secret).
- IDENTIFIER_END: the last four characters of the teacher identifier on the roster: what a colleague
  does not know, for trainings where teachers have their identifier at hand but not in full.
"""

from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from bridges.identifiers import clean_identifier
from bridges.models import Person
from core.keyed_hash import salted_hmac
from core.text import clean_text

from ..models import RollCall

Factor = RollCall.SecondFactor
DIGITS = 4
IDENTIFIER_END = 4


def screen_code(roll_call: RollCall, bridge_id: int) -> str:
    """The code a bridge's screen shows under the QR during this roll call."""
    digest = salted_hmac(f"attendance.screen-code.{roll_call.secret}", f"{roll_call.pk}.{bridge_id}",
                         algorithm="sha256").hexdigest()
    return f"{int(digest[:12], 16) % 10 ** DIGITS:0{DIGITS}d}"


def shows_screen_code(roll_call: RollCall) -> bool:
    return roll_call.second_factor == Factor.SCREEN_CODE


def prompt(roll_call: RollCall) -> dict:
    """What the teacher page asks for (label, hint, input mode)."""
    if roll_call.second_factor == Factor.IDENTIFIER_END:
        return {"kind": Factor.IDENTIFIER_END, "label": _("Last 4 characters of your teacher identifier"),
                "hint": _("e.g. 5075"), "inputmode": "text", "maxlength": 8}
    return {"kind": Factor.SCREEN_CODE, "label": _("Code shown under the QR on the screen"),
            "hint": _("4 digits, e.g. 0427"), "inputmode": "numeric", "maxlength": DIGITS + 4}


def matches(roll_call: RollCall, bridge_id: int, person: Person, typed) -> bool | None:
    """Whether the typed value passes; None when it cannot be checked (no identifier on record)."""
    text = clean_text(typed).replace(" ", "")
    if roll_call.second_factor == Factor.IDENTIFIER_END:
        identifier = clean_identifier(person.teacher_id or "")
        if not identifier:
            return None
        expected = identifier[-IDENTIFIER_END:].upper()
        return bool(text) and constant_time_compare(clean_identifier(text).upper(), expected)
    return constant_time_compare(text, screen_code(roll_call, bridge_id))
