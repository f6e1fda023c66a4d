"""Time from clients is evidence, not truth (issue 15): when a console's queued write still counts
after the window it claims to belong to has closed.

A console that loses its connection keeps its ticks, headcount and bridge check-in and sends them
when it is back, each with the time it was made (DESIGN: nothing typed is lost). That time is the
console's word. After the window closed (a roll call's open span, or an event's end) such a write
counts only if

1. it arrives within the grace (ATTENDANCE_QUEUED_WRITE_GRACE_MINUTES, at most 30 minutes) after the close: a
   console is offline for minutes, not for the rest of the day; and
2. the console was seen (a console connection interval, connections.console_seen) during the window:
   a console that never was online then never saw the roll call open, so it cannot have ticked in it.

Otherwise the write is refused with a code and a message, and changes nothing. Before the close the
usual rules apply (checkin.tick_time keeps the claimed time only inside the window).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from bridges.models import Bridge
from core.errors import Refused

from . import connections

MAX_GRACE_MINUTES = 30


class QueuedWriteRefused(Refused):
    """A queued write that came too late, or from a console nobody saw during the window."""

    code = "too_late"
    status = 409


def grace() -> timedelta:
    minutes = int(getattr(settings, "ATTENDANCE_QUEUED_WRITE_GRACE_MINUTES", MAX_GRACE_MINUTES))
    return timedelta(minutes=max(0, min(minutes, MAX_GRACE_MINUTES)))


ROLL_CALL, EVENT = "roll_call", "event"


def _too_late(window: str, minutes: int) -> str:
    if window == ROLL_CALL:
        return _("This tick was sent more than %(minutes)s minutes after the roll call closed, so it is not "
                 "counted. Ask the organizer to record it.") % {"minutes": minutes}
    return _("This was sent more than %(minutes)s minutes after the event ended, so it is not counted. Ask the "
             "organizer to record it.") % {"minutes": minutes}


def _unseen(window: str) -> str:
    if window == ROLL_CALL:
        return _("This console was not connected while the roll call was open, so a tick it sends afterwards "
                 "is not counted. Ask the organizer to record it.")
    return _("This console was not connected during the event, so what it sends after the end is not counted. "
             "Ask the organizer to record it.")


def check_late(bridge: Bridge, *, opened: datetime, closed: datetime, now: datetime, window: str) -> None:
    """Raise QueuedWriteRefused unless a write made in [opened, closed) and received `now`, after the
    close, still counts. `window` (ROLL_CALL or EVENT) says which close the message speaks of."""
    allowed = grace()
    if now > closed + allowed:
        raise QueuedWriteRefused(_too_late(window, int(allowed.total_seconds() // 60)), code="too_late")
    if not connections.console_seen(bridge, opened, closed):
        raise QueuedWriteRefused(_unseen(window), code="console_unseen")
