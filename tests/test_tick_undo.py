"""A mis-tapped roster tick can be undone for a few minutes (attendance.services.roster.undo_tick), over the
console's API and its websocket, audited both ways; teachers' own QR check-ins reach the roster live.

Through the real layers: the Django test client on /api/console/<token>/untick, the console websocket
(/ws/console/<token>/) with Channels' communicator, the teacher's HTTP endpoint /api/attendance/qr/..."""

import datetime as dt
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections as db_connections
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from attendance.models import CheckIn, CheckInAttempt
from attendance.services import rollcall
from config.asgi import application
from core.models import AuditEntry
from tests.attendance_support import ORIGIN, teacher_page, with_open_roll_call


def post(client, env, kind, **body):
    body.setdefault("nonce", f"{kind}-{body.get('person_id')}-{timezone.now().timestamp():.6f}".replace(".", "-"))
    return client.post(f"/api/console/{env.token}/{kind}", json.dumps(body), content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="vi")


@pytest.fixture
def env(small_tree):
    env = with_open_roll_call(small_tree)
    env.token = env.school.console_token
    return env


@pytest.mark.django_db
class TestUndoOverHttp:
    def test_a_tick_is_undone_and_both_are_audited(self, client, env):
        person = env.people[0]
        ticked = post(client, env, "tick", person_id=person.pk, roll_call_id=env.roll_call.pk)
        assert ticked.status_code == 201
        row = CheckIn.objects.get(person=person)
        until = dt.datetime.fromisoformat(ticked.json()["undo_until"])
        assert abs((until - row.received_at) - dt.timedelta(minutes=5)) < dt.timedelta(seconds=1)

        undone = post(client, env, "untick", person_id=person.pk, roll_call_id=env.roll_call.pk, nonce="undo-nonce-0001")
        assert undone.status_code == 200
        assert undone.json()["outcome"] == "undone" and undone.json()["person_id"] == person.pk
        assert not CheckIn.objects.filter(person=person).exists()
        # The tick's attempt stays as evidence (its check-in link is cleared); both actions are in the log.
        assert CheckInAttempt.objects.filter(person=person, outcome="accepted", checkin__isnull=True).count() == 1
        tick_entry = AuditEntry.objects.get(action="attendance.tick")
        undo_entry = AuditEntry.objects.get(action="attendance.tick_undone")
        assert undo_entry.actor_label == tick_entry.actor_label == f"console:{env.school.code}"
        assert undo_entry.target_id == tick_entry.target_id == str(row.pk)
        assert undo_entry.details["person"] == person.pk and undo_entry.details["nonce"] == "undo-nonce-0001"

        # The same undo again (a queue resent after a lost answer): the first answer, nothing else happens.
        again = post(client, env, "untick", person_id=person.pk, roll_call_id=env.roll_call.pk, nonce="undo-nonce-0001")
        assert again.status_code == 200 and again.json()["replayed"] is True
        assert AuditEntry.objects.filter(action="attendance.tick_undone").count() == 1
        # A new undo of someone no longer ticked is refused in Vietnamese, with the one error body.
        refused = post(client, env, "untick", person_id=person.pk, roll_call_id=env.roll_call.pk)
        assert refused.status_code == 409
        with translation.override("vi"):
            expected = gettext("%(name)s is not ticked at this roll call.") % {"name": person.full_name}
        assert refused.json()["detail"] == expected and refused.json()["code"] == "not_ticked"
        # And the person can be ticked again.
        assert post(client, env, "tick", person_id=person.pk, roll_call_id=env.roll_call.pk).status_code == 201

    def test_after_the_window_the_tick_stays(self, client, env, settings):
        settings.ATTENDANCE_TICK_UNDO_MINUTES = 2
        person = env.people[1]
        ticked = post(client, env, "tick", person_id=person.pk, roll_call_id=env.roll_call.pk)
        row = CheckIn.objects.get(person=person)
        assert dt.datetime.fromisoformat(ticked.json()["undo_until"]) - row.received_at == dt.timedelta(minutes=2)
        CheckIn.objects.filter(pk=row.pk).update(received_at=row.received_at - dt.timedelta(minutes=2, seconds=1))
        refused = post(client, env, "untick", person_id=person.pk, roll_call_id=env.roll_call.pk)
        assert refused.status_code == 409 and refused.json()["code"] == "undo_expired"
        assert "2" in refused.json()["detail"] and refused.json()["ok"] is False
        assert CheckIn.objects.filter(pk=row.pk).exists()
        assert not AuditEntry.objects.filter(action="attendance.tick_undone").exists()
        # The roster no longer offers it either.
        roster = client.get(f"/api/console/{env.token}/roster?roll_call={env.roll_call.pk}").json()
        entry = next(p for p in roster["people"] if p["id"] == person.pk)
        assert entry["ticked"] and entry["undo_until"] is None

    def test_a_teachers_own_check_in_and_other_rosters_cannot_be_undone(self, client, env, small_tree):
        code, page = teacher_page(env.roll_call, env.school)
        teacher = client.post(f"/api/attendance/qr/{code}/checkin", {
            "nonce": "teacher-nonce-001", "identifier": env.people[2].teacher_id, "page_token": page},
            content_type="application/json")
        assert teacher.status_code == 201
        refused = post(client, env, "untick", person_id=env.people[2].pk, roll_call_id=env.roll_call.pk)
        assert refused.status_code == 409 and refused.json()["code"] == "not_a_tick"
        roster = client.get(f"/api/console/{env.token}/roster?roll_call={env.roll_call.pk}").json()
        scanned = next(p for p in roster["people"] if p["id"] == env.people[2].pk)
        assert scanned["method"] == "self_qr" and scanned["undo_until"] is None

        other = small_tree["TN-S1"].people.first()
        assert post(client, env, "untick", person_id=other.pk, roll_call_id=env.roll_call.pk).status_code == 404
        assert post(client, env, "untick", person_id=env.people[0].pk, roll_call_id=999999).status_code == 404
        bad = client.post(f"/api/console/{env.token}/untick", json.dumps({"nonce": "bad-body-0001", "person_id": "x"}),
                          content_type="application/json")
        assert bad.status_code == 400 and bad.json()["code"] == "invalid"
        assert CheckIn.objects.filter(person=env.people[2]).exists()

    def test_the_schema_documents_the_undo(self, client):
        operation = client.get("/api/openapi.json").json()["paths"]["/api/console/{token}/untick"]["post"]
        assert operation["summary"] and "5" in operation["description"]
        assert {"200", "404", "409"} <= set(operation["responses"])


