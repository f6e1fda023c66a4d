"""The HTTP side of the ASGI application: bounded concurrency, and the middleware chain intact under ASGI."""

import asyncio

import pytest
from django.test import AsyncClient

from core.asgi_limit import BoundedHTTP


class SlowApp:
    """An ASGI app that notes how many calls run at once."""

    def __init__(self):
        self.running = 0
        self.most = 0
        self.done = 0

    async def __call__(self, scope, receive, send):
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(0.01)
        self.running -= 1
        self.done += 1


async def test_at_most_the_limit_of_http_requests_run_inside_and_the_rest_wait_their_turn():
    inner = SlowApp()
    app = BoundedHTTP(inner, limit=3)
    await asyncio.gather(*(app({"type": "http"}, None, None) for _ in range(20)))
    assert inner.done == 20
    assert inner.most == 3


async def test_websockets_are_not_limited():
    inner = SlowApp()
    app = BoundedHTTP(inner, limit=2)
    await asyncio.gather(*(app({"type": "websocket"}, None, None) for _ in range(10)))
    assert inner.most == 10


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("HTTP_CONCURRENCY", "7")
    assert BoundedHTTP(SlowApp()).limit == 7


@pytest.mark.django_db
async def test_under_asgi_every_middleware_still_runs(small_tree):
    # The chain is built synchronously under ASGI (core.middleware.SyncViewsMiddleware): security
    # headers, the Vietnamese-first locale, sessions and CSRF must still apply.
    async_client = AsyncClient(enforce_csrf_checks=True)
    resp = await async_client.get("/accounts/login/", headers={"accept-language": "en"})
    assert resp.status_code == 200
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Language"] == "vi"
    assert "csrftoken" in resp.cookies
    refused = await async_client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert refused.status_code == 403  # no CSRF token
