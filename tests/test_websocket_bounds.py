"""Websockets (issue 15): junk is answered with an error frame and the socket stays open; revocation (logout, a
role changed or removed, a console link rotated) closes the sockets the old credential opened, at once.

Through the real stack: config.asgi.application (origin check, session auth, URL router, consumers) with
channels' WebsocketCommunicator and the in-memory channel layer."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from bridges.models import Role
from bridges.services import rotate_console_link
from config.asgi import application
from core.revocation import CLOSE_REVOKED, link_group
from tests.attendance_support import ORIGIN, make_event

pytestmark = pytest.mark.django_db(transaction=True)

# What a hostile client sends; each gets {"type": "error", "code": ...} back.
JUNK = [
    ("{not json", "invalid_json"),
    ("[" * 5000 + "]" * 5000, "too_large"),  # 10,000 bytes: past the 8 KB frame limit
    ("[" * 4000 + "]" * 4000, "too_deep"),  # 8,000 bytes: under the limit, past Python's recursion limit
    (json.dumps({"type": {"type": {"type": {}}}}), "unknown_type"),
    ('{"type": "heartbeat", "x": "\\ud800"}', "invalid_text"),
    ('{"type": "heartbeat", "n": 1' + "0" * 30 + "}", "number_too_large"),
    ("x" * 1_000_000, "too_large"),
    (json.dumps({"type": "launch_missiles"}), "unknown_type"),
    ("[1, 2]", "unknown_type"),
    ("42", "unknown_type"),
]


@pytest.fixture(autouse=True)
async def close_worker_connections():
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def env(small_tree):
    return make_event(small_tree)


def session_cookie(user) -> tuple[bytes, str]:
    client = Client()
    client.force_login(user)
    key = client.cookies["sessionid"].value
    return f"sessionid={key}".encode(), key


async def opened(path: str, cookie: bytes | None = None) -> WebsocketCommunicator:
    headers = [*ORIGIN, *([(b"cookie", cookie)] if cookie else [])]
    ws = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await ws.connect()
    assert connected
    return ws


async def send_junk_and_expect_errors(ws):
    for raw, code in JUNK:
        await ws.send_to(text_data=raw)
        error = await ws.receive_json_from(timeout=3)
        assert error["type"] == "error" and error["code"] == code and error["message"], (raw[:40], error)
    await ws.send_to(bytes_data=b"\xff\xfe")
    assert (await ws.receive_json_from(timeout=3))["code"] == "invalid_json"


async def test_the_console_socket_answers_junk_and_stays(env):
    ws = await opened(f"/ws/console/{env.school.console_token}/")
    assert (await ws.receive_json_from())["type"] == "hello"
    await send_junk_and_expect_errors(ws)
    await ws.send_json_to({"type": "heartbeat"})
    assert (await ws.receive_json_from())["type"] == "heartbeat.ack"
    await ws.disconnect()


async def test_the_launch_socket_answers_junk_and_stays(env):
    ws = await opened(f"/ws/launch/{env.school.console_token}/")
    await send_junk_and_expect_errors(ws)
    await ws.send_json_to({"type": "clock", "t0": 1000})
    reply = await ws.receive_json_from()
    assert reply["type"] == "clock" and reply["t0"] == 1000
    await ws.disconnect()


async def test_the_board_socket_answers_junk_and_stays(env, organizer):
    cookie, _key = await database_sync_to_async(session_cookie)(organizer)
    ws = await opened(f"/ws/board/{env.event.pk}/", cookie)
    assert json.loads(await ws.receive_from())["type"] == "hello"
    await send_junk_and_expect_errors(ws)
    await ws.send_json_to({"type": "ping"})
    assert (await ws.receive_json_from())["type"] == "pong"
    await ws.disconnect()


# --- revocation ---------------------------------------------------------------------------------------------

async def board_of(env, user):
    cookie, key = await database_sync_to_async(session_cookie)(user)
    ws = await opened(f"/ws/board/{env.event.pk}/", cookie)
    assert json.loads(await ws.receive_from())["type"] == "hello"
    return ws, cookie, key


def log_out(session_key: str) -> None:
    """The logout page, posted by the browser that holds this session."""
    from django.urls import reverse

    browser = Client()
    browser.cookies["sessionid"] = session_key
    assert browser.post(reverse("logout")).status_code in (200, 302)


async def test_logout_closes_the_board_and_the_page_cannot_reconnect(env, organizer):
    ws, cookie, key = await board_of(env, organizer)
    await database_sync_to_async(log_out)(key)
    closing = await ws.receive_output(timeout=3)
    assert closing == {"type": "websocket.close", "code": CLOSE_REVOKED}
    again = WebsocketCommunicator(application, f"/ws/board/{env.event.pk}/", headers=[*ORIGIN, (b"cookie", cookie)])
    await again.connect()
    assert (await again.receive_output(timeout=3))["code"] == 4403  # the session is gone: refused


async def test_a_role_changed_or_removed_closes_the_board(env, make_user, small_tree):
    officer = await database_sync_to_async(make_user)("bs-officer", Role.Kind.DISTRICT_OFFICER, small_tree["BS"])
    ws, cookie, _key = await board_of(env, officer)

    def narrow():
        role = Role.objects.get(user=officer)
        role.scope = small_tree["TN"]
        role.save()

    await database_sync_to_async(narrow)()
    assert (await ws.receive_output(timeout=3)) == {"type": "websocket.close", "code": CLOSE_REVOKED}
    # Still allowed with the new scope: the reconnect is accepted and judged with it.
    ws2 = await opened(f"/ws/board/{env.event.pk}/", cookie)
    assert json.loads(await ws2.receive_from())["type"] == "hello"
    await database_sync_to_async(Role.objects.filter(user=officer).delete)()
    assert (await ws2.receive_output(timeout=3)) == {"type": "websocket.close", "code": CLOSE_REVOKED}


async def test_another_account_keeps_its_board(env, organizer, make_user):
    other = await database_sync_to_async(make_user)("organizer-2", Role.Kind.ORGANIZER)
    ws, _cookie, key = await board_of(env, organizer)
    other_ws, _c, _k = await board_of(env, other)
    await database_sync_to_async(log_out)(key)
    assert (await ws.receive_output(timeout=3))["code"] == CLOSE_REVOKED
    assert await other_ws.receive_nothing(timeout=0.3)
    await other_ws.send_json_to({"type": "ping"})
    assert (await other_ws.receive_json_from())["type"] == "pong"
    await other_ws.disconnect()


async def test_rotating_the_link_closes_the_console_and_launch_sockets_at_once(env):
    old = env.school.console_token
    console = await opened(f"/ws/console/{old}/")
    assert (await console.receive_json_from())["type"] == "hello"
    launch = await opened(f"/ws/launch/{old}/")
    other_school = await opened(f"/ws/launch/{env.other_school.console_token}/")
    await sync_to_async(rotate_console_link)(env.school)
    # No heartbeat needed: the rotation itself reaches the sockets.
    error = await console.receive_json_from(timeout=3)
    assert error["type"] == "error" and error["code"] == "invalid_link"
    assert (await console.receive_output(timeout=3))["code"] == 4403
    assert (await launch.receive_output(timeout=3))["code"] == 4403
    assert await other_school.receive_nothing(timeout=0.3)  # another bridge's link is untouched
    await other_school.disconnect()


async def test_a_socket_opened_with_the_new_link_survives_the_rotation_message(env):
    await sync_to_async(rotate_console_link)(env.school)
    fresh = (await sync_to_async(lambda: type(env.school).objects.get(pk=env.school.pk))()).console_token
    launch = await opened(f"/ws/launch/{fresh}/")
    console = await opened(f"/ws/console/{fresh}/")
    assert (await console.receive_json_from())["type"] == "hello"
    await get_channel_layer().group_send(link_group(env.school.pk), {"type": "sockets.revoke", "reason": "test"})
    assert await launch.receive_nothing(timeout=0.3) and await console.receive_nothing(timeout=0.3)
    await launch.disconnect()
    await console.disconnect()
