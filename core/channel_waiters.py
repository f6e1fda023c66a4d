"""The sockets waiting on their own channels, one future each: what both channel layers hand a message to.

A waiting socket used to hold an asyncio.Queue of its own (four deques, ~3 KB) in either layer; here it
holds one future in a list under its channel name, and a message for that channel goes to the first
waiter still waiting (core.memory_layer, core.redis_receive).
"""

from __future__ import annotations

import asyncio


class ChannelWaiters:
    def __init__(self):
        self._by_channel: dict[str, list[asyncio.Future]] = {}

    def __bool__(self) -> bool:
        return bool(self._by_channel)

    def __contains__(self, channel: str) -> bool:
        return channel in self._by_channel

    def add(self, channel: str) -> asyncio.Future:
        """A future for the next message to `channel`, on the running loop."""
        future = asyncio.get_running_loop().create_future()
        self._by_channel.setdefault(channel, []).append(future)
        return future

    def drop(self, channel: str, future: asyncio.Future) -> object:
        """`future` waits no more (its receive was cancelled). Returns the message it had already been
        handed, if any (the caller keeps it for the channel's next receive), else None."""
        waiters = self._by_channel.get(channel)
        if waiters is not None and future in waiters:
            waiters.remove(future)
            if not waiters:
                del self._by_channel[channel]
        if future.done() and not future.cancelled() and future.exception() is None:
            return future.result()
        return None

    def hand(self, channel: str, message) -> bool:
        """Give `message` to the first socket still waiting on `channel`; False when none waits."""
        waiters = self._by_channel.get(channel)
        while waiters:
            future = waiters.pop(0)
            if not waiters:
                del self._by_channel[channel]
            if not future.done():
                future.set_result(message)
                return True
        return False

    def take_all(self) -> list[asyncio.Future]:
        """Every waiting future, none left: what stopped the reader goes to each of them."""
        futures = [future for waiters in self._by_channel.values() for future in waiters]
        self._by_channel = {}
        return futures
