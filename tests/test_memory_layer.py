"""The embedded channel layer (core.memory_layer): its expiry sweep runs at most once a second, so a
message to a group of many sockets no longer walks every channel once per socket; what expires is still
dropped, at the next sweep."""

import asyncio
import os
from unittest import mock

import pytest
from django.conf import settings

from core import memory_layer
from core.memory_layer import SweepingInMemoryChannelLayer


def test_the_embedded_default_uses_it():
    if os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is set: the channel layer is Redis's (core.redis_outage)")
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "core.memory_layer.SweepingInMemoryChannelLayer"


def test_a_broadcast_to_many_sockets_sweeps_once():
    async def run():
        layer = SweepingInMemoryChannelLayer(capacity=10)
        channels = [await layer.new_channel() for _ in range(200)]
        for channel in channels:
            await layer.group_add("consoles", channel)
        with mock.patch.object(memory_layer.InMemoryChannelLayer, "_clean_expired") as sweep:
            await layer.group_send("consoles", {"type": "roster.changed"})
            received = [await layer.receive(channel) for channel in channels]
        assert len(received) == 200 and all(m["type"] == "roster.changed" for m in received)
        assert sweep.call_count == 1  # channels' own layer: 201 sweeps, each over 200 channels

    asyncio.run(run())


def test_expired_messages_are_still_dropped_at_the_next_sweep():
    async def run():
        layer = SweepingInMemoryChannelLayer(capacity=10, expiry=1)
        channel = await layer.new_channel()
        await layer.group_add("boards", channel)
        clock = [1000.0]
        with mock.patch.object(memory_layer.time, "monotonic", lambda: clock[0]), \
                mock.patch("channels.layers.time.time", lambda: clock[0]):
            await layer.group_send("boards", {"type": "frame"})
            clock[0] += 5  # the message's expiry (1 s) and the sweep interval have passed
            layer._clean_expired()
        assert channel not in layer.channels  # dropped, and the channel left its groups with it
        assert channel not in layer.groups.get("boards", {})

    asyncio.run(run())


def test_a_waiting_socket_holds_no_queue_and_gets_each_message_once():
    async def run():
        layer = SweepingInMemoryChannelLayer(capacity=10)
        channels = [await layer.new_channel() for _ in range(50)]
        for channel in channels:
            await layer.group_add("consoles", channel)
        waits = [asyncio.ensure_future(layer.receive(channel)) for channel in channels]
        await asyncio.sleep(0)
        assert layer.channels == {}  # fifty sockets wait; none holds a queue
        await layer.group_send("consoles", {"type": "console.push", "n": 1})
        got = await asyncio.gather(*waits)
        assert [m["n"] for m in got] == [1] * 50
        message = {"type": "console.push", "n": 2}
        await layer.send(channels[0], message)  # nobody waits: queued as channels does, a copy
        message["n"] = 3
        assert (await layer.receive(channels[0]))["n"] == 2
        assert layer.channels == {} and not layer._waiting

    asyncio.run(run())


def test_a_message_handed_to_a_receive_being_cancelled_is_kept_for_the_next():
    async def run():
        layer = SweepingInMemoryChannelLayer(capacity=10)
        channel = await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0)
        await layer.send(channel, {"type": "frame", "seq": 7})  # the future has its result ...
        waiting.cancel()  # ... and its task is cancelled before it runs again
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert (await layer.receive(channel))["seq"] == 7

    asyncio.run(run())
