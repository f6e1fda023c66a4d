"""What an ASGI app that answers a few JSON endpoints before Django needs (issue 13).

Some endpoints take many requests at once and need none of Django's per-request machinery (the ASGI
handler's thread start and join, the middleware chain, URL resolving, django-ninja's operation): the
teacher check-in (attendance/fast_path.py) and the school console's HTTP writes (console/fast_path.py).
Their ASGI apps, mounted in front of Django in config/asgi.py, share the plumbing here:

- `request_meta`: the few request facts an answer needs, named as Django names them in request.META,
  so that Django's own rules read them (`host_allowed`: ALLOWED_HOSTS by `validate_host`; `language`:
  Django's API rule; `client_address`: core.audit.client_ip);
- `content_length`, `read_body`: the body, read only up to a bound;
- `in_threads`: a synchronous (database) call run in a given pool, awaited on the event loop, with
  the connection checks Django's request_started / request_finished do around it;
- `send_json`: the answer, with the headers Django's middleware would have set on a JSON answer.

A request an app does not answer (another route or method, a Host Django would refuse) goes to Django
untouched: call the next app before reading the body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Executor
from functools import lru_cache, wraps
from types import SimpleNamespace

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from django.dispatch import receiver
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.test.signals import setting_changed
from django.utils import translation

from .audit import client_ip

# Every fast answer's headers: JSON, never cached, not sniffed, no referrer to other sites (what
# SecurityMiddleware sets on Django's answers).
HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store"),
           (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]


_ENCODER = DjangoJSONEncoder()


# The headers the answers read, by their ASGI names (lower-case bytes), under request.META's names; a
# phone sends a dozen more, never decoded here.
_META_NAMES = {b"host": "HTTP_HOST", b"x-forwarded-for": "HTTP_X_FORWARDED_FOR", b"user-agent": "HTTP_USER_AGENT",
               b"accept-language": "HTTP_ACCEPT_LANGUAGE", b"cookie": "COOKIE", b"content-length": "CONTENT_LENGTH"}


def request_meta(scope) -> dict:
    """The request facts the answers need, under the names of Django's request.META (a header sent twice
    joined as Django's ASGI handler joins it: cookies by "; ", the others by commas)."""
    client = scope.get("client") or ("", 0)
    meta = dict.fromkeys(_META_NAMES.values(), "")
    meta["REMOTE_ADDR"] = client[0]
    for name, value in scope.get("headers", ()):
        key = _META_NAMES.get(name.lower())
        if key is not None:
            text = value.decode("latin-1")
            meta[key] = f"{meta[key]}{'; ' if key == 'COOKIE' else ','}{text}" if meta[key] else text
    return meta


def host_allowed(meta: dict) -> bool:
    """Whether Django would serve this Host (else hand the request to Django, which refuses it as always)."""
    return _host_allowed(meta["HTTP_HOST"])


# A server sees few distinct Host headers and languages: each answer is worked out once (bounded, so odd
# headers cannot grow it) and forgotten when a setting it reads changes (tests' override_settings).
@lru_cache(maxsize=256)
def _host_allowed(host: str) -> bool:
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


def cookies(meta: dict) -> dict[str, str]:
    """The request's cookies, as Django's request.COOKIES holds them (its own parser), read once."""
    found = meta.get("_cookies")
    if found is None:
        found = meta["_cookies"] = parse_cookie(meta["COOKIE"])
    return found


def language(meta: dict) -> str:
    """Django's own rule for the API (the language cookie, then Accept-Language, then LANGUAGE_CODE), as
    core.middleware applies it to /api/ requests."""
    return _language(cookies(meta).get(settings.LANGUAGE_COOKIE_NAME), meta["HTTP_ACCEPT_LANGUAGE"])


@lru_cache(maxsize=256)
def _language(cookie: str | None, accept_language: str) -> str:
    request = SimpleNamespace(COOKIES={} if cookie is None else {settings.LANGUAGE_COOKIE_NAME: cookie},
                              META={"HTTP_ACCEPT_LANGUAGE": accept_language}, path_info="/api/")
    return translation.get_language_from_request(request)


@receiver(setting_changed)
def _forget_answers(**_kwargs) -> None:
    _host_allowed.cache_clear()
    _language.cache_clear()


def client_address(meta: dict) -> str | None:
    """The client's address as the audit log records it (core.audit.client_ip)."""
    return client_ip(SimpleNamespace(META=meta))


def content_length(meta: dict) -> int | None:
    """The Content-Length the client declared, or None (none, or not a number)."""
    try:
        return int(meta["CONTENT_LENGTH"])
    except ValueError:
        return None


async def read_body(receive, limit: int) -> bytes | None:
    """The request body, or None as soon as it passes `limit` bytes (the rest is never read)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def fresh_connections(func: Callable) -> Callable:
    """func with what Django's request_started and request_finished do to the database connections around
    it: a connection past its age or broken is dropped, so a pool thread never works on a dead one."""

    @wraps(func)
    def call(*args, **kwargs):
        close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            close_old_connections()

    return call


def in_threads(func: Callable, executor: Executor) -> Callable:
    """An awaitable running func (synchronous: the database) in executor's threads, with fresh connections.
    Through asgiref, so what func hands back to the event loop (async_to_sync: the live notifications after
    commit) runs on the server's loop, not on a new loop in the thread."""
    return SyncToAsync(fresh_connections(func), thread_sensitive=False, executor=executor)


async def send_json(send, status: int, answer: dict) -> None:
    # Django's encoder for what JSON lacks (dates), as a `default`: json's C encoder does the rest.
    payload = json.dumps(answer, default=_ENCODER.default, ensure_ascii=False).encode()
    headers = [*HEADERS, (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
