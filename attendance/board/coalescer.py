"""Live board frames, coalesced once per process and fanned out to the local boards (consumer.py).

Services announce "bridges.changed" on the event's changes group (attendance.live). Each process
runs one `Coalescer` per event that has boards connected here: it alone listens to the group, gathers
the changed bridge ids, and at most every FRAME_INTERVAL computes one delta from the database (a few
queries, whatever the number of boards). Each board gets the part its scope covers, numbered with its
own sequence; a board that sees a gap, or reconnects, reloads the snapshot over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import itertools
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

from bridges.scope import role_of
from events import access

from .. import live, messages
from . import state as board_state

if TYPE_CHECKING:
    from .consumer import BoardConsumer

log = logging.getLogger(__name__)

FRAME_INTERVAL = 0.25
# What no message announces: a console that went silent (its heartbeats stop; nobody says so). Every
# ONLINE_SWEEP_SECONDS one query lists the bridges online now and the frame refreshes those whose tile
# says otherwise (EventBoard.online_drift), both ways: exact for the online state, ~5 ms against ~1 s.
ONLINE_SWEEP_SECONDS = 15.0
# The safety net: invitation changes (status, expected) and anything announced but lost on the way
# (Redis coming back calls catch_up at once). Every announced change is refreshed exactly by the frame
# that follows it and the sweep covers the silent consoles, so the full refresh need not run often.
FULL_REFRESH_SECONDS = 60.0
FEED_PER_FRAME = live.FEED_LIMIT
SEND_TIMEOUT = 10.0
MAX_QUEUED = 20  # frames, i.e. five seconds behind

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_SERVER_ERROR = 1011


# The board's database work has threads of its own. database_sync_to_async defaults to one thread
# for every consumer of the process; there a console's heartbeat write waiting for SQLite's write lock
# behind a burst of check-ins held back the board's frames for seconds. The board only reads.
BOARD_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="board")


def own_thread(func):
    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            # Hand the connection back (to the pool on PostgreSQL) at once: these threads outlive
            # the requests and tests that used them.
            connection.close()

    return database_sync_to_async(run, thread_sensitive=False, executor=BOARD_THREADS)


def settle_heap(board: board_state.EventBoard) -> None:
    """After a nation-sized board is (re)built, out of the cyclic collector's way: a full collection walks every
    object of the process, and with a nation's board in memory one took ~160 ms, inside a frame every few frames
    (bench/bench_nation.py). Collected once here, then frozen (gc.freeze: not walked until the next rebuild;
    freed as usual when no longer referenced, BridgeLive holds no cycles). What an earlier rebuild froze is
    unfrozen first, so the cyclic garbage of the process frozen with it is collected now rather than kept for
    good. Smaller boards are left to the collector."""
    if len(board.bridges) > settings.BOARD_TILES_MAX:
        gc.unfreeze()
        gc.collect()
        gc.freeze()


def board_access(user, event_id: int):
    """(allowed, scope_path, event exists) for this user and event."""
    role = role_of(user)
    if role is None:
        return False, None, True
    # A draft is the organizers' alone: to anyone else it does not exist (events.access).
    if not access.may_see(user, event_id):
        return True, None, False
    return True, board_state.scope_path_of(role), True


class Coalescer:
    """One per event per process: listens to the event's changes group, sends frames to local boards."""

    _registry: dict[int, Coalescer] = {}

    def __init__(self, event_id: int):
        self.event_id = event_id
        self.boards: set[BoardConsumer] = set()
        self.board: board_state.EventBoard | None = None
        self.pending: set[int] = set()
        self.feed: list[messages.FeedLine] = []
        self.arrivals: list[dict] = []  # the last refresh's "+N teachers" lines (board_state.arrival_lines)
        self.full = False
        self.sweep = False
        self.resync = False
        # The board is refreshed in a board thread and read by snapshot requests in request threads.
        self.lock = threading.Lock()
        self.read_at = 0  # when the refresh the board now shows began reading (epoch ms)
        # (scope, viewed group in group mode) -> (read_at, snapshot) of that refresh
        self.snapshots: dict[tuple, tuple[int, dict]] = {}
        self.wake = asyncio.Event()
        self.ready = asyncio.Event()
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []
        self.last_flush = 0.0
        self.last_full = 0.0
        self.last_sweep = 0.0
        self.last_static = 0.0
        self.last_unknown_reload = 0.0
        self.last_shared: tuple | None = None
        self.frames = 0
        self.failed = False
        self.stopping = False
        self.loop = asyncio.get_running_loop()
        self._unregister = None

    # --- membership ---------------------------------------------------------------------------------

    @classmethod
    async def join(cls, event_id: int, consumer: BoardConsumer) -> Coalescer:
        coalescer = cls._registry.get(event_id)
        if coalescer is not None and coalescer.loop is not asyncio.get_running_loop():
            coalescer = None  # left behind by an event loop that has ended (tests run one loop each)
        if coalescer is None:
            coalescer = cls._registry[event_id] = cls(event_id)
            coalescer.boards.add(consumer)
            try:
                await coalescer.start()
            except BaseException:
                # Nobody may join a coalescer that never started; the next board tries afresh.
                coalescer.failed = True
                if cls._registry.get(event_id) is coalescer:
                    del cls._registry[event_id]
                await coalescer.stop()
                raise
            finally:
                coalescer.ready.set()
        else:
            coalescer.boards.add(consumer)
            await coalescer.ready.wait()
            if coalescer.failed:
                coalescer.boards.discard(consumer)
                raise RuntimeError(f"the board of event {event_id} could not start")
        return coalescer

    @classmethod
    async def leave(cls, event_id: int, consumer: BoardConsumer) -> None:
        coalescer = cls._registry.get(event_id)
        if coalescer is not None and coalescer.loop is not asyncio.get_running_loop():
            coalescer = None  # left behind by an event loop that has ended (tests run one loop each)
        if coalescer is None:
            return
        coalescer.boards.discard(consumer)
        if not coalescer.boards:
            # Out of the registry before awaiting, so a board arriving meanwhile starts a fresh one.
            del cls._registry[event_id]
            await coalescer.stop()

    @classmethod
    def active(cls, event_id: int) -> Coalescer | None:
        return cls._registry.get(event_id)

    async def start(self) -> None:
        # Listen first, then read: a change committed meanwhile is either in what we read or announced
        # to us afterwards (then refreshed in the first frame), never neither.
        layer = get_channel_layer()
        if layer is not None:
            self.channel = await layer.new_channel()
            for group in self._groups():
                await layer.group_add(group, self.channel)
            self.tasks.append(asyncio.create_task(self._listen(layer)))
            if hasattr(layer, "on_recovery"):
                # Redis back after an outage (core.redis_outage): what was announced meanwhile is lost.
                self._unregister = layer.on_recovery(self.catch_up)
        self.board = await own_thread(board_state.EventBoard.load)(self.event_id)
        settle_heap(self.board)
        self.read_at = self.board.read_at
        self.last_static = time.monotonic()
        self.last_shared = self._shared_state()
        self.tasks.append(asyncio.create_task(self._run()))

    async def stop(self) -> None:
        # Let a frame being computed finish rather than cancel it: its database work runs in a thread
        # that would go on without us and keep its connection.
        self.stopping = True
        self.wake.set()
        if self._unregister is not None:
            self._unregister()
        for task in self.tasks:
            if task.get_coro().__name__ == "_run":
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(task), timeout=10)
            task.cancel()
        layer = get_channel_layer()
        if layer is not None and self.channel is not None:
            for group in self._groups():
                await layer.group_discard(group, self.channel)

    def _groups(self) -> list[str]:
        # The consoles group too: roll calls opening or closing and the launch are told to consoles only.
        return [live.changes_group(self.event_id), live.consoles_group(self.event_id)]

    # --- gathering ------------------------------------------------------------------------------------

    async def _listen(self, layer) -> None:
        while True:
            try:
                message = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis away for a moment: keep listening; the periodic full refresh covers the gap.
                log.exception("board listener for event %s", self.event_id)
                await asyncio.sleep(1)
                continue
            try:
                typed = messages.parse(message)
            except messages.MessageError:
                # A sender out of its written shape is a bug there; skip it, the next refresh covers it.
                log.exception("board of event %s: live message not in its shape", self.event_id)
                continue
            if isinstance(typed, messages.BridgesChanged):
                self.note(typed.bridge_ids, typed.feed)
            else:
                self.note_console_push(typed)

    def catch_up(self) -> None:
        """The next frame reads every bridge afresh (a full refresh), as soon as the frame interval allows."""
        self.full = True
        self.wake.set()

    def note(self, bridge_ids, feed=()) -> None:
        self.pending.update(bridge_ids)
        self.feed.extend(feed)
        del self.feed[:-FEED_PER_FRAME]
        self.wake.set()  # before the board is loaded this only queues: _run starts after the load

    def note_console_push(self, push: messages.ConsolePush) -> None:
        if push.kind in ("rollcall.opened", "rollcall.closed"):
            kind = "roll_call_opened" if push.kind == "rollcall.opened" else "roll_call_closed"
            self.note([], [messages.FeedLine(kind=kind, label=push.payload["roll_call"]["label"],
                                             at=board_state.now_ms())])
        else:
            self.note([])

    # --- one frame --------------------------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        if not self.last_full:
            self.last_full = self.last_sweep = loop.time()  # the board was just loaded whole
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=ONLINE_SWEEP_SECONDS)
            if loop.time() - self.last_full > FULL_REFRESH_SECONDS:
                self.full = True  # also when busy: what no message announced must not wait for a lull
            elif loop.time() - self.last_sweep > ONLINE_SWEEP_SECONDS:
                self.sweep = True
            if self.stopping:
                return
            delay = self.last_flush + FRAME_INTERVAL - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.stopping:
                return
            self.wake.clear()
            ids, feed, full, sweep = self.pending, self.feed, self.full, self.sweep
            self.pending, self.feed, self.full, self.sweep = set(), [], False, False
            self.last_flush = loop.time()
            if full:
                self.last_full = self.last_flush
            if full or sweep:
                self.last_sweep = self.last_flush
            try:
                read_at = board_state.now_ms()
                changed = await own_thread(self._refresh)(ids, full, sweep, read_at)
                await self._fan_out(changed, feed, read_at)
            except asyncio.CancelledError:
                raise
            except Exception:
                # A frame that failed is not fatal: boards get the next one, and a gap makes them reload.
                log.exception("board frame for event %s failed", self.event_id)

    def _refresh(self, ids: set[int], full: bool, sweep: bool = False, read_at: int | None = None) -> set[int]:
        with self.lock:
            changed = self._refresh_board(ids, full, sweep)
            self.read_at = read_at if read_at is not None else board_state.now_ms()
            self.snapshots = {}
        return changed

    def _refresh_board(self, ids: set[int], full: bool, sweep: bool) -> set[int]:
        # A bridge invited after the board loaded (at most one reload every few seconds for them).
        unknown = bool(ids - self.board.bridges.keys()) and time.monotonic() - self.last_unknown_reload > 5
        if unknown:
            self.last_unknown_reload = time.monotonic()
        reloaded = False
        if full or unknown:
            stale = time.monotonic() - self.last_static > FULL_REFRESH_SECONDS - 1
            with board_state.collector_paused():  # a nation's board is rebuilt: see collector_paused
                if stale or unknown or not self.board.bridges:
                    # Invitations or the tree may have changed: boards reload the snapshot if they did.
                    before = {(b.id, b.path, b.name, b.phone) for b in self.board.bridges.values()}
                    self.board.load_bridges()
                    reloaded = True
                    self.last_static = time.monotonic()
                    self.resync = before != {(b.id, b.path, b.name, b.phone) for b in self.board.bridges.values()}
                changed = self.board.refresh(None)
        else:
            if sweep:
                ids = ids | self.board.online_drift()
            changed = self.board.refresh(ids)
        self.arrivals = self.board.arrival_lines(board_state.now_ms())
        # Counters counted afresh after a reload are counted here, off the event loop, once per scope.
        for scope_path in {consumer.scope_path for consumer in list(self.boards)}:
            self.board.counters(scope_path)
        if reloaded:
            settle_heap(self.board)
        return changed

    @classmethod
    def snapshot_in_memory(cls, event, scope_path: str | None, group: str | None = None) -> dict | None:
        """The snapshot from this process's board of `event` (the caller has it from events.access, as
        the viewer may see it), if one is running here (else None: read the
        rows). It shows the last frame's refresh; `generated_at` is just after that refresh began reading,
        so a board drops that frame (already in the snapshot) and applies every later one. The boards of one
        scope (and, in group mode, viewing one group) reconnecting within a frame share one build."""
        coalescer = cls._registry.get(event.pk)
        if (coalescer is None or coalescer.board is None or coalescer.failed or coalescer.stopping
                or not coalescer.ready.is_set() or coalescer.loop.is_closed()):
            return None
        with coalescer.lock:
            # Keyed by the group it resolves to: codes that match none share the build without tiles.
            board = coalescer.board
            key = (scope_path, board.viewed_group(scope_path, group) if board.group_mode(scope_path) else None)
            kept = coalescer.snapshots.get(key)
            if kept is not None and kept[0] == coalescer.read_at:
                return kept[1]
            snapshot = {**coalescer.board.snapshot(scope_path, group), "generated_at": coalescer.read_at + 1,
                        # The title and status as they are now (a launch makes the event live).
                        "event": board_state.event_brief(event)}
            coalescer.snapshots[key] = (coalescer.read_at, snapshot)
            return snapshot

    @classmethod
    def snapshot_now(cls, event, scope_path: str | None, group: str | None = None) -> dict:
        """What a board of this scope loads: from this process's board of the event when one runs here
        (`snapshot_in_memory`), else read from the scope's rows. The snapshot API and the board page's own
        snapshot URL (what board.js reloads on hello, a gap or a "view") both answer with it."""
        return cls.snapshot_in_memory(event, scope_path, group) or board_state.snapshot(event.pk, scope_path, group)

    def _shared_state(self) -> tuple:
        return (json.dumps(self.board.roll_calls), json.dumps(self.board.launch))

    def _feed_items(self, feed: list[messages.FeedLine]) -> list[dict]:
        """The frame's feed: per bridge, the teachers who arrived since the last frame (counted from the rows by
        the refresh, `arrivals`), and the other lines the notifications brought, newest first."""
        others = [self._feed_item(line) for line in reversed(feed) if line.kind != "checkin"]
        return sorted(self.arrivals + others, key=lambda item: -item["at"])

    def _feed_item(self, line: messages.FeedLine) -> dict:
        """The line as a snapshot's feed has it, with the bridge's name where the sender left it out."""
        live_bridge = self.board.bridges.get(line.bridge_id) if line.bridge_id is not None else None
        return line.named(live_bridge.name if live_bridge else "").as_dict()

    async def _fan_out(self, changed: set[int], feed: list[messages.FeedLine], generated_at: int) -> None:
        shared = self._shared_state()
        shared_changed = shared != self.last_shared
        self.last_shared = shared
        items = self._feed_items(feed)
        resync, self.resync = self.resync, False
        shared_changed = shared_changed or resync
        # One body per scope, and in group mode per scope and viewed group: boards that see the same get one text.
        bodies: dict[tuple, str | None] = {}
        keys = {}
        for consumer in list(self.boards):
            scope_path = consumer.scope_path
            key = keys[consumer] = (scope_path, consumer.view if self.board.group_mode(scope_path) else None)
            if key not in bodies:
                bodies[key] = self._body(scope_path, changed, items, shared_changed, generated_at, resync,
                                         view=key[1])
        self.frames += 1
        for consumer, key in keys.items():
            if bodies.get(key):
                consumer.queue_frame(bodies[key])

    def _body(self, scope_path, changed, items, shared_changed, generated_at, resync=False, view=None) -> str | None:
        """The delta a board of this scope sees. In group mode (a scope above settings.BOARD_TILES_MAX bridges)
        it carries the counters of the groups its changed tiles moved (and the total), the tiles of the viewed
        group `view` (a code) only, and the feed's latest FEED_SIZE lines (what a board shows); else every
        changed tile in scope and every group's counters, as a snapshot has them."""
        board = self.board
        if not board.group_mode(scope_path):
            tiles = board.live_tiles(scope_path, changed)
            feed = [i for i in items if board.feed_visible(i, scope_path)]
            if not (tiles or feed or shared_changed):
                return None
            frame = {
                "type": "delta", "generated_at": generated_at, "tiles": tiles,
                "counters": board.counters(scope_path), "roll_calls": board.roll_calls, "launch": board.launch,
                "feed": feed,
            }
        else:
            moved = board.groups_of(scope_path, changed)
            feed = list(itertools.islice((i for i in items if board.feed_visible(i, scope_path)), board_state.FEED_SIZE))
            if not (moved or feed or shared_changed):
                return None
            group_id = board.viewed_group(scope_path, view)
            frame = {
                "type": "delta", "generated_at": generated_at, "mode": "groups", "group": group_id,
                "tiles": board.live_tiles(scope_path, changed, group_id, grouped=True),
                "counters": board.counters(scope_path, only_groups=moved), "roll_calls": board.roll_calls,
                "launch": board.launch, "feed": feed,
            }
        if resync:
            frame["resync"] = True
        return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
