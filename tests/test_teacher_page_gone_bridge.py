"""A teacher page whose code names a bridge that no longer exists (signed before the bridge was removed)
is refused as a forged code, as the check-in refuses it, not a server error: by the ninja route (the test
client) and by the fast path under ASGI."""

import asyncio
import json

import pytest

from attendance.fast_path import TeacherFastPath
from attendance.services import qr
from tests.attendance_support import with_open_roll_call

pytestmark = pytest.mark.django_db(transaction=True)


def _code_of_a_gone_bridge(env) -> str:
    return qr.current_token(env.roll_call, 10**9)  # the roll call's own signature, no such bridge


def test_the_route_refuses_it_as_forged(small_tree, client):
    env = with_open_roll_call(small_tree)
    answer = client.get(f"/api/attendance/qr/{_code_of_a_gone_bridge(env)}")
    assert answer.status_code == 403
    assert answer.json()["code"] == "forged_qr"


def test_the_fast_path_refuses_it_alike(small_tree):
    env = with_open_roll_call(small_tree)
    path = f"/api/attendance/qr/{_code_of_a_gone_bridge(env)}"
    sent = []

    async def never(scope, receive, send):
        raise AssertionError("handed to Django")

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": [(b"host", b"testserver")],
             "client": ("127.0.0.1", 5000)}
    asyncio.run(TeacherFastPath(never)(scope, receive, send))
    assert sent[0]["status"] == 403
    assert json.loads(sent[1]["body"])["code"] == "forged_qr"
