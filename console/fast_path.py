"""The school console's four HTTP writes served before Django's request machinery (issue 13).

A console's writes (bridge check-in, headcount, roster tick, its undo) usually go over its websocket
(attendance/console_consumer.py). While the socket is down they queue, then go over HTTP; after a
network blip a province's 600 consoles reconnect and replay their queues together. Through Django,
each of those requests paid the ASGI handler's thread start and join, the middleware chain, URL
resolving and django-ninja's operation before the write. None of it is needed: the token in the path
is the whole credential (no session, no cookie but the language), and the answer is JSON.

So this ASGI app, mounted in config/asgi.py in front of the teacher's fast path and Django, answers
exactly
    POST /api/console/{token}/checkin | headcount | tick | untick
and hands everything else to Django, as it does a Host Django would refuse and a body whose declared
size Django refuses itself (DATA_UPLOAD_MAX_MEMORY_SIZE). The request is read on the event loop
(core/asgi_fast.py: the Host, the language, the client address, the body up to the routes' bound)
and answered in one trip to a small thread pool, in the order Django's route takes: the token becomes
a bridge through console/auth.py (`bridge_for`, what the routes' auth calls: 404 "invalid_link"), the
body is read as the routes read it (console/api_support.py `json_object`), and the answer is the
routes' own (console/api_attendance.py `write_answer`, which asks attendance.services.console_writes:
nonce idempotency, audit rows, live notifications). Django's routes stay, for the test client and the
OpenAPI schema; tests/test_console_fast_path.py checks that both ways answer alike.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.utils import translation

from attendance.services.console_writes import KINDS
from core import asgi_fast as fast
from core.errors import Refused

from .api_attendance import write_answer
from .api_support import MAX_BODY_BYTES, json_object
from .auth import bridge_for

ROUTE = re.compile(rf"^/api/console/(?P<token>[^/]+)/(?P<kind>{'|'.join(KINDS)})$")
# A write is a short query and one small transaction; a few threads keep the replay of many consoles
# from crowding the event loop and the GIL (and SQLite writes one at a time anyway).
THREADS = 4
_POOL = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="console-write")


class ConsoleWritesFastPath:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        match = ROUTE.match(scope.get("path", ""))
        if match is None:
            return await self.app(scope, receive, send)
        meta = fast.request_meta(scope)
        if not fast.host_allowed(meta):
            return await self.app(scope, receive, send)  # Django answers a bad Host as it always does
        declared = fast.content_length(meta)
        if declared is not None and declared > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return await self.app(scope, receive, send)  # Django's own refusal of such a body, unread here
        # None past the bound: what json_object makes of a body that large, without reading the rest.
        body = await fast.read_body(receive, MAX_BODY_BYTES)
        await fast.send_json(send, *await _WRITE(match["token"], match["kind"], body, meta))


def _write(token: str, kind: str, body: bytes | None, meta: dict) -> tuple[int, dict]:
    """In a pool thread: the route's answer (its auth, its body, its write), in the request's language."""
    with translation.override(fast.language(meta)):
        try:
            bridge = bridge_for(token)
        except Refused as refused:
            return refused.status, refused.as_dict()  # as config/api.py answers the routes' auth
        data = None if body is None else json_object(body)
        return write_answer(bridge, kind, data, ip=fast.client_address(meta))


_WRITE = fast.in_threads(_write, _POOL)
