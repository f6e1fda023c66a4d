"""A burst of channel-layer calls on real Redis waits for a pooled connection instead of failing.

redis-py's default pool refuses its 101st connection (MaxConnectionsError); the layer took that for an
outage, so 500 sockets closing at once lost their group_discard calls and left their groups in Redis.
"""

import asyncio

import pytest

from core.redis_outage import POOL_CONNECTIONS, RecoveringRedisChannelLayer

pytestmark = pytest.mark.services
BURST = POOL_CONNECTIONS * 3


def test_a_burst_of_joins_and_leaves_leaves_no_group_behind(redis_url, caplog):
    async def main():
        layer = RecoveringRedisChannelLayer(hosts=[redis_url], prefix="pooltest")
        group = "burst-test"
        channels = [await layer.new_channel() for _ in range(BURST)]
        await asyncio.gather(*(layer.group_add(group, channel) for channel in channels))
        connection = layer.connection(layer.consistent_hash(group))
        joined = await connection.zcard(layer._group_key(group))
        await asyncio.gather(*(layer.group_discard(group, channel) for channel in channels))
        left = await connection.zcard(layer._group_key(group))
        down = layer.down
        await layer.flush()
        await layer.close_pools()
        return joined, left, down

    joined, left, down = asyncio.run(main())
    assert joined == BURST
    assert left == 0
    assert not down, "a burst was taken for an outage"
    assert "lost" not in caplog.text


def test_an_idle_receive_longer_than_the_socket_timeout_is_not_an_outage(redis_url, caplog):
    """redis-py 8 reads with a 5 s socket timeout, as long as channels_redis's blocking pop: an idle
    receive then timed out and was taken for an outage (django/channels_redis#422). Here a set-up asks
    for a read timeout shorter than the pop; the layer keeps its reads longer than the pop anyway."""
    async def main():
        layer = RecoveringRedisChannelLayer(hosts=[{"address": redis_url, "socket_timeout": 0.3}], prefix="idletest")
        layer.brpop_timeout = 1  # the pop returns empty each second; a read timeout under it would fire first
        channel = await layer.new_channel()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(channel), timeout=2.5)
        down = layer.down
        await layer.flush()
        await layer.close_pools()
        return down

    assert not asyncio.run(main()), "an idle receive was taken for an outage"
    assert "unreachable" not in caplog.text


def test_leaving_while_the_groups_are_joined_again_leaves_no_member_behind(redis_url):
    """After an outage the layer joins every remembered membership again in one pipeline; a socket that
    leaves meanwhile must not be put back by it."""
    async def main():
        layer = RecoveringRedisChannelLayer(hosts=[redis_url], prefix="rejointest")
        group = "rejoin-test"
        channels = [await layer.new_channel() for _ in range(200)]
        await asyncio.gather(*(layer.group_add(group, channel) for channel in channels))
        await asyncio.gather(layer._join_all(), *(layer.group_discard(group, channel) for channel in channels))
        connection = layer.connection(layer.consistent_hash(group))
        left = await connection.zcard(layer._group_key(group))
        await layer.flush()
        await layer.close_pools()
        return left

    assert asyncio.run(main()) == 0
