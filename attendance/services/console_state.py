"""What a school console shows of live attendance for its event: check-in state, the open roll call.

The event is the console's (events.participation.current_event, chosen once per request by the
console app's console.auth); the console's API adds the URL of the roll-call QR image.
"""

from datetime import datetime

from django.utils import timezone

from bridges.models import Bridge
from events.models import Event

from . import bridge_checkin, rollcall, second_factor
from .timing import iso


def live_state(bridge: Bridge, event: Event | None, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    roll_call = rollcall.current_roll_call(event, now)
    return {
        "server_time": iso(now),
        "bridge": {"id": bridge.pk, "code": bridge.code, "name": bridge.name},
        "event": {"id": event.pk, "title": event.title, "starts_at": iso(event.starts_at),
                  "ends_at": iso(event.ends_at), "status": event.status} if event else None,
        **bridge_checkin.status(bridge, event),
        "roll_call": console_roll_call(bridge, roll_call),
    }


def console_roll_call(bridge: Bridge, roll_call) -> dict | None:
    """The open roll call as this bridge's console shows it: with the code under its QR when the roll
    call asks teachers for it (second_factor; never in a message broadcast to every console)."""
    if roll_call is None:
        return None
    code = second_factor.screen_code(roll_call, bridge.pk) if second_factor.shows_screen_code(roll_call) else None
    return {**rollcall.payload(roll_call), "screen_code": code}
