"""Notifications from services to websocket clients, over the channel layer.

The database is the truth; these messages only say "look again". Services call them inside
their transaction: the send is deferred with on_commit so nobody is told about a write that
was rolled back. Consumers in every worker process join the groups below, so with Redis a
write handled by one process reaches clients connected to another.
"""

import asyncio
import logging
import threading
from contextlib import contextmanager

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.dispatch import Signal

from .messages import BridgesChanged, ConsolePush, FeedLine

log = logging.getLogger(__name__)

FEED_LIMIT = 40

# Sent at once, inside the caller's transaction, with every notification that feeds the board:
# event_id, bridge_ids (None: the whole event, a roll call opened or closed), homes (the own bridges of
# people checked in at another bridge). Read models listen (training.tallies marks its rows changed after
# the commit, so nothing is marked for a write that was rolled back).
changed = Signal()


def changes_group(event_id: int) -> str:
    """Boards of an event listen here for which bridges changed."""
    return f"event-{event_id}-changes"


def consoles_group(event_id: int) -> str:
    """Every console of an event: roll call opened/closed, launch."""
    return f"event-{event_id}-consoles"


def bridge_group(bridge_id: int) -> str:
    """One bridge's console(s)."""
    return f"bridge-{bridge_id}"


_gathering = threading.local()


@contextmanager
def together():
    """Within this block, what the services send goes out after commit in one trip into the event loop
    (a batch of teachers' scans tells boards and consoles at once; each trip from a thread costs as much
    as a few check-ins). Left by an exception, nothing is sent: the transaction is rolled back too."""
    outer = getattr(_gathering, "outgoing", None)
    outgoing = _gathering.outgoing = [] if outer is None else outer
    try:
        yield
    finally:
        if outer is None:
            _gathering.outgoing = None
    if outer is None:
        _send_all_after_commit(outgoing)


def _send_after_commit(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    gathered = getattr(_gathering, "outgoing", None)
    if gathered is not None:
        gathered.append((group, message))
        return

    def send():
        # The write is committed: a notification that cannot go out (Redis slow or full) must not
        # turn it into an error for the caller. Clients resync from a snapshot on the next gap.
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:
            log.warning("live notification to %s lost", group, exc_info=True)

    transaction.on_commit(send)


def bridges_changed(event_id: int, bridge_ids: list[int], feed: FeedLine | list[FeedLine] | None = None,
                    homes=()) -> None:
    """Tell the boards that these bridges' state changed (and optionally lines for their feed). `homes`: the
    own bridges of people checked in (or untaken) at these bridges, for read models only (the board counts
    a check-in where it was made).

    A batch of writes sends one message: boards show at most FEED_LIMIT lines per frame anyway."""
    lines = [] if feed is None else [feed] if isinstance(feed, FeedLine) else list(feed)[-FEED_LIMIT:]
    if bridge_ids:
        changed.send(sender=None, event_id=event_id, bridge_ids=list(bridge_ids), homes=homes)
    message = BridgesChanged(tuple(bridge_ids), tuple(lines))
    _send_after_commit(changes_group(event_id), message.as_message())


def _send_all_after_commit(outgoing: list[tuple[str, dict]]) -> None:
    """Several (group, message) in one go after commit: one trip into the event loop, not one per group."""
    layer = get_channel_layer()
    if layer is None or not outgoing:
        return
    gathered = getattr(_gathering, "outgoing", None)
    if gathered is not None:
        gathered.extend(outgoing)
        return

    async def send_all():
        results = await asyncio.gather(*(layer.group_send(group, message) for group, message in outgoing),
                                       return_exceptions=True)
        lost = [(group, r) for (group, _m), r in zip(outgoing, results, strict=True) if isinstance(r, BaseException)]
        if lost:
            names = ", ".join(group for group, _r in lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
            log.warning("live notification to %s lost", names, exc_info=lost[0][1])

    def send():
        try:
            async_to_sync(send_all)()
        except Exception:
            log.warning("live notification to %s groups lost", len(outgoing), exc_info=True)

    transaction.on_commit(send)


def to_bridges(payloads: dict[int, dict]) -> None:
    """A payload per bridge, to that bridge's console(s) (e.g. "roster.changed"), as typed; all sent in one
    go after commit (a batch of teachers' scans touches many rosters at once)."""
    _send_all_after_commit([(bridge_group(bridge_id), ConsolePush(payload).as_message())
                            for bridge_id, payload in payloads.items()])


def to_consoles(event_id: int, payload: dict) -> None:
    """A roll call opened or closed, or the launch: to the event's consoles (and boards), as typed."""
    if str(payload.get("type", "")).startswith("rollcall."):
        changed.send(sender=None, event_id=event_id, bridge_ids=None)
    _send_after_commit(consoles_group(event_id), ConsolePush(payload).as_message())
