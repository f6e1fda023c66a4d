"""The Redis layer's one reader for the sockets' own channels (core.redis_receive), on a real Redis.

Each waiting socket holds one future instead of channels_redis's queue and two tasks; the answers must
stay channels_redis's: every message to its channel once, none lost when a socket goes away, messages
for a channel that is not waiting yet kept until it asks.
"""

import asyncio

import pytest

from core.redis_outage import RecoveringRedisChannelLayer

pytestmark = pytest.mark.services


def _run(redis_url, body):
    async def main():
        layer = RecoveringRedisChannelLayer(hosts=[redis_url], prefix="receivetest")
        try:
            return await body(layer)
        finally:
            await layer.flush()
            await layer.close_pools()

    return asyncio.run(main())


def test_many_waiting_sockets_each_get_their_group_message_once(redis_url):
    async def body(layer):
        channels = [await layer.new_channel() for _ in range(300)]
        for channel in channels:
            await layer.group_add("receive-test", channel)
        waits = [asyncio.ensure_future(layer.receive(channel)) for channel in channels]
        await asyncio.sleep(0.05)
        assert layer.receive_buffer == {}  # channels_redis's per-socket queues are not made
        await layer.group_send("receive-test", {"type": "console.push", "n": 1})
        got = await asyncio.wait_for(asyncio.gather(*waits), timeout=10)
        return got, layer._kept, layer._waiting

    got, kept, waiting = _run(redis_url, body)
    assert [m["n"] for m in got] == [1] * 300
    assert kept == {} and not waiting  # nothing delivered twice, nobody left waiting


def test_a_message_for_a_socket_not_waiting_yet_is_kept_until_it_asks(redis_url):
    async def body(layer):
        early, late = await layer.new_channel(), await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(early))
        await asyncio.sleep(0.05)
        await layer.send(late, {"type": "frame", "seq": 1})
        await layer.send(early, {"type": "frame", "seq": 2})
        first = await asyncio.wait_for(waiting, timeout=10)
        kept = await asyncio.wait_for(layer.receive(late), timeout=1)
        return first["seq"], kept["seq"]

    assert _run(redis_url, body) == (2, 1)


def test_a_socket_going_away_loses_no_message_of_another(redis_url):
    async def body(layer):
        leaving, staying = await layer.new_channel(), await layer.new_channel()
        gone = asyncio.ensure_future(layer.receive(leaving))
        stays = asyncio.ensure_future(layer.receive(staying))
        await asyncio.sleep(0.05)
        gone.cancel()
        await asyncio.sleep(0)
        await layer.send(staying, {"type": "frame", "seq": 3})
        return (await asyncio.wait_for(stays, timeout=10))["seq"], gone.cancelled()

    assert _run(redis_url, body) == (3, True)


def test_the_reader_stops_when_nobody_waits(redis_url):
    async def body(layer):
        channel = await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0.05)
        reader = layer._reader
        waiting.cancel()
        await asyncio.sleep(0.05)
        return reader is not None, reader.done()

    assert _run(redis_url, body) == (True, True)
