"""The writes a school console may queue offline and retry: bridge check-in, headcount, roster tick and
the undo of a tick.

One entry point for the HTTP views, the API and the websocket consumer: each write carries a client
nonce and the time it was made; a repeat of a nonce gets the first answer (idempotency.once).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bridges.models import Bridge
from events import participation
from events.models import Event

from ..models import CheckIn, CheckInAttempt
from . import bridge_checkin, checkin, idempotency, roster
from .timing import parse_client_time

KINDS = ("checkin", "headcount", "tick", "untick")


def scope_of(bridge: Bridge) -> str:
    return f"bridge:{bridge.pk}"


def _event(bridge: Bridge, data: dict, now: datetime) -> tuple[Event | None, tuple[int, dict] | None]:
    event_id = data.get("event_id")
    if event_id in (None, ""):
        event = participation.current_event(bridge, now)
        if event is None:
            return None, (409, {"ok": False, "outcome": "no_event",
                                "message": _("This bridge has no current or upcoming event.")})
        return event, None
    event = participation.requested_event(bridge, event_id)
    if event is None:
        return None, (409, {"ok": False, "outcome": "not_invited",
                            "message": _("This bridge is not invited to this event.")})
    return event, None


def _checkin(bridge, data, *, ip, nonce, now):
    event, refusal = _event(bridge, data, now)
    if refusal:
        return refusal
    return bridge_checkin.check_in(bridge, event, method=data.get("method") or "button",
                                   client_time=data["client_time_parsed"], ip=ip, now=now)


def _headcount(bridge, data, *, ip, nonce, now):
    event, refusal = _event(bridge, data, now)
    if refusal:
        return refusal
    return bridge_checkin.set_headcount(bridge, event, data.get("headcount"), client_time=data["client_time_parsed"],
                                        ip=ip, now=now)


def _tick(bridge, data, *, ip, nonce, now):
    return checkin.tick(bridge, data, ip=ip, nonce=nonce, now=now)


def _untick(bridge, data, *, ip, nonce, now):
    try:
        row = roster.undo_tick(bridge, data, ip=ip, nonce=nonce, now=now)
    except roster.UndoRefused as refused:
        return refused.status, {"ok": False, "outcome": refused.code, "message": refused.message,
                                "roll_call_id": data.get("roll_call_id") if isinstance(data.get("roll_call_id"), int)
                                else None}
    return 200, {"ok": True, "outcome": "undone", "roll_call_id": row.roll_call_id, "person_id": row.person_id,
                 "person_name": row.person.full_name,
                 "message": _("The tick of %(name)s was undone.") % {"name": row.person.full_name}}


_WRITERS = {"checkin": _checkin, "headcount": _headcount, "tick": _tick, "untick": _untick}


def write(bridge: Bridge, kind: str, data: dict, *, ip: str | None = None,
          now: datetime | None = None) -> idempotency.Answer:
    now = now or timezone.now()
    if not isinstance(data, dict) or kind not in _WRITERS:
        return idempotency.Answer(400, {"ok": False, "outcome": "invalid", "message": _("Unknown request.")})
    client_time = parse_client_time(data.get("client_time"))
    nonce = idempotency.clean_nonce(data.get("nonce"))
    if nonce is None:
        message = _("This request has no valid nonce; reload the console.")
        if kind == "tick":
            with transaction.atomic():
                CheckInAttempt.objects.create(bridge=bridge, method=CheckIn.Method.TICK, outcome="invalid",
                                              reason=gettext_noop("missing or malformed nonce"), ip=ip, client_time=client_time)
        return idempotency.Answer(400, {"ok": False, "outcome": "invalid", "message": message})
    data = {**data, "client_time_parsed": client_time}
    writer = _WRITERS[kind]
    return idempotency.once(scope_of(bridge), nonce, lambda: writer(bridge, data, ip=ip, nonce=nonce, now=now))
