"""Riding out a Redis restart (issue 13): what an outage raises, and a channel layer that survives one.

The database is the truth; Redis only carries "look again" messages between processes (channel layer)
and the rate limits' counters (cache). When Redis stops, nothing a person does may fail for it, and
when it comes back, every process must listen again without a restart:

- `ERRORS` is what a Redis call raises while the server is away (refused, reset, timed out). Callers that
  can do without Redis catch it (attendance.live for notifications, attendance.services.throttle,
  which then lets the request through).
- `RecoveringRedisChannelLayer` (CHANNEL_LAYERS in config/settings.py) is channels_redis's layer with
  two changes. A `receive` that meets an outage waits and tries again instead of raising, so the
  consumers waiting on it (boards, consoles, their coalescers) live on rather than crash and close
  every socket at once; while Redis is away one of them probes it every RETRY_SECONDS and the others
  wait. And it remembers which groups each of this process's channels joined: a restarted Redis has
  lost them (and every queued message), so the probe that reaches Redis again joins them all again (one
  pipeline), then calls the callbacks registered with `on_recovery` (the board's coalescer reads the
  database afresh: what was announced meanwhile is lost, the rows are not).
  A `group_add` or `group_discard` during the outage is remembered and done when Redis is back.
  The sockets' own channels are read by one reader per process (core.redis_receive), which hands a
  Redis error to every waiting socket.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import RedisError

from .redis_receive import OneReaderReceive

log = logging.getLogger(__name__)

# What a Redis client raises while the server is away. RedisError covers redis-py's ConnectionError and
# TimeoutError (which are not the builtins); OSError a socket refused or reset below it.
ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError, asyncio.TimeoutError)

# How often one receiver of the process tries Redis while it is away: boards are back within about this.
RETRY_SECONDS = 0.5

# redis-py's pool refuses its 101st connection at once (MaxConnectionsError, one of ERRORS): 500 console
# sockets closing together lost their group_discard calls, read as an outage, and their groups stayed in
# Redis for a day. A blocking pool lets such a burst wait its turn (each call is well under a millisecond).
POOL_CONNECTIONS = 200
POOL_WAIT_SECONDS = 10.0

# How much longer than the layer's blocking pop (channels_redis's BZPOPMIN, brpop_timeout) a socket read
# may take before it counts as Redis not answering. redis-py 8 reads with a 5 s socket timeout by default,
# the same 5 s as the pop: an idle receive timed out whenever Redis answered a little late, was taken for
# an outage, and every membership of the process was joined again while sockets were leaving their
# groups (so some left were put back: django/channels_redis#422). A hung Redis is still noticed.
READ_MARGIN_SECONDS = 5.0


def _unless_cancelled() -> None:
    """Raise CancelledError if the current task is being cancelled. A cancelled Redis call can come out of
    redis-py as a connection error (its clean-up fails while the loop shuts down); taken for an outage, it
    made a socket's receive wait and retry for ever, and a loop closing (a test's end, a worker's) hung."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class RecoveringRedisChannelLayer(OneReaderReceive, RedisChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships: dict[str, set[str]] = defaultdict(set)  # this process's channel -> its groups
        self.down = False
        self.recoveries = 0
        self._rejoining = False
        self._back: asyncio.Event | None = None
        self._back_loop = None
        self._callbacks: set[Callable[[], None]] = set()

    # --- who listens where ------------------------------------------------------------------------

    async def group_add(self, group, channel):
        self.memberships[channel].add(group)
        try:
            await super().group_add(group, channel)
        except ERRORS as error:
            self._lost("group_add", error)  # joined when Redis is back (receive)

    def create_pool(self, index):
        host = dict(self.hosts[index])
        if "address" not in host:
            return super().create_pool(index)  # a Sentinel set-up: channels_redis's own pool
        address = host.pop("address")
        host.setdefault("max_connections", POOL_CONNECTIONS)
        host.setdefault("timeout", POOL_WAIT_SECONDS)
        # Never below the blocking pop, whatever the set-up says: a shorter read cannot work with this layer.
        host["socket_timeout"] = max(host.get("socket_timeout") or 0, self.brpop_timeout + READ_MARGIN_SECONDS)
        return BlockingConnectionPool.from_url(address, **host)

    async def group_discard(self, group, channel):
        groups = self.memberships.get(channel)
        if groups is not None:
            groups.discard(group)
            if not groups:
                del self.memberships[channel]
        try:
            await super().group_discard(group, channel)
        except ERRORS as error:
            self._lost("group_discard", error)  # a restarted Redis has forgotten it anyway; else it expires

    def on_recovery(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback()` (on the event loop, no argument) each time Redis is back after an outage.
        Returns a function that unregisters it."""
        self._callbacks.add(callback)
        return lambda: self._callbacks.discard(callback)

    # --- receiving --------------------------------------------------------------------------------

    async def receive(self, channel):
        while True:
            if self.down:
                await self._wait_until_back()
            try:
                if "!" in channel:  # a socket's own channel: one reader for the process (core.redis_receive)
                    assert self.require_valid_channel_name(channel)
                    return await self._receive_specific(channel)
                return await super().receive(channel)
            except ERRORS as error:
                _unless_cancelled()
                self._lost("receive", error)

    def _lost(self, what: str, error: BaseException) -> None:
        if not self.down:
            # redis-py's repr of its errors drops the message ("network:TimeoutError"): the type and the text.
            log.warning("Redis unreachable (%s: %s %s): live messages wait until it is back", what,
                        type(error).__name__, error)
        self.down = True

    async def _wait_until_back(self) -> None:
        """One receiver of the process probes Redis (by joining the groups again) every RETRY_SECONDS; the
        others wait for it on an event: ten thousand sockets must not each knock while Redis is away."""
        loop = asyncio.get_running_loop()
        if self._rejoining:
            if self._back is not None and self._back_loop is loop:
                await self._back.wait()
            else:
                await asyncio.sleep(RETRY_SECONDS)  # another event loop probes
            return
        self._rejoining = True
        self._back, self._back_loop = asyncio.Event(), loop
        try:
            while True:
                try:
                    joined = await self._join_all()
                    break
                except ERRORS:
                    _unless_cancelled()
                    await asyncio.sleep(RETRY_SECONDS)
            self.down = False
            self.recoveries += 1
        finally:
            self._rejoining = False
            self._back.set()
        log.warning("Redis is back: %s group memberships joined again", joined)
        for callback in list(self._callbacks):
            try:
                callback()
            except Exception:
                log.exception("a callback after Redis came back failed")

    async def _join_all(self) -> int:
        """Every remembered membership again, one pipeline per Redis host (group_add's ZADD and EXPIRE)."""
        groups: dict[str, list[str]] = defaultdict(list)
        for channel, names in list(self.memberships.items()):
            for group in names:
                groups[group].append(channel)
        pipes: dict[int, object] = {}
        now = time.time()
        joining = {(group, channel) for group, channels in groups.items() for channel in channels}
        for group, channels in groups.items():
            key = self._group_key(group)
            pipe = self._pipeline_for(pipes, group)
            pipe.zadd(key, dict.fromkeys(channels, now))
            pipe.expire(key, self.group_expiry)
        if not pipes:
            await self.connection(0).ping()  # nothing to join: only whether Redis answers
        for pipe in pipes.values():
            await pipe.execute()
        await self._forget_left(joining)
        return len(joining)

    async def _forget_left(self, joined: set[tuple[str, str]]) -> None:
        """Sockets that left a group while the pipeline above was on its way were joined again by it: out
        of those groups once more, or their members would stay in Redis (and be sent to) for a day."""
        pipes: dict[int, object] = {}
        for group, channel in joined:
            if group not in self.memberships.get(channel, ()):
                self._pipeline_for(pipes, group).zrem(self._group_key(group), channel)
        for pipe in pipes.values():
            await pipe.execute()

    def _pipeline_for(self, pipes: dict[int, object], group: str):
        """The pipeline, among `pipes` (one per Redis host), that the group's commands go to."""
        index = self.consistent_hash(group)
        if index not in pipes:
            pipes[index] = self.connection(index).pipeline(transaction=False)
        return pipes[index]
