"""Jitsi `event_sync` webhooks (jitsi-contrib/prosody-plugins) stored as presence events.

The prosody component POSTs JSON to `<api_prefix>/events/room/created`, `.../room/destroyed`,
`.../occupant/joined` and `.../occupant/left`, with whatever headers `api_headers` configures: we
expect `Authorization: Bearer <JITSI_WEBHOOK_SECRET>`. It retries on 5xx, so a delivery may arrive
twice; the dedupe key makes the second one a no-op answered like the first.

Breakout rooms: the component (with `breakout_component` set) also posts the events of breakout rooms,
but names them after their main room (`room_name`, `room_jid`) and marks them `is_breakout: true` with
`breakout_room_id`, the breakout room's own MUC node. A breakout room is a room of its own here: it is
stored under that id (`room_of`), so its occupants' spans are its own and its closing ends only them;
the event is still found from the main room's name.
"""

import hashlib
import hmac
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bridges.models import Bridge
from core import json_input
from core.errors import Refused
from events.models import Event, Invitation, JitsiRoom

from .models import PresenceEvent

# A room-destroyed payload lists every occupant since the room opened (reconnects included): a
# 100-school room over a long day stays far below this.
MAX_BODY_BYTES = 512 * 1024

KINDS = {
    "muc-room-created": PresenceEvent.Kind.ROOM_CREATED,
    "muc-room-destroyed": PresenceEvent.Kind.ROOM_DESTROYED,
    "muc-occupant-joined": PresenceEvent.Kind.OCCUPANT_JOINED,
    "muc-occupant-left": PresenceEvent.Kind.OCCUPANT_LEFT,
}
# The URL suffix event_sync appends to api_prefix for each event.
PATHS = {
    ("room", "created"): "muc-room-created",
    ("room", "destroyed"): "muc-room-destroyed",
    ("occupant", "joined"): "muc-occupant-joined",
    ("occupant", "left"): "muc-occupant-left",
}
# Which timestamp marks the moment of each event.
TIME_FIELDS = {
    "muc-room-created": ("created_at", None),
    "muc-room-destroyed": ("destroyed_at", None),
    "muc-occupant-joined": ("joined_at", "occupant"),
    "muc-occupant-left": ("left_at", "occupant"),
}


class WebhookRejected(Refused):
    """event_sync's post refused (bad secret, bad body): answered with `status`, nothing stored."""

    code = "webhook_refused"

    def __init__(self, status: int, message: str):
        super().__init__(message, status=status)


def authenticate(authorization: str) -> None:
    secret = settings.JITSI_WEBHOOK_SECRET
    scheme, _sep, presented = (authorization or "").partition(" ")
    # compare_digest keeps the comparison time independent of how much of the secret matched.
    if not secret or scheme.lower() != "bearer" or not hmac.compare_digest(
        presented.strip().encode(), secret.encode()
    ):
        raise WebhookRejected(403, _("Wrong or missing webhook secret."))


def parse(body: bytes, *, path_event: str | None = None) -> dict:
    if len(body) > MAX_BODY_BYTES:
        raise WebhookRejected(413, _("The webhook body is too large."))
    try:
        payload = json_input.loads(body)  # bounded: depth, 64-bit numbers, storable text
    except json_input.BadJSON as refusal:
        message = (_("The webhook body is not valid JSON.") if refusal.code == json_input.BadJSON.code
                   else refusal.message)
        raise WebhookRejected(400, message) from None
    if not isinstance(payload, dict):
        raise WebhookRejected(400, _("The webhook body must be a JSON object."))
    event_name = payload.get("event_name")
    if event_name not in KINDS:
        raise WebhookRejected(400, _("Unknown webhook event: %(name)s.") % {"name": str(event_name)[:60]})
    if path_event is not None and path_event != event_name:
        raise WebhookRejected(400, _("The webhook event does not match its URL."))
    if not isinstance(payload.get("room_name"), str) or not payload["room_name"]:
        raise WebhookRejected(400, _("The webhook has no room name."))
    occurred_at(payload)
    if event_name.startswith("muc-occupant") and not isinstance(payload.get("occupant"), dict):
        raise WebhookRejected(400, _("The webhook has no occupant."))
    breakout = payload.get("is_breakout", False)
    if not isinstance(breakout, bool):
        raise WebhookRejected(400, _("The webhook's is_breakout must be true or false."))
    if breakout and not (isinstance(payload.get("breakout_room_id"), str) and payload["breakout_room_id"]):
        raise WebhookRejected(400, _("A breakout room's webhook has no breakout_room_id."))
    return payload


