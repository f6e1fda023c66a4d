"""The console socket's queued writes (issue 13): the socket knows its bridge since connect and checks its token
again with each write by one plain read (attendance.services.connections.console_bridge); the tick's reads and
writes skip the ORM's compiler (core.bulk_sql). What must stay as it was: the rows written (check-in, attempt,
audit entry, the nonce's stored answer), one nonce across the socket and HTTP, and a rotated link refused at the
next write even when the revocation message never arrived."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections as db_connections

from attendance.models import CheckIn, CheckInAttempt, ClientNonce
from attendance.services import rollcall
from bridges.models import Bridge, new_console_token
from config.asgi import application
from core.models import AuditEntry
from tests.attendance_support import ORIGIN, make_event

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


@pytest.fixture(autouse=True)
async def close_worker_connections():
    yield
    await sync_to_async(db_connections.close_all)()


@pytest.fixture
def env(small_tree):
    env = make_event(small_tree)
    env.roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ")
    return env


async def connected(token):
    ws = WebsocketCommunicator(application, f"/ws/console/{token}/", headers=ORIGIN)
    ok, _ = await ws.connect()
    assert ok
    assert (await ws.receive_json_from())["type"] == "hello"
    return ws


async def ack_of(ws, message):
    await ws.send_json_to(message)
    while True:
        frame = await ws.receive_json_from()
        if frame["type"] in ("ack", "error"):
            return frame


def rows_of(nonce):
    stored = ClientNonce.objects.get(nonce=nonce)
    attempts = list(CheckInAttempt.objects.filter(nonce=nonce).values("outcome", "method", "bridge_id", "person_id",
                                                                    "checkin_id", "roll_call_id"))
    audit = list(AuditEntry.objects.filter(action="attendance.tick").values("actor_label", "target_id", "details"))
    return stored, attempts, audit


async def test_a_tick_over_the_socket_writes_the_rows_and_stores_its_answer(env):
    ws = await connected(env.school.console_token)
    person = env.people[0]
    ack = await ack_of(ws, {"type": "tick", "nonce": "sock-rows-0001", "person_id": person.pk,
                            "roll_call_id": env.roll_call.pk})
    assert ack["status"] == 201 and ack["result"]["outcome"] == "accepted"
    assert ack["result"]["person_name"] == person.full_name and ack["result"]["bridge_name"] == env.school.name
    assert ack["result"]["undo_until"]
    await ws.disconnect()

    row = await sync_to_async(CheckIn.objects.get)()
    assert (row.person_id, row.bridge_id, row.method, row.recorded_by) == (person.pk, env.school.pk, "tick",
                                                                           f"console:{env.school.code}")
    assert row.received_at is not None and row.at <= row.received_at
    stored, attempts, audit = await sync_to_async(rows_of)("sock-rows-0001")
    assert (stored.scope, stored.status_code, stored.response) == (f"bridge:{env.school.pk}", 201, ack["result"])
    assert attempts == [{"outcome": "accepted", "method": "tick", "bridge_id": env.school.pk, "person_id": person.pk,
                         "checkin_id": row.pk, "roll_call_id": env.roll_call.pk}]
    assert len(audit) == 1 and audit[0]["actor_label"] == f"console:{env.school.code}"
    assert audit[0]["target_id"] == str(row.pk) and audit[0]["details"]["nonce"] == "sock-rows-0001"


async def test_a_nonce_written_over_the_socket_is_answered_again_over_http(env, async_client):
    ws = await connected(env.school.console_token)
    message = {"type": "tick", "nonce": "sock-http-0001", "person_id": env.people[1].pk,
               "roll_call_id": env.roll_call.pk}
    ack = await ack_of(ws, message)
    await ws.disconnect()
    response = await async_client.post(f"/api/console/{env.school.console_token}/tick", message,
                                       content_type="application/json")
    body = response.json()
    assert response.status_code == ack["status"] == 201
    assert body.pop("replayed") is True and body == ack["result"]
    assert await sync_to_async(CheckIn.objects.count)() == 1
    assert await sync_to_async(CheckInAttempt.objects.count)() == 1


async def test_refused_ticks_leave_their_attempt_and_the_socket_stays(env):
    ws = await connected(env.school.console_token)
    stranger = env.other_school  # a person of another school's roster may not be ticked here
    other_person = await sync_to_async(lambda: stranger.people.first())()
    answers = {}
    for nonce, person_id, roll_call_id in (("sock-ref-0001", other_person.pk, env.roll_call.pk),
                                           ("sock-ref-0002", env.people[0].pk, 2 ** 63 - 1),
                                           ("sock-ref-0003", -5, env.roll_call.pk)):
        ack = await ack_of(ws, {"type": "tick", "nonce": nonce, "person_id": person_id, "roll_call_id": roll_call_id})
        assert ack["type"] == "ack", ack
        answers[nonce] = (ack["status"], ack["result"]["outcome"])
    assert answers == {"sock-ref-0001": (404, "unknown_person"), "sock-ref-0002": (400, "invalid"),
                       "sock-ref-0003": (404, "unknown_person")}
    outcomes = await sync_to_async(lambda: dict(CheckInAttempt.objects.values_list("nonce", "outcome")))()
    assert outcomes == {"sock-ref-0001": "unknown_person", "sock-ref-0002": "invalid", "sock-ref-0003": "unknown_person"}
    assert not await sync_to_async(CheckIn.objects.exists)()
    await ws.send_json_to({"type": "heartbeat"})
    assert (await ws.receive_json_from())["type"] == "heartbeat.ack"
    await ws.disconnect()


@pytest.mark.parametrize("kind", ["tick", "untick", "headcount", "checkin"])
async def test_a_link_rotated_without_its_revocation_message_refuses_the_next_write(env, kind):
    # The rotation's message to open sockets (core.revocation) may be lost (Redis away): the write itself
    # checks the token again, so the old link writes nothing from the moment it was rotated.
    ws = await connected(env.school.console_token)
    await sync_to_async(Bridge.objects.filter(pk=env.school.pk).update)(console_token=new_console_token())
    frame = await ack_of(ws, {"type": kind, "nonce": f"sock-rot-{kind}", "person_id": env.people[0].pk,
                              "roll_call_id": env.roll_call.pk, "headcount": 12})
    assert frame["type"] == "error" and frame["code"] == "invalid_link"
    assert (await ws.receive_output())["code"] == 4403
    assert not await sync_to_async(ClientNonce.objects.exists)()
    assert not await sync_to_async(CheckInAttempt.objects.exists)()
    assert not await sync_to_async(CheckIn.objects.exists)()


async def test_a_second_tick_of_the_same_person_answers_the_first_time(env):
    ws = await connected(env.school.console_token)
    person = env.people[2]
    first = await ack_of(ws, {"type": "tick", "nonce": "sock-dup-0001", "person_id": person.pk,
                              "roll_call_id": env.roll_call.pk})
    again = await ack_of(ws, {"type": "tick", "nonce": "sock-dup-0002", "person_id": person.pk,
                              "roll_call_id": env.roll_call.pk})
    await ws.disconnect()
    assert (first["status"], again["status"]) == (201, 200)
    assert again["result"]["outcome"] == "duplicate" and again["result"]["at"] == first["result"]["at"]
    assert await sync_to_async(CheckIn.objects.count)() == 1
    outcomes = await sync_to_async(lambda: sorted(CheckInAttempt.objects.values_list("outcome", flat=True)))()
    assert outcomes == ["accepted", "duplicate"]
    assert await sync_to_async(AuditEntry.objects.filter(action="attendance.tick").count)() == 1
