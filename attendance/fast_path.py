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
Page loads run in a small thread pool. Django's routes stay: they are what the test client and the
OpenAPI schema see, and tests check that both ways answer alike (tests/test_fast_path.py).
"""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from django.http.request import split_domain_port, validate_host
from django.utils import translation
from pydantic import ValidationError

from core import json_input
from core.async_batch import AsyncBatcher
from core.audit import client_ip
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
_HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store"),
            (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]


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
        meta = _meta(scope)
        if not _host_allowed(meta):
            return await self.app(scope, receive, send)  # Django answers a bad Host as it always does
        if not checkin:
            loop = asyncio.get_running_loop()
            status, answer = await loop.run_in_executor(_POOL, _page, match["code"], meta)
            return await _send(send, status, answer)
        body = await _read_body(receive)
        if body is None:
            return await _send(send, 413, _refusal_body(Refused(_too_large(), code="too_large")))
        await _send(send, *await _check_in(match["code"], body, meta))


def _meta(scope) -> dict:
    """The few request facts the answer needs, named as Django names them (core.audit.client_ip,
    translation.get_language_from_request and validate_host read these)."""
    headers = {}
    for name, value in scope.get("headers", ()):
        key = name.decode("latin-1").upper().replace("-", "_")
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]},{text}" if key in headers else text
    client = scope.get("client") or ("", 0)
    return {"REMOTE_ADDR": client[0], "HTTP_HOST": headers.get("HOST", ""),
            "HTTP_X_FORWARDED_FOR": headers.get("X_FORWARDED_FOR", ""),
            "HTTP_USER_AGENT": headers.get("USER_AGENT", ""),
            "HTTP_ACCEPT_LANGUAGE": headers.get("ACCEPT_LANGUAGE", ""), "COOKIE": headers.get("COOKIE", "")}


def _host_allowed(meta: dict) -> bool:
    domain, _port = split_domain_port(meta["HTTP_HOST"])
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


async def _read_body(receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _language(meta: dict) -> str:
    # Django's own rule for the API (the language cookie, then Accept-Language, then LANGUAGE_CODE), as
    # core.middleware applies it to /api/ requests.
    from http.cookies import SimpleCookie

    cookies = {key: morsel.value for key, morsel in SimpleCookie(meta["COOKIE"]).items()}
    request = SimpleNamespace(COOKIES=cookies, META=meta, path_info="/api/")
    return translation.get_language_from_request(request)


def _page(code: str, meta: dict) -> tuple[int, dict]:
    """In a pool thread: the page's answer, as the Django route's (through its response schema)."""
    close_old_connections()  # what Django's request_started does: drop a connection past its age or broken
    try:
        with translation.override(_language(meta)):
            try:
                body = teacher_http.page_body(code, ip=client_ip(SimpleNamespace(META=meta)))
                return 200, teacher_http.TeacherPageOut.model_validate(body).model_dump()
            except Refused as refused:
                return refused.status, _refusal_body(refused)
    finally:
        close_old_connections()


async def _check_in(code: str, body: bytes, meta: dict) -> tuple[int, dict]:
    """Parsed here on the event loop; written with the others waiting (CHECKINS): the Django route's answer."""
    language = _language(meta)
    with translation.override(language):
        payload = _payload(body)
        if isinstance(payload, tuple):
            return payload
    request = {"code_token": code, "ip": client_ip(SimpleNamespace(META=meta)),
               "user_agent": meta["HTTP_USER_AGENT"], "language": language,
               **teacher_http.checkin_arguments(payload)}
    try:
        return teacher_http.checkin_body(await CHECKINS.submit(request))
    except Refused as refused:
        return refused.status, _refusal_body(refused)


def _write_check_ins(requests: list[dict]) -> list:
    """In the writer thread: one batch of check-ins (teacher_checkin.check_in_many)."""
    close_old_connections()
    try:
        return scans.check_in_many(requests)
    finally:
        close_old_connections()


CHECKINS = AsyncBatcher(_write_check_ins, max_batch=scans.MAX_BATCH, name="teacher-checkin-writer")


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


async def _send(send, status: int, answer: dict) -> None:
    payload = json.dumps(answer, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    headers = [*_HEADERS, (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
