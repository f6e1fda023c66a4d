"""A burst of channel-layer calls on real Redis waits for a pooled connection instead of failing.

redis-py's default pool refuses its 101st connection (MaxConnectionsError); the layer took that for an
outage, so 500 sockets closing at once lost their group_discard calls and left their groups in Redis.
"""

import asyncio
import os

import pytest

from core.redis_outage import POOL_CONNECTIONS, RecoveringRedisChannelLayer

pytestmark = pytest.mark.services
BURST = POOL_CONNECTIONS * 3


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: the PostgreSQL/Redis pass of `make test` runs this")
    return url


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
