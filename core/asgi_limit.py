"""At most N HTTP requests inside Django at once per process; the others wait their turn on the event loop.

Django runs each request's synchronous part (middleware, view) in a thread of its own. With dozens
of requests in flight (a hall of phones checking in), dozens of threads take turns on the GIL and
the event loop thread, which reads requests, writes responses and pushes the live board's frames,
gets the GIL less and less often: throughput falls as concurrency rises, and board frames lag. A
request waiting here costs nothing but a coroutine. Websockets are not limited.
"""

import asyncio
import os

DEFAULT_LIMIT = 16


class BoundedHTTP:
    def __init__(self, app, limit: int | None = None):
        self.app = app
        self.limit = limit or int(os.environ.get("HTTP_CONCURRENCY", DEFAULT_LIMIT))
        self._slots: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            # One per event loop: tests run several loops, and a semaphore belongs to one.
            self._slots = {k: v for k, v in self._slots.items() if not k.is_closed()}
            slots = self._slots[loop] = asyncio.Semaphore(self.limit)
        return slots

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        async with self._semaphore():
            return await self.app(scope, receive, send)
