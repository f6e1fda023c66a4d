"""Group commit on the event loop: what arrives while a batch is being written waits, then goes together.

core.group_commit does this for request threads; an ASGI endpoint that never enters a thread of its
own (attendance/fast_path.py) does it here instead. Each `submit` queues its item and awaits a future.
When no batch is being written, one is started at once with everything queued (at most `max_batch`),
in a single writer thread; while it runs, new items queue, and the next batch takes them all. Under
light load a batch is one item, written at once; under load batches grow by themselves, and the cost of
a thread hand-off, a transaction and a notification is paid per batch.

Under load, batches settle at about half the requests in flight: the answers of one batch go out while
the next is being written, and the requests that come back meanwhile wait for the batch after. With
`gather` (seconds), a batch about to start while more than one item waits (others are arriving
together: load, as PostgreSQL's commit_delay waits only when other transactions are active) waits that
long first, so that those arriving join it: about twice the items per batch, and a batch's fixed cost
(round trips, transaction, notifications: some 6 ms of the writer's CPU on 2026-12-04's slow host, from
its CPU per teacher at batches of 8 to 64)
is shared by twice as many, for `gather` more latency. A lone item never waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync


class AsyncBatcher:
    def __init__(self, write_many: Callable[[list], list], *, max_batch: int = 200, name: str = "batch-writer",
                 gather: float = 0.0):
        """`write_many(items)` runs in the writer thread and returns one result per item, in order (a
        result that is an exception instance is raised to its item's caller); raising fails the batch.
        `gather`: how long a batch waits for more when more than one item waits (see above)."""
        self.write_many = write_many
        self.max_batch = max_batch
        self.gather = gather
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        # Through asgiref, so that what the writer hands back to the event loop (async_to_sync: the live
        # notifications after commit) runs on this loop, not on a new loop in a new thread each time.
        self._write = SyncToAsync(write_many, thread_sensitive=False, executor=self.writer)
        self._queues: dict[asyncio.AbstractEventLoop, list] = {}
        self._writing: set[asyncio.AbstractEventLoop] = set()
        self.batches = 0  # how many batches were written (the tests and the benchmark read it)
        self.items = 0

    async def submit(self, item):
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue(loop).append((item, future))
        if loop not in self._writing:
            self._writing.add(loop)
            loop.create_task(self._drain(loop))
        return await future

    def _queue(self, loop) -> list:
        queue = self._queues.get(loop)
        if queue is None:
            # One queue per event loop: tests run several loops, and a future belongs to one.
            self._queues = {k: v for k, v in self._queues.items() if not k.is_closed()}
            queue = self._queues[loop] = []
        return queue

    async def _drain(self, loop) -> None:
        queue = self._queue(loop)
        try:
            while queue:
                if self.gather and 1 < len(queue) < self.max_batch:
                    await asyncio.sleep(self.gather)
                batch, queue[:] = queue[:self.max_batch], queue[self.max_batch:]
                try:
                    results = await self._write([item for item, _f in batch])
                    if len(results) != len(batch):
                        raise RuntimeError(f"write_many gave {len(results)} results for {len(batch)} items")
                except BaseException as exc:  # noqa: BLE001 - handed to every waiting caller
                    for _item, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    if isinstance(exc, asyncio.CancelledError):
                        raise
                    continue
                self.batches += 1
                self.items += len(batch)
                for (_item, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue  # its caller went away
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._writing.discard(loop)
