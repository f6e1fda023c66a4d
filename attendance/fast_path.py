"""The teacher check-in's two endpoints served before Django's request machinery (issue 13).

A roll call sends a province's phones at the server within a minute or two. Through Django, each of
those requests paid for the ASGI handler's thread start and join, the middleware chain (sessions,
CSRF, locale, auth, messages), URL resolving, django-ninja's operation and pydantic parsing: about
3-4 ms of CPU before the check-in itself, and 30-40 times a raw ASGI answer (BENCHMARKS.md). None of it
is needed here: the endpoints take no session and no cookie but the language, and answer JSON.

So this ASGI app, mounted in config/asgi.py in front of Django, answers exactly
    GET  /api/attendance/qr/{code}
    POST /api/attendance/qr/{code}/checkin
and hands everything else to Django. It parses (host, language, client address, the JSON body with the
same schema) on the event loop, asks the one home of the answer (teacher_http, which asks the services:
the same rules, nonce idempotency, audit rows, throttles and live notifications), and writes the bytes.
Check-ins that arrive together are written together: core.async_batch queues them on the event loop
and one writer thread writes each batch in one transaction (teacher_checkin.check_in_many), so the
thread hand-off, the transaction and the boards' notification are paid per batch, not per teacher.
Page loads run in a small thread pool. What any such ASGI app needs (the request's facts, the Host check,
the bounded body, the JSON answer and its headers) is core/asgi_fast.py's, shared with the school
console's writes (console/fast_path.py). Django's routes stay: they are what the test client and the
OpenAPI schema see, and tests check that both ways answer alike (tests/test_fast_path.py).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from django.utils import translation
from pydantic import ValidationError

from core import asgi_fast as fast
from core import json_input
from core.async_batch import AsyncBatcher
from core.errors import Refused, invalid_input_body
from core.json_input import BadJSON

from . import teacher_http
from .services import teacher_checkin as scans

ROUTE = re.compile(r"^/api/attendance/qr/(?P<code>[^/]{1,512})(?P<checkin>/checkin)?/?$")
# A check-in body is a few short strings; anything bigger is not a teacher's phone.
MAX_BODY = 16 * 1024
# Page loads (a read and a signature each) run in a few threads; check-ins are written in batches by
# one writer thread (CHECKINS), so no request waits in a thread of its own.
THREADS = 8
_POOL = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="teacher-page")


class TeacherFastPath:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        match = ROUTE.match(scope.get("path", ""))
        checkin = bool(match and match["checkin"])
        if match is None or scope["method"] != ("POST" if checkin else "GET"):
            return await self.app(scope, receive, send)
        meta = fast.request_meta(scope)
        if not fast.host_allowed(meta):
            return await self.app(scope, receive, send)  # Django answers a bad Host as it always does
        if not checkin:
            return await fast.send_json(send, *await _PAGE(match["code"], meta))
        body = await fast.read_body(receive, MAX_BODY)
        if body is None:
            return await fast.send_json(send, 413, _refusal_body(Refused(_too_large(), code="too_large")))
        await fast.send_json(send, *await _check_in(match["code"], body, meta))


def _page(code: str, meta: dict) -> tuple[int, dict]:
    """In a pool thread: the page's answer, as the Django route's (through its response schema)."""
    with translation.override(fast.language(meta)):
        try:
            body = teacher_http.page_body(code, ip=fast.client_address(meta))
            return 200, teacher_http.TeacherPageOut.model_validate(body).model_dump()
        except Refused as refused:
            return refused.status, _refusal_body(refused)


_PAGE = fast.in_threads(_page, _POOL)


async def _check_in(code: str, body: bytes, meta: dict) -> tuple[int, dict]:
    """Parsed here on the event loop; written with the others waiting (CHECKINS): the Django route's answer."""
    chosen = fast.language(meta)
    payload = _payload(body)
    if isinstance(payload, tuple):
        # Refused: parsed again in the teacher's language to say why (switching it for every request on
        # the loop cost more than the parsing).
        with translation.override(chosen):
            return _payload(body)
    request = {"code_token": code, "ip": fast.client_address(meta),
               "user_agent": meta["HTTP_USER_AGENT"], "device": scans.device_of(fast.cookies(meta)),
               "language": chosen,
               **teacher_http.checkin_arguments(payload)}
    try:
        return teacher_http.checkin_body(await CHECKINS.submit(request))
    except Refused as refused:
        return refused.status, _refusal_body(refused)


# In the writer thread: one batch of check-ins (teacher_checkin.check_in_many). Under load a batch waits
# GATHER for the check-ins arriving with it (core.async_batch): at 32 requests in flight, batches of
# about 30 instead of 16 and some 10-15 % less server CPU per check-in, for 1 ms more latency.
GATHER = 0.001
CHECKINS = AsyncBatcher(fast.fresh_connections(scans.check_in_many), max_batch=scans.MAX_BATCH,
                        name="teacher-checkin-writer", gather=GATHER)


def _payload(body: bytes):
    """The check-in input, or (status, error body): 400 not JSON, 422 not the schema's shape."""
    try:
        data = json_input.loads(body or b"null")  # the bounds every JSON body of the API gets
    except BadJSON as refused:
        # As the API answers a body its parser refused (config/api.py): the bound's message, code "invalid".
        return 400, _refusal_body(Refused(refused.message, code="invalid"))
    except (ValueError, RecursionError):
        return 400, _refusal_body(Refused(translation.gettext("The request was not sent in the expected form."),
                                          code="invalid"))
    try:
        return teacher_http.TeacherCheckInIn.model_validate(data)
    except ValidationError as exc:
        return 422, invalid_input_body(exc.errors(include_url=False, include_context=False))


def _refusal_body(refused: Refused) -> dict:
    return refused.as_dict()


def _too_large() -> str:
    return translation.gettext("The request was not sent in the expected form.")
