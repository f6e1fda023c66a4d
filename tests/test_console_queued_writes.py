"""Issue 15, time from clients is evidence, not truth: a console's queued write counts for a closed
roll call (or an ended event) only within the grace and from a console seen during the window, and a
headcount is bounded by the bridge's expected number. Through the console's API (/api/console/<token>/...)
and its websocket; the console's presence is recorded by the real services (attendance.services.connections).
"""

import datetime as dt
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections as db_connections
from django.utils import timezone

from attendance.models import BridgeCheckIn, CheckIn, CheckInAttempt
from attendance.services import bridge_checkin, connections, queued, rollcall
from config.asgi import application
from core.models import AuditEntry
from events.models import Event, Invitation
from tests.attendance_support import ORIGIN, make_event

Outcome = CheckInAttempt.Outcome


def post(client, env, kind, **data):
    data.setdefault("nonce", str(uuid.uuid4()))
    return client.post(f"/api/console/{env.school.console_token}/{kind}", data, content_type="application/json")


def console_online(env, start, end):
    """The school's console connected over its websocket from `start` and gone at `end`."""
    connection = connections.console_connected(env.school.console_token, f"channel-{uuid.uuid4().hex}", now=start)
    connections.console_disconnected(connection, now=end)


def held_roll_call(small_tree, *, closed_ago: dt.timedelta, event_ended_ago: dt.timedelta | None = None):
    """An event whose five-minute roll call closed `closed_ago`; the event live, or ended `event_ended_ago`."""
    env = make_event(small_tree)
    now = timezone.now()
    if event_ended_ago is not None:
        Event.objects.filter(pk=env.event.pk).update(starts_at=now - event_ended_ago - dt.timedelta(hours=4),
                                                     ends_at=now - event_ended_ago)
        env.event.refresh_from_db()
    closes = now - closed_ago
    env.roll_call = rollcall.open_roll_call(env.session, label="Cuối buổi", minutes=10,
                                           now=closes - dt.timedelta(minutes=5))
    rollcall.close_roll_call(env.roll_call, now=closes)
    env.roll_call.refresh_from_db()
    return env


def ended_event(small_tree, *, ended_ago: dt.timedelta):
    """The issue's case: an event that ended `ended_ago`, its last roll call closed 5 minutes before the end."""
    return held_roll_call(small_tree, closed_ago=ended_ago + dt.timedelta(minutes=5), event_ended_ago=ended_ago)


def iso(value):
    return value.isoformat()


