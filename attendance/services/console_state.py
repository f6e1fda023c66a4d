"""What a school console shows of live attendance: its event, check-in state, the open roll call."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from bridges.models import Bridge
from events import participation
from events.models import Event

from ..models import RollCall
from . import bridge_checkin, rollcall
from .timing import iso


def resolve_event(bridge: Bridge, event_id=None, now: datetime | None = None) -> Event | None:
    """The event the console works for (?event=<id> when the bridge takes part): `participation.current_event`."""
    return participation.current_event(bridge, now, requested=event_id)


def open_roll_call_for(bridge: Bridge, event_id=None, now: datetime | None = None) -> RollCall | None:
    return rollcall.current_roll_call(resolve_event(bridge, event_id, now), now)


def live_state(bridge: Bridge, token: str, event_id=None, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    event = resolve_event(bridge, event_id, now)
    roll_call = rollcall.current_roll_call(event, now)
    state = {
        "server_time": iso(now),
        "bridge": {"id": bridge.pk, "code": bridge.code, "name": bridge.name},
        "event": {"id": event.pk, "title": event.title, "starts_at": iso(event.starts_at),
                  "ends_at": iso(event.ends_at), "status": event.status} if event else None,
        **bridge_checkin.status(bridge, event),
        "roll_call": None,
    }
    if roll_call is not None:
        qr_url = reverse("attendance_public:console_qr", args=[token]) + f"?event={event.pk}"
        state["roll_call"] = {**rollcall.payload(roll_call), "qr_url": qr_url}
    return state