# --- the websocket: the undo as a queued write, QR check-ins pushed to the roster -----------------------------


@pytest.fixture
async def close_worker_connections():
    yield
    await sync_to_async(db_connections.close_all)()


async def console_socket(token):
    ws = WebsocketCommunicator(application, f"/ws/console/{token}/", headers=ORIGIN)
    connected, _ = await ws.connect()
    assert connected
    hello = await ws.receive_json_from()
    assert hello["type"] == "hello"
    return ws


async def next_of_type(ws, kind, timeout=3):
    while True:
        message = await ws.receive_json_from(timeout=timeout)
        if message.get("type") == kind:
            return message


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_worker_connections")
async def test_a_qr_check_in_reaches_the_roster_and_an_undo_goes_over_the_socket(small_tree):
    env = await sync_to_async(with_open_roll_call)(small_tree)
    school, teacher, ticked = env.school, env.people[0], env.people[1]
    ws = await console_socket(school.console_token)
    other = await console_socket(small_tree["TN-S1"].console_token)

    # A teacher checks in on the phone page's endpoint: the school's console hears it, the other school's not.
    code, page = await sync_to_async(teacher_page)(env.roll_call, school)
    answer = await sync_to_async(Client().post)(f"/api/attendance/qr/{code}/checkin", {
        "nonce": "ws-teacher-0001", "identifier": teacher.teacher_id, "page_token": page},
        content_type="application/json")
    assert answer.status_code == 201
    push = await next_of_type(ws, "roster.changed")
    assert push["roll_call_id"] == env.roll_call.pk
    assert [(p["id"], p["ticked"], p["method"], p["undo_until"]) for p in push["people"]] == [
        (teacher.pk, True, "self_qr", None)]
    assert await other.receive_nothing(timeout=0.3)

    # A tick and its undo over the socket: each acknowledged at once with its answer (the next frame).
    await ws.send_json_to({"type": "tick", "nonce": "ws-tick-000001", "person_id": ticked.pk,
                           "roll_call_id": env.roll_call.pk, "event_id": env.event.pk})
    ack = await ws.receive_json_from(timeout=3)
    assert ack["type"] == "ack" and ack["status"] == 201 and ack["result"]["undo_until"]
    await ws.send_json_to({"type": "untick", "nonce": "ws-untick-00001", "person_id": ticked.pk,
                           "roll_call_id": env.roll_call.pk, "event_id": env.event.pk})
    ack = await ws.receive_json_from(timeout=3)
    assert ack["type"] == "ack" and ack["kind"] == "untick" and ack["status"] == 200
    assert ack["result"]["outcome"] == "undone" and ack["result"]["person_id"] == ticked.pk
    assert not await sync_to_async(CheckIn.objects.filter(person=ticked).exists)()
    assert await sync_to_async(CheckIn.objects.filter(person=teacher).exists)()
    await ws.disconnect()
    await other.disconnect()


@pytest.mark.django_db
def test_closing_the_roll_call_keeps_the_undo_window(client, env):
    """A tick made just before the close can still be taken back within its minutes."""
    person = env.people[0]
    assert post(client, env, "tick", person_id=person.pk, roll_call_id=env.roll_call.pk).status_code == 201
    rollcall.close_roll_call(env.roll_call)
    undone = post(client, env, "untick", person_id=person.pk, roll_call_id=env.roll_call.pk)
    assert undone.status_code == 200 and not CheckIn.objects.filter(person=person).exists()