@pytest.mark.django_db
class TestQueuedTicks:
    def tick(self, client, env, person, made_at):
        return post(client, env, "tick", person_id=person.pk, roll_call_id=env.roll_call.pk, client_time=iso(made_at))

    def test_the_issue_back_dated_tick_into_an_ended_event_is_refused(self, client, small_tree):
        env = ended_event(small_tree, ended_ago=dt.timedelta(days=1))
        inside = env.roll_call.opened_at + dt.timedelta(minutes=1)
        resp = self.tick(client, env, env.people[0], inside)
        assert resp.status_code == 409
        body = resp.json()
        assert body["code"] == body["outcome"] == Outcome.TOO_LATE and body["detail"] and body["ok"] is False
        assert "30" in body["detail"]
        assert not CheckIn.objects.exists()
        attempt = CheckInAttempt.objects.get()
        assert (attempt.outcome, attempt.client_time) == (Outcome.TOO_LATE, inside)
        assert not AuditEntry.objects.filter(action="attendance.tick").exists()

    def test_a_console_nobody_saw_during_the_roll_call_cannot_tick_after_it(self, client, small_tree):
        env = held_roll_call(small_tree, closed_ago=dt.timedelta(minutes=5))
        resp = self.tick(client, env, env.people[0], env.roll_call.opened_at + dt.timedelta(minutes=1))
        assert resp.status_code == 409 and resp.json()["code"] == Outcome.CONSOLE_UNSEEN
        assert not CheckIn.objects.exists()
        assert CheckInAttempt.objects.get().outcome == Outcome.CONSOLE_UNSEEN

    def test_a_console_seen_then_offline_sends_its_tick_within_the_grace(self, client, small_tree):
        env = held_roll_call(small_tree, closed_ago=dt.timedelta(minutes=5))
        opened, closed = env.roll_call.opened_at, env.roll_call.ends_at()
        # Online when the roll call opened, dropped a minute later, the tick made offline.
        console_online(env, opened - dt.timedelta(minutes=5), opened + dt.timedelta(minutes=1))
        made_at = opened + dt.timedelta(minutes=2)
        resp = self.tick(client, env, env.people[0], made_at)
        assert resp.status_code == 201 and resp.json()["outcome"] == "accepted"
        row = CheckIn.objects.get()
        assert row.at == made_at and row.received_at > closed
        audit = AuditEntry.objects.get(action="attendance.tick")
        assert audit.details["client_time"] == iso(made_at)

    def test_the_grace_is_a_setting_and_never_more_than_30_minutes(self, client, small_tree, settings):
        env = held_roll_call(small_tree, closed_ago=dt.timedelta(minutes=5))
        opened = env.roll_call.opened_at
        console_online(env, opened - dt.timedelta(minutes=5), opened + dt.timedelta(minutes=1))
        # The roll call closed 5 minutes ago: within 30, beyond 3.
        settings.ATTENDANCE_QUEUED_WRITE_GRACE_MINUTES = 3
        assert queued.grace() == dt.timedelta(minutes=3)
        late = self.tick(client, env, env.people[0], opened + dt.timedelta(minutes=2))
        assert late.status_code == 409 and late.json()["code"] == Outcome.TOO_LATE and "3" in late.json()["detail"]
        settings.ATTENDANCE_QUEUED_WRITE_GRACE_MINUTES = 600
        assert queued.grace() == dt.timedelta(minutes=30)
        assert self.tick(client, env, env.people[1], opened + dt.timedelta(minutes=2)).status_code == 201

    def test_a_tick_made_after_the_close_is_still_refused_as_before(self, client, small_tree):
        env = held_roll_call(small_tree, closed_ago=dt.timedelta(minutes=5))
        console_online(env, env.roll_call.opened_at, timezone.now())
        resp = self.tick(client, env, env.people[0], env.roll_call.ends_at() + dt.timedelta(minutes=2))
        assert resp.status_code == 409 and resp.json()["code"] == Outcome.CLOSED

    def test_while_the_roll_call_is_open_nothing_changes(self, client, small_tree):
        env = make_event(small_tree)
        env.roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ")
        resp = post(client, env, "tick", person_id=env.people[0].pk, roll_call_id=env.roll_call.pk)
        assert resp.status_code == 201  # no console interval needed: the roll call is open now


