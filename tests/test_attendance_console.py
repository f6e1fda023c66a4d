"""The console's attendance operations (/api/console/<token>/...): bridge check-in, headcount, roster
ticks, offline queue rules, the live state, the roster and the roll-call QR."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from attendance.models import BridgeCheckIn, CheckIn, CheckInAttempt, ClientNonce
from attendance.services import console_writes, qr, rollcall
from bridges.models import Person
from bridges.services import rotate_console_link
from console.views import render_sections
from core.models import AuditEntry
from events.models import Invitation
from tests.attendance_support import make_event

pytestmark = pytest.mark.django_db
Outcome = CheckInAttempt.Outcome


@pytest.fixture
def env(small_tree):
    env = make_event(small_tree)
    env.token = env.school.console_token
    return env


@pytest.fixture
def open_call(env):
    env.roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ")
    return env


def post(client, env, kind, **data):
    data.setdefault("nonce", str(uuid.uuid4()))
    return client.post(f"/api/console/{env.token}/{kind}", data, content_type="application/json")


def iso(value):
    return value.isoformat()


class TestBridgeCheckIn:
    def test_one_tap_checks_the_bridge_in_once(self, client, env):
        client_time = timezone.now() - dt.timedelta(seconds=20)
        first = post(client, env, "checkin", nonce="tap-0000001", client_time=iso(client_time))
        assert first.status_code == 201 and first.json()["checked_in"] is True
        row = BridgeCheckIn.objects.get()
        assert (row.event, row.bridge, row.checked_in_at) == (env.event, env.school, client_time)
        # The same tap resent by the queue: the first answer, marked replayed.
        again = post(client, env, "checkin", nonce="tap-0000001", client_time=iso(client_time))
        assert again.status_code == 201 and again.json()["replayed"] is True
        # A second tap (new nonce) does not move the time.
        other = post(client, env, "checkin")
        assert other.status_code == 200 and other.json()["outcome"] == "duplicate"
        assert BridgeCheckIn.objects.count() == 1
        audit = AuditEntry.objects.get(action="attendance.bridge_checkin")
        assert audit.actor_label == "console:BS-S1"

    def test_future_client_time_is_not_trusted(self, client, env):
        post(client, env, "checkin", client_time=iso(timezone.now() + dt.timedelta(hours=2)))
        assert BridgeCheckIn.objects.get().checked_in_at <= timezone.now()

    def test_headcount_latest_typed_wins(self, client, env):
        # 40 teachers expected: up to 70 people are accepted (see TestQueuedWrites for the bound).
        Invitation.objects.filter(event=env.event, bridge=env.school).update(expected_participants=40)
        now = timezone.now()
        assert post(client, env, "headcount", headcount=42, client_time=iso(now)).json()["headcount"] == 42
        # A queued older count arriving late does not overwrite the newer one.
        stale = post(client, env, "headcount", headcount=30, client_time=iso(now - dt.timedelta(minutes=2)))
        assert stale.json()["outcome"] == "stale"
        assert BridgeCheckIn.objects.get().headcount == 42
        assert post(client, env, "headcount", headcount="abc").status_code == 400
        assert post(client, env, "headcount", headcount=-1).status_code == 400
        assert BridgeCheckIn.objects.get().headcount == 42

    def test_write_without_nonce_is_refused(self, client, env):
        resp = client.post(f"/api/console/{env.token}/checkin", {}, content_type="application/json")
        assert resp.status_code == 400 and not BridgeCheckIn.objects.exists()

    def test_body_that_is_not_json_is_refused(self, client, env):
        resp = client.post(f"/api/console/{env.token}/checkin", "{not json", content_type="application/json")
        assert resp.status_code == 400 and resp.json()["outcome"] == "invalid"
        resp = client.post(f"/api/console/{env.token}/checkin", "x" * 9000, content_type="application/json")
        assert resp.status_code == 400

    def test_bridge_not_invited_cannot_check_in_to_the_event(self, client, env, small_tree):
        district = small_tree["BS"]
        resp = client.post(f"/api/console/{district.console_token}/checkin",
                           {"nonce": "district-01", "event_id": env.event.pk}, content_type="application/json")
        assert resp.status_code == 409 and resp.json()["outcome"] == "not_invited"

    def test_rotated_link_is_refused(self, client, env):
        old = env.token
        rotate_console_link(env.school)
        resp = client.post(f"/api/console/{old}/checkin", {"nonce": "rotated-001"}, content_type="application/json")
        assert resp.status_code == 404 and resp.json()["code"] == "invalid_link"
        assert client.get(f"/api/console/{old}/live").status_code == 404
        assert not BridgeCheckIn.objects.exists()


class TestTicks:
    def tick(self, client, env, person, **data):
        return post(client, env, "tick", person_id=person.pk, roll_call_id=env.roll_call.pk, **data)

    def test_tick_records_who_ticked_and_is_audited(self, client, open_call):
        env = open_call
        resp = self.tick(client, env, env.people[0])
        assert resp.status_code == 201 and resp.json()["outcome"] == "accepted"
        row = CheckIn.objects.get()
        assert (row.method, row.recorded_by, row.bridge, row.foreign) == ("tick", "console:BS-S1", env.school, False)
        audit = AuditEntry.objects.get(action="attendance.tick")
        assert audit.actor_label == "console:BS-S1" and audit.target_id == str(row.pk)

    def test_same_nonce_twice_one_row_same_answer(self, client, open_call):
        env = open_call
        first = self.tick(client, env, env.people[0], nonce="queued-tick-1")
        again = self.tick(client, env, env.people[0], nonce="queued-tick-1")
        assert first.json() | {"replayed": True} == again.json()
        assert CheckIn.objects.count() == 1 and CheckInAttempt.objects.count() == 1
        assert ClientNonce.objects.filter(scope=f"bridge:{env.school.pk}").count() == 1

    def test_ticking_someone_already_present_answers_duplicate(self, client, open_call):
        env = open_call
        self.tick(client, env, env.people[0])
        resp = self.tick(client, env, env.people[0])
        assert resp.status_code == 200 and resp.json()["outcome"] == "duplicate"
        assert CheckIn.objects.count() == 1

    def test_person_of_another_roster_cannot_be_ticked(self, client, open_call):
        env = open_call
        resp = self.tick(client, env, env.other_school.people.first())
        assert resp.status_code == 404
        assert CheckInAttempt.objects.get().outcome == Outcome.UNKNOWN_PERSON
        assert not CheckIn.objects.exists()

    def test_tick_without_nonce_is_stored_as_invalid_attempt(self, client, open_call):
        env = open_call
        resp = client.post(f"/api/console/{env.token}/tick", {"person_id": env.people[0].pk,
                                                               "roll_call_id": env.roll_call.pk},
                           content_type="application/json")
        assert resp.status_code == 400
        assert CheckInAttempt.objects.get().outcome == Outcome.INVALID

    def test_bridge_not_invited_cannot_tick(self, client, open_call, small_tree):
        env = open_call
        district = small_tree["BS"]
        person = Person.objects.create(bridge=district, full_name="Cán bộ huyện", teacher_id="0D001")
        resp = client.post(f"/api/console/{district.console_token}/tick", {
            "nonce": "district-tick", "person_id": person.pk, "roll_call_id": env.roll_call.pk,
        }, content_type="application/json")
        assert resp.status_code == 409
        assert CheckInAttempt.objects.get().outcome == Outcome.NOT_INVITED

    def test_offline_tick_sent_after_close_counts_with_its_original_time(self, client, open_call):
        env = open_call
        made_at = timezone.now()
        rollcall.close_roll_call(env.roll_call, now=made_at + dt.timedelta(seconds=30))
        # The console was offline; its queue sends the tick a few minutes later.
        resp = self.tick(client, env, env.people[0], client_time=iso(made_at))
        assert resp.status_code == 201
        row = CheckIn.objects.get()
        assert row.at == made_at and row.received_at > row.at

    def test_tick_made_after_close_is_refused(self, client, open_call):
        env = open_call
        closed_at = timezone.now() - dt.timedelta(minutes=10)
        env.roll_call.opened_at = closed_at - dt.timedelta(minutes=5)
        env.roll_call.save()
        rollcall.close_roll_call(env.roll_call, now=closed_at)
        resp = self.tick(client, env, env.people[0], client_time=iso(closed_at + dt.timedelta(minutes=3)))
        assert resp.status_code == 409 and resp.json()["outcome"] == "closed"
        # Without a client time a closed roll call cannot be ticked either.
        assert self.tick(client, env, env.people[1]).status_code == 409
        assert not CheckIn.objects.exists()
        assert CheckInAttempt.objects.filter(outcome=Outcome.CLOSED).count() == 2

    def test_the_websocket_and_the_api_share_the_nonce(self, client, open_call):
        env = open_call
        body = {"nonce": "shared-nonce-1", "person_id": env.people[0].pk, "roll_call_id": env.roll_call.pk}
        # What the console websocket calls for a tick sent over the socket, whose ack was lost...
        first = console_writes.write(env.school, "tick", body)
        # ...then the queue resends it over HTTP.
        over_api = client.post(f"/api/console/{env.token}/tick", body, content_type="application/json")
        assert first.status == over_api.status_code == 201
        assert over_api.json()["replayed"] is True and CheckIn.objects.count() == 1
        assert over_api.json() == {**first.body, "replayed": True}


class TestConsoleReads:
    def test_live_state_and_qr(self, client, open_call):
        env = open_call
        live = client.get(f"/api/console/{env.token}/live").json()
        assert live["event"]["id"] == env.event.pk and live["checked_in"] is False
        assert live["roll_call"]["id"] == env.roll_call.pk and live["roll_call"]["window_seconds"] == 45
        svg = client.get(live["roll_call"]["qr_url"])
        assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
        assert "no-store" in svg["Cache-Control"]
        assert qr.verify(qr.current_token(env.roll_call, env.school.pk)).bridge_id == env.school.pk

    def test_no_qr_without_open_roll_call(self, client, env):
        assert client.get(f"/c/{env.token}/rollcall/qr.svg").status_code == 404
        assert client.get(f"/api/console/{env.token}/live").json()["roll_call"] is None

    def test_roster_has_names_and_ticks_only(self, client, open_call):
        env = open_call
        post(client, env, "tick", person_id=env.people[0].pk, roll_call_id=env.roll_call.pk)
        data = client.get(f"/api/console/{env.token}/roster?roll_call={env.roll_call.pk}").json()
        assert [p["ticked"] for p in data["people"]] == [True, False, False]
        # Names and ticks (how, until when undoable); no birth dates or identifiers (distinct names here: the
        # label is the name; namesakes: tests/test_console_launch_day.py).
        assert set(data["people"][0]) == {"id", "name", "label", "ticked", "at", "method", "undo_until"}
        assert data["people"][0]["method"] == "tick" and data["people"][0]["undo_until"]
        assert all(p["label"] == p["name"] for p in data["people"])
        # A roll call of an event the bridge is not part of is not shown.
        assert client.get(f"/api/console/{env.token}/roster?roll_call=999999").status_code == 404

    def test_console_section_renders_with_stable_ids(self, open_call):
        env = open_call
        sections = {s["key"]: s["html"] for s in render_sections(None, env.school, env.event, env.token)}
        html = sections["live"]
        for marker in ('id="checkin-button"', 'id="headcount-input"', 'id="rollcall-qr"', 'id="pending-count"',
                       f'data-person-id="{env.people[0].pk}"', 'class="tick-button"', 'data-ticked="0"',
                       "js/console_live.js", 'id="attendance-live-config"'):
            assert marker in html, marker
        assert "1980" not in html


def test_refusals_do_not_write_the_secret_path_to_the_log(client, open_call, caplog):
    env = open_call
    caplog.set_level("WARNING", logger="django.request")
    assert post(client, env, "tick", person_id=env.other_school.people.first().pk,
                roll_call_id=env.roll_call.pk).status_code == 404
    assert client.get(f"/api/console/{env.token}/tick").status_code == 405
    code = qr.current_token(env.roll_call, env.school.pk)
    assert client.post(f"/a/{code}", {"identifier": "nobody"}).status_code == 400
    assert client.post(f"/api/console/{env.token}/tick", {"person_id": 1},
                       content_type="application/json").status_code == 400
    assert env.token not in caplog.text and code not in caplog.text


def test_console_page_includes_the_live_section(client, open_call):
    html = client.get(f"/c/{open_call.token}/").content.decode()
    assert 'id="attendance-live"' in html and 'id="rollcall-qr"' in html


def test_event_rule_prefers_the_live_event(small_tree):
    live = make_event(small_tree)
    make_event(small_tree, status="published", start_offset=dt.timedelta(days=2))
    from events.participation import current_event as console_event

    assert console_event(small_tree["BS-S1"]) == live.event


def test_write_service_rejects_unknown_kinds(env):
    answer = console_writes.write(env.school, "delete_everything", {"nonce": "x" * 10})
    assert answer.status == 400
