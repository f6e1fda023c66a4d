"""The console websocket /ws/console/<token>/: intervals, heartbeats, pushes, writes, bad input."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections as db_connections

from attendance.console_consumer import MAX_MESSAGE_BYTES
from attendance.models import CheckIn, ConnectionInterval
from attendance.services import connections, rollcall
from bridges.services import rotate_console_link
from config.asgi import application
from tests.attendance_support import ORIGIN, make_event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def close_worker_connections():
    # The consumer's database work runs in sync_to_async's thread; its connection must not outlive the test
    # (PostgreSQL refuses to drop the test database while a session is open).
    yield
    await sync_to_async(db_connections.close_all)()


@pytest.fixture
def env(small_tree):
    return make_event(small_tree)


async def connected(token):
    ws = WebsocketCommunicator(application, f"/ws/console/{token}/", headers=ORIGIN)
    ok, _ = await ws.connect()
    assert ok
    return ws


def interval_of(bridge):
    return ConnectionInterval.objects.filter(bridge=bridge, source="console").values(
        "connection_id", "started_at", "last_seen_at", "ended_at").get()


@pytest.mark.services
async def test_connect_heartbeat_disconnect_make_one_interval(env, monkeypatch):
    monkeypatch.setattr(connections, "HEARTBEAT_WRITE_SECONDS", 0)
    ws = await connected(env.school.console_token)
    hello = await ws.receive_json_from()
    assert hello["type"] == "hello" and hello["bridge"] == "BS-S1" and hello["event_id"] == env.event.pk
    opened = await sync_to_async(interval_of)(env.school)
    assert opened["ended_at"] is None and opened["connection_id"].startswith("specific.")

    await ws.send_json_to({"type": "heartbeat"})
    assert (await ws.receive_json_from())["type"] == "heartbeat.ack"
    beat = await sync_to_async(interval_of)(env.school)
    assert beat["last_seen_at"] > opened["last_seen_at"]

    await ws.disconnect()
    closed = await sync_to_async(interval_of)(env.school)
    assert closed["ended_at"] is not None and closed["ended_at"] >= beat["last_seen_at"]


async def test_heartbeats_are_written_at_most_every_30_seconds(env):
    ws = await connected(env.school.console_token)
    await ws.receive_json_from()
    opened = await sync_to_async(interval_of)(env.school)
    for _ in range(3):
        await ws.send_json_to({"type": "heartbeat"})
        assert (await ws.receive_json_from())["type"] == "heartbeat.ack"
    assert (await sync_to_async(interval_of)(env.school))["last_seen_at"] == opened["last_seen_at"]
    await ws.disconnect()


async def test_unknown_or_rotated_token_is_closed_with_4403(env):
    old = env.school.console_token
    await sync_to_async(rotate_console_link)(env.school)
    ws = WebsocketCommunicator(application, f"/ws/console/{old}/", headers=ORIGIN)
    await ws.connect()
    error = await ws.receive_json_from()
    assert error["type"] == "error" and error["code"] == "invalid_link"
    closing = await ws.receive_output()
    assert closing == {"type": "websocket.close", "code": 4403}
    assert not await sync_to_async(ConnectionInterval.objects.exists)()


async def test_link_rotated_while_connected_is_closed_at_next_heartbeat(env, monkeypatch):
    monkeypatch.setattr(connections, "HEARTBEAT_WRITE_SECONDS", 0)
    ws = await connected(env.school.console_token)
    await ws.receive_json_from()
    await sync_to_async(rotate_console_link)(env.school)
    await ws.send_json_to({"type": "heartbeat"})
    assert (await ws.receive_json_from())["code"] == "invalid_link"
    assert (await ws.receive_output())["code"] == 4403


async def test_bad_messages_get_an_error_and_the_socket_stays(env):
    ws = await connected(env.school.console_token)
    await ws.receive_json_from()
    for raw, code in (("{not json", "invalid_json"), ("x" * (MAX_MESSAGE_BYTES + 1), "too_large"),
                      (json.dumps({"type": "launch_missiles"}), "unknown_type"), ("[1, 2]", "unknown_type"),
                      (json.dumps({"no": "type"}), "unknown_type")):
        await ws.send_to(text_data=raw)
        error = await ws.receive_json_from()
        assert error["type"] == "error" and error["code"] == code and error["message"]
    await ws.send_to(bytes_data=b"\xff\xfe")
    assert (await ws.receive_json_from())["code"] == "invalid_json"
    await ws.send_json_to({"type": "heartbeat"})
    assert (await ws.receive_json_from())["type"] == "heartbeat.ack"
    await ws.disconnect()


@pytest.mark.services
async def test_tick_over_the_socket_is_acked_once(env):
    roll_call = await sync_to_async(rollcall.open_roll_call)(env.session, label="Đầu giờ")
    ws = await connected(env.school.console_token)
    await ws.receive_json_from()
    message = {"type": "tick", "nonce": "ws-tick-0001", "person_id": env.people[0].pk, "roll_call_id": roll_call.pk}
    await ws.send_json_to(message)
    ack = await ws.receive_json_from()
    assert ack["type"] == "ack" and ack["nonce"] == "ws-tick-0001" and ack["status"] == 201
    assert ack["result"]["outcome"] == "accepted" and ack["replayed"] is False
    await ws.send_json_to(message)
    again = await ws.receive_json_from()
    assert again["replayed"] is True and again["result"] == ack["result"]
    assert await sync_to_async(CheckIn.objects.count)() == 1
    await ws.send_json_to({"type": "tick", "person_id": env.people[1].pk, "roll_call_id": roll_call.pk})
    refused = await ws.receive_json_from()
    assert refused["status"] == 400 and refused["result"]["outcome"] == "invalid"
    await ws.disconnect()


@pytest.mark.services
async def test_roll_call_opened_and_closed_are_pushed(env):
    ws = await connected(env.school.console_token)
    await ws.receive_json_from()
    roll_call = await sync_to_async(rollcall.open_roll_call)(env.session, label="Giữa giờ")
    pushed = await ws.receive_json_from()
    assert pushed["type"] == "rollcall.opened" and pushed["roll_call"]["id"] == roll_call.pk
    await sync_to_async(rollcall.close_roll_call)(roll_call)
    assert (await ws.receive_json_from())["type"] == "rollcall.closed"
    await ws.disconnect()


async def test_hello_carries_the_open_roll_call(env):
    roll_call = await sync_to_async(rollcall.open_roll_call)(env.session, label="Cuối giờ")
    ws = await connected(env.school.console_token)
    hello = await ws.receive_json_from()
    assert hello["roll_call"]["id"] == roll_call.pk and hello["server_time"]
    await ws.disconnect()


async def test_console_open_before_the_event_follows_it_once_invited(env, small_tree, monkeypatch):
    monkeypatch.setattr(connections, "HEARTBEAT_WRITE_SECONDS", 0)
    newcomer = small_tree["TN-S2"]
    await sync_to_async(env.event.invitations.filter(bridge=newcomer).delete)()
    ws = await connected(newcomer.console_token)
    assert (await ws.receive_json_from())["event_id"] is None
    await sync_to_async(env.event.invitations.create)(bridge=newcomer)
    await ws.send_json_to({"type": "heartbeat"})
    assert (await ws.receive_json_from())["type"] == "heartbeat.ack"
    assert (await sync_to_async(interval_of)(newcomer))["ended_at"] is None
    roll_call = await sync_to_async(rollcall.open_roll_call)(env.session, label="Giữa giờ")
    pushed = await ws.receive_json_from()
    assert pushed["type"] == "rollcall.opened" and pushed["roll_call"]["id"] == roll_call.pk
    await ws.disconnect()