@pytest.mark.django_db
class TestHeadcount:
    def test_the_issue_99999_on_an_ended_event_is_refused(self, client, small_tree):
        env = ended_event(small_tree, ended_ago=dt.timedelta(days=1))
        for client_time in (None, iso(env.event.ends_at - dt.timedelta(minutes=10)), iso(timezone.now())):
            data = {"headcount": 99_999} | ({"client_time": client_time} if client_time else {})
            resp = post(client, env, "headcount", event_id=env.event.pk, **data)
            assert resp.status_code in (409, 400), resp.content
            assert resp.json()["ok"] is False and resp.json()["code"] == resp.json()["outcome"]
        assert not BridgeCheckIn.objects.exists()
        assert not AuditEntry.objects.filter(action="attendance.headcount").exists()

    def test_a_live_event_bounds_the_headcount_by_the_expected_number(self, client, small_tree):
        env = make_event(small_tree)
        Invitation.objects.filter(event=env.event, bridge=env.school).update(expected_participants=40)
        assert bridge_checkin.headcount_limit(env.school, env.event) == (40, 70)  # 40 × 1.5 + 10
        huge = post(client, env, "headcount", headcount=99_999)
        assert huge.status_code == 400 and huge.json()["code"] == "headcount_too_high"
        assert "70" in huge.json()["detail"]
        assert post(client, env, "headcount", headcount=71).status_code == 400
        ok = post(client, env, "headcount", headcount=70)
        assert ok.status_code == 200 and ok.json()["headcount"] == 70
        assert BridgeCheckIn.objects.get().headcount == 70

    def test_without_an_invitation_number_the_roster_or_usual_number_bounds_it(self, small_tree):
        env = make_event(small_tree)
        # small_tree: 3 teachers on the roster, 3 usually expected -> 3 × 1.5 + 10 = 14.5 -> 15.
        assert bridge_checkin.headcount_limit(env.school, env.event) == (3, 15)

    def test_a_queued_headcount_typed_before_the_end_counts_within_the_grace(self, client, small_tree):
        env = ended_event(small_tree, ended_ago=dt.timedelta(minutes=10))
        end = env.event.ends_at
        console_online(env, end - dt.timedelta(hours=1), end - dt.timedelta(minutes=2))
        resp = post(client, env, "headcount", event_id=env.event.pk, headcount=12,
                    client_time=iso(end - dt.timedelta(minutes=3)))
        assert resp.status_code == 200 and resp.json()["headcount"] == 12
        # Typed after the end: refused whatever the console says.
        after = post(client, env, "headcount", event_id=env.event.pk, headcount=13, client_time=iso(end))
        assert after.status_code == 409 and after.json()["code"] == "event_ended"

    def test_a_bridge_check_in_after_the_end_follows_the_same_rule(self, client, small_tree):
        env = ended_event(small_tree, ended_ago=dt.timedelta(minutes=10))
        end = env.event.ends_at
        refused = post(client, env, "checkin", event_id=env.event.pk)
        assert refused.status_code == 409 and refused.json()["code"] == "event_ended"
        unseen = post(client, env, "checkin", event_id=env.event.pk, client_time=iso(end - dt.timedelta(minutes=20)))
        assert unseen.status_code == 409 and unseen.json()["code"] == "console_unseen"
        console_online(env, end - dt.timedelta(hours=1), end - dt.timedelta(minutes=15))
        seen = post(client, env, "checkin", event_id=env.event.pk, client_time=iso(end - dt.timedelta(minutes=20)))
        assert seen.status_code == 201
        assert BridgeCheckIn.objects.get().checked_in_at == end - dt.timedelta(minutes=20)

    def test_a_cancelled_event_takes_nothing(self, small_tree):
        env = make_event(small_tree)
        env.event.status = Event.Status.CANCELLED
        status, body = bridge_checkin.set_headcount(env.school, env.event, 5)
        assert (status, body["outcome"]) == (409, "event_ended")


@pytest.fixture
async def close_worker_connections():
    yield
    await sync_to_async(db_connections.close_all)()


@pytest.mark.django_db(transaction=True)
async def test_over_the_websocket_the_refusal_is_the_ack(small_tree, close_worker_connections):
    env = await sync_to_async(make_event)(small_tree)
    await sync_to_async(Invitation.objects.filter(event=env.event, bridge=env.school).update)(expected_participants=20)
    ws = WebsocketCommunicator(application, f"/ws/console/{env.school.console_token}/", headers=ORIGIN)
    assert (await ws.connect())[0]
    await ws.receive_json_from()  # hello
    await ws.send_json_to({"type": "headcount", "nonce": "ws-headcount-01", "headcount": 99_999})
    ack = await ws.receive_json_from()
    assert ack["type"] == "ack" and ack["status"] == 400 and ack["result"]["outcome"] == "headcount_too_high"
    await ws.send_json_to({"type": "headcount", "nonce": "ws-headcount-02", "headcount": 40})
    ack = await ws.receive_json_from()
    assert ack["status"] == 200 and ack["result"]["headcount"] == 40
    await ws.disconnect()
