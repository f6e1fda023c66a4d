"""The embedded default's channel layer (no Redis, one process): channels' in-memory layer, with its
expiry sweep run at most once a second (issue 13).

channels' InMemoryChannelLayer walks every channel's queue and every group's members in
`_clean_expired`, and calls it on every `receive` and every `group_send`. A message to a group of N
sockets wakes N receives, so each notification cost O(N²): with the demo's ~550 console sockets
connected, the sweep alone took a sixth of the server's CPU under `simulate_day` (yappi). Messages
expire after `expiry` (60 s) and group members after `group_expiry` (a day); sweeping once a second
instead of at every call changes when an expired message is dropped by at most that second.

And a socket waiting on its channel holds one future, not an asyncio.Queue (four deques, ~3 KB: of the
~30 KB an idle console socket cost, bench/bench_idle_sockets.py): a message sent to a channel somebody
waits on goes straight to that waiter; only a message nobody waits for yet is queued, as channels does.
"""

from __future__ import annotations

import asyncio
import time
from copy import deepcopy

from channels.layers import InMemoryChannelLayer

from .channel_waiters import ChannelWaiters

SWEEP_SECONDS = 1.0


class SweepingInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_sweep = 0.0
        self._waiting = ChannelWaiters()

    async def send(self, channel, message):
        if channel in self._waiting:
            assert isinstance(message, dict), "message is not a dict"
            self.require_valid_channel_name(channel)
            if self._waiting.hand(channel, deepcopy(message)):  # as channels queues it: a copy
                return
        await super().send(channel, message)

    async def receive(self, channel):
        queue = self.channels.get(channel)
        if queue is not None and not queue.empty():
            return await super().receive(channel)
        self.require_valid_channel_name(channel)
        self._clean_expired()
        future = self._waiting.add(channel)
        try:
            return await future
        except asyncio.CancelledError:
            handed = self._waiting.drop(channel, future)
            if handed is not None:
                await super().send(channel, handed)  # handed over as its waiter left: kept for the next
            raise

    def _clean_expired(self):
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        super()._clean_expired()

    async def flush(self):
        await super().flush()
        self._next_sweep = 0.0
        self._waiting = ChannelWaiters()