def is_breakout(payload: dict) -> bool:
    return payload.get("is_breakout") is True


def room_of(payload: dict) -> str:
    """The Jitsi room the event happened in: a breakout room's own id, else the room's name.

    Lowercased as Jitsi lowercases room nodes, so a room keeps one name across its events."""
    return (payload["breakout_room_id"] if is_breakout(payload) else payload["room_name"]).lower()[:200]


def _timestamp(value) -> datetime:
    # event_sync sends os.time(): whole seconds since the epoch.
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 32503680000:
        raise WebhookRejected(400, _("The webhook has no valid time."))
    return datetime.fromtimestamp(value, tz=UTC)


def occurred_at(payload: dict) -> datetime:
    field, container = TIME_FIELDS[payload["event_name"]]
    source = payload.get(container) if container else payload
    if not isinstance(source, dict):
        raise WebhookRejected(400, _("The webhook has no valid time."))
    return _timestamp(source.get(field))


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def dedupe_key(payload: dict) -> str:
    occupant = payload.get("occupant") if isinstance(payload.get("occupant"), dict) else {}
    parts = [
        payload["event_name"], payload["room_name"], _text(payload.get("breakout_room_id")),
        _text(occupant.get("occupant_jid")), _text(occupant.get("id")), str(int(occurred_at(payload).timestamp())),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _event_for_room(room_name: str) -> Event | None:
    room = JitsiRoom.objects.select_related("event").filter(name=room_name.lower()).first()
    return room.event if room else None


def _bridge_for(payload: dict, event: Event | None) -> Bridge | None:
    """The occupant's bridge: our tokens carry the bridge code as context.user.id."""
    occupant = payload.get("occupant")
    if event is None or not isinstance(occupant, dict):
        return None
    code = _text(occupant.get("id"))[:40]
    if not code:
        return None
    bridge = Bridge.objects.filter(code=code).first()
    if bridge is None:
        return None
    taking_part = bridge.pk == event.host_id or Invitation.objects.filter(event=event, bridge=bridge).exists()
    return bridge if taking_part else None


def store(payload: dict) -> tuple[PresenceEvent, bool]:
    """Store the webhook once; a repeat delivery returns the first row and created=False."""
    key = dedupe_key(payload)
    existing = PresenceEvent.objects.filter(dedupe_key=key).first()
    if existing is not None:
        return existing, False
    # A breakout room's events name its main room: that is how the event is found.
    event = _event_for_room(payload["room_name"])
    occupant = payload.get("occupant") if isinstance(payload.get("occupant"), dict) else {}
    row = PresenceEvent(
        dedupe_key=key,
        kind=KINDS[payload["event_name"]],
        room_name=room_of(payload),
        event=event,
        bridge=_bridge_for(payload, event),
        # The occupant JID names one connection; joined/left pairs match on it.
        occupant_id=_text(occupant.get("occupant_jid"))[:200],
        occurred_at=occurred_at(payload),
        payload=payload,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # Two deliveries raced past the lookup; the unique key let exactly one in.
        return PresenceEvent.objects.get(dedupe_key=key), False
    return row, True


def receive(body: bytes, authorization: str, *, path_event: str | None = None) -> tuple[PresenceEvent, bool]:
    authenticate(authorization)
    return store(parse(body, path_event=path_event))
