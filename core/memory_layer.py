"""The embedded default's channel layer (no Redis, one process): channels' in-memory layer, with its
expiry sweep run at most once a second (issue 13).

channels' InMemoryChannelLayer walks every channel's queue and every group's members in
`_clean_expired`, and calls it on every `receive` and every `group_send`. A message to a group of N
sockets wakes N receives, so each notification cost O(N²): with the demo's ~550 console sockets
connected, the sweep alone took a sixth of the server's CPU under `simulate_day` (yappi). Messages
expire after `expiry` (60 s) and group members after `group_expiry` (a day); sweeping once a second
instead of at every call changes when an expired message is dropped by at most that second.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer

SWEEP_SECONDS = 1.0


class SweepingInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_sweep = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        super()._clean_expired()

    async def flush(self):
        await super().flush()
        self._next_sweep = 0.0
