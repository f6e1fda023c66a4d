"""One reader per process for the sockets' own channels on channels_redis (issue 13: idle sockets).

channels_redis's `receive` keeps, for every consumer waiting on its process-specific channel, an
asyncio.Queue (four deques, ~3 KB) and two tasks (the shared lock's acquire and the queue's get), and the
waiter that wins the lock reads Redis for everyone. With 10,000 idle console sockets that was ~4 KB a
socket of the 33.7 KB measured (bench/bench_idle_sockets.py, tracemalloc). Here a waiting consumer holds
one future; a single reader task per event loop pops the process's messages (channels_redis's own
`receive_single`: the same backup queue, the same cleaning) and hands each to its channel's waiter, or
keeps it until that channel asks (at most `capacity` a channel, the oldest dropped first, as
channels_redis's BoundedQueue does; kept ones not asked for within `expiry` are dropped as Redis would
have). A consumer going away never cancels a read in flight, so no message is popped and lost with it.
The reader stops when nobody waits, and hands a Redis error to every waiter (core.redis_outage turns it
into waiting for Redis to come back).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from .channel_waiters import ChannelWaiters


class OneReaderReceive:
    """Mixed into a channels_redis layer before RedisChannelLayer: `_receive_specific(channel)` for the
    channels with a "!" (this process's own)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._waiting = ChannelWaiters()
        self._kept: dict[str, tuple[float, deque]] = {}  # channel -> (last kept at, messages)
        self._reader: asyncio.Task | None = None
        self._next_sweep = 0.0

    async def _receive_specific(self, channel: str):
        kept = self._kept.get(channel)
        if kept is not None:
            message = kept[1].popleft()
            if not kept[1]:
                del self._kept[channel]
            return message
        future = self._waiting.add(channel)
        self._start_reader(asyncio.get_running_loop(), self.non_local_name(channel))
        try:
            return await future
        except asyncio.CancelledError:
            handed = self._waiting.drop(channel, future)
            if handed is not None:
                self._keep(channel, handed, first=True)  # handed over as its waiter left: kept for the next
            if not self._waiting and self._reader is not None and not self._reader.done():
                self._reader.cancel()  # nobody listens: as channels_redis, whose last receive took its read along
            raise

    def _start_reader(self, loop, real_channel: str) -> None:
        reader = self._reader
        if reader is not None and not reader.done() and reader.get_loop() is loop:
            return
        if reader is not None and not reader.done() and not reader.get_loop().is_closed():
            raise RuntimeError("Two event loops are trying to receive() on one channel layer at once!")
        self._reader = loop.create_task(self._read(real_channel))

    async def _read(self, real_channel: str) -> None:
        try:
            while self._waiting:
                target, message = await self.receive_single(real_channel)
                for channel in target if isinstance(target, list) else [target]:
                    self._deliver(channel, message)
                self._sweep()
        except BaseException as error:  # noqa: BLE001 - every waiter gets what stopped the reader
            for future in self._waiting.take_all():
                if future.done():
                    continue
                if isinstance(error, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise

    def _deliver(self, channel: str, message: dict) -> None:
        if not self._waiting.hand(channel, message):
            self._keep(channel, message)

    def _keep(self, channel: str, message: dict, *, first: bool = False) -> None:
        _at, messages = self._kept.get(channel) or (0.0, deque())
        if len(messages) >= self.capacity:
            messages.popleft()
        if first:
            messages.appendleft(message)
        else:
            messages.append(message)
        self._kept[channel] = (time.monotonic(), messages)

    def _sweep(self) -> None:
        """Messages kept for a channel nobody has asked within `expiry`: its consumer is gone."""
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.expiry
        for channel, (at, _messages) in list(self._kept.items()):
            if now - at > self.expiry and channel not in self._waiting:
                del self._kept[channel]
