"""Connection intervals per bridge: the console's websocket and the bridge's video occupants.

attendance.presence turns them into minutes connected per session. A console interval is opened on
connect, its last_seen_at moves with heartbeats (written at most every HEARTBEAT_WRITE_SECONDS) and
it ends on disconnect; an interval whose socket vanished silently counts only to its last heartbeat.
Video intervals come from the Jitsi webhooks stored as video.PresenceEvent.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bridges.models import Bridge
from bridges.services import bridge_by_console_token
from core.bulk_sql import fetch
from events import participation
from video.models import PresenceEvent

from .. import live
from ..messages import FeedLine
from ..models import ConnectionInterval
from .timing import epoch_ms

HEARTBEAT_WRITE_SECONDS = 30


@dataclass
class ConsoleConnection:
    bridge_id: int
    bridge_code: str
    event_id: int | None
    event_ids: list[int] = field(default_factory=list)
    interval_id: int | None = None


def _feed(kind: str, bridge: Bridge | None, bridge_id: int, at: datetime, source: str) -> FeedLine:
    # `source` (console or video) is not shown: a bridge is connected by either. The board names the
    # bridge itself when the sender has only its id.
    return FeedLine(kind=kind, at=epoch_ms(at), bridge_id=bridge_id, bridge=bridge.name if bridge else "")


def _open_console_interval(bridge: Bridge, event, connection_id: str, now: datetime) -> int:
    with transaction.atomic():
        interval = ConnectionInterval.objects.create(
            event=event, bridge=bridge, source=ConnectionInterval.Source.CONSOLE,
            connection_id=connection_id[:200], started_at=now, last_seen_at=now,
        )
        live.bridges_changed(event.pk, [bridge.pk], feed=_feed("connected", bridge, bridge.pk, now, "console"))
    return interval.pk


def console_connected(token: str, connection_id: str, now: datetime | None = None) -> ConsoleConnection | None:
    """None for an unknown or rotated link; else the bridge, its events and the opened interval."""
    now = now or timezone.now()
    bridge = bridge_by_console_token(token)
    if bridge is None:
        return None
    events = participation.candidate_events(bridge, now)
    event = participation.pick_event(events, now)
    connection = ConsoleConnection(bridge.pk, bridge.code, event.pk if event else None, [e.pk for e in events])
    if event is not None:
        connection.interval_id = _open_console_interval(bridge, event, connection_id, now)
    return connection


def console_bridge(bridge_id: int, token: str) -> Bridge | None:
    """The bridge of an open console connection, read afresh by its id and the token the socket opened with;
    None once the link was rotated. Asked before each write the socket carries, so that a rotated link stops
    working at once even when the revocation message (core.revocation) was lost.

    One plain statement of the bridge's own columns (core.bulk_sql.fetch; no tier, no parent): re-reading the
    bridge by token through the ORM with its tier and parent cost about a third of a websocket tick.
    """
    if not token or len(token) > 64:
        return None
    found = fetch(Bridge, _BRIDGE_COLUMNS, {"id": [bridge_id], "console_token": [token]})
    return found[0] if found else None


_BRIDGE_COLUMNS = tuple(f.name for f in Bridge._meta.concrete_fields if not f.primary_key)


def console_heartbeat(connection: ConsoleConnection, token: str, connection_id: str,
                      now: datetime | None = None) -> bool:
    """Move the interval's last_seen_at; False when the console link was rotated meanwhile.

    A console may stay open for days: when the event it works for changes (yesterday's ended, today's
    began), its interval moves to the new event and `connection.event_ids` is updated so that the
    consumer can follow the right notification groups.
    """
    now = now or timezone.now()
    bridge = console_bridge(connection.bridge_id, token)
    if bridge is None:
        return False
    events = participation.candidate_events(bridge, now)
    event = participation.pick_event(events, now)
    connection.event_ids = [e.pk for e in events]
    event_id = event.pk if event else None
    if event_id == connection.event_id:
        if connection.interval_id is not None:
            ConnectionInterval.objects.filter(pk=connection.interval_id, ended_at__isnull=True).update(last_seen_at=now)
        return True
    console_disconnected(connection, now)
    connection.event_id, connection.interval_id = event_id, None
    if event is not None:
        connection.interval_id = _open_console_interval(bridge, event, connection_id, now)
    return True


def console_seen(bridge: Bridge, start: datetime, end: datetime) -> bool:
    """Whether a console of this bridge was connected at some moment of [start, end), whatever event it
    followed (attendance.services.queued asks before counting a write queued in that span).

    last_seen_at lags a live socket by up to HEARTBEAT_WRITE_SECONDS plus the console's heartbeat
    period: a span that ended that much before `start` may still have seen it.
    """
    slack = timedelta(seconds=2 * HEARTBEAT_WRITE_SECONDS)
    return ConnectionInterval.objects.filter(
        bridge=bridge, source=ConnectionInterval.Source.CONSOLE, started_at__lt=end, last_seen_at__gte=start - slack,
    ).exists()


def console_disconnected(connection: ConsoleConnection, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if connection.interval_id is None:
        return
    with transaction.atomic():
        ended = ConnectionInterval.objects.filter(pk=connection.interval_id, ended_at__isnull=True).update(
            ended_at=now, last_seen_at=now
        )
        if ended and connection.event_id is not None:
            live.bridges_changed(connection.event_id, [connection.bridge_id],
                                 feed=_feed("disconnected", None, connection.bridge_id, now, "console"))


# --- Video occupants (Jitsi event_sync webhooks) ---------------------------------------------------

def _video_id(room_name: str, occupant_id: str) -> str:
    # The room prefix lets a room_destroyed close every occupant span of that room.
    return f"{room_name}/{occupant_id}"[:200]


def apply_presence(presence: PresenceEvent) -> None:
    """Open or close a video interval for a stored Jitsi occupant/room event."""
    kind = presence.kind
    at = presence.occurred_at
    video = ConnectionInterval.Source.VIDEO
    if kind == PresenceEvent.Kind.OCCUPANT_JOINED:
        if not (presence.event_id and presence.bridge_id and presence.occupant_id):
            return
        connection_id = _video_id(presence.room_name, presence.occupant_id)
        already = ConnectionInterval.objects.filter(
            event_id=presence.event_id, source=video, connection_id=connection_id, ended_at__isnull=True
        ).exists()
        if not already:
            ConnectionInterval.objects.create(event_id=presence.event_id, bridge_id=presence.bridge_id, source=video,
                                              connection_id=connection_id, started_at=at, last_seen_at=at)
            live.bridges_changed(presence.event_id, [presence.bridge_id],
                                 feed=_feed("connected", presence.bridge, presence.bridge_id, at, "video"))
        return
    if kind == PresenceEvent.Kind.OCCUPANT_LEFT and presence.occupant_id:
        spans = ConnectionInterval.objects.filter(
            source=video, connection_id=_video_id(presence.room_name, presence.occupant_id), ended_at__isnull=True
        )
    elif kind == PresenceEvent.Kind.ROOM_DESTROYED:
        spans = ConnectionInterval.objects.filter(
            source=video, connection_id__startswith=f"{presence.room_name}/", ended_at__isnull=True
        )
    else:
        return
    if presence.event_id:
        spans = spans.filter(event_id=presence.event_id)
    closing = list(spans.values_list("pk", "event_id", "bridge_id", "started_at"))
    for pk, event_id, bridge_id, started_at in closing:
        end = max(at, started_at)
        ConnectionInterval.objects.filter(pk=pk).update(ended_at=end, last_seen_at=end)
        live.bridges_changed(event_id, [bridge_id], feed=_feed("disconnected", None, bridge_id, end, "video"))
