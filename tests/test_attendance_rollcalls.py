"""Organizers open and close roll calls (page and API); officers follow them within their scope."""

import datetime as dt

import pytest
from django.utils import timezone

from attendance.models import CheckIn, RollCall
from attendance.services import rollcall
from bridges.models import Role
from core.models import AuditEntry
from tests.attendance_support import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def env(small_tree):
    return make_event(small_tree)


def record(env, bridge, person, roll_call):
    return CheckIn.objects.create(roll_call=roll_call, person=person, bridge=bridge, at=timezone.now(), method="tick",
                                  foreign=person.bridge_id != bridge.pk)


class TestPages:
    def test_organizer_opens_and_closes_a_roll_call(self, client, env, organizer):
        client.force_login(organizer)
        url = f"/attendance/events/{env.event.pk}/rollcalls/"
        page = client.get(url)
        assert page.status_code == 200 and 'name="minutes"' in page.content.decode()
        resp = client.post(url, {"session": env.session.pk, "label": " Đầu  giờ ", "minutes": 5, "window_seconds": 45})
        assert resp.status_code == 302
        roll_call = RollCall.objects.get()
        assert roll_call.label == "Đầu giờ" and roll_call.opened_by == organizer
        assert roll_call.closes_at - roll_call.opened_at == dt.timedelta(minutes=5)
        assert AuditEntry.objects.filter(action="attendance.rollcall_opened", actor=organizer).exists()

        # One open roll call per event at a time.
        again = client.post(url, {"session": env.session.pk, "label": "Hai", "minutes": 5, "window_seconds": 45})
        assert again.status_code == 400 and RollCall.objects.count() == 1

        assert client.post(f"/attendance/rollcalls/{roll_call.pk}/close/").status_code == 302
        roll_call.refresh_from_db()
        assert roll_call.closed_at is not None and not roll_call.is_open(timezone.now())
        assert AuditEntry.objects.filter(action="attendance.rollcall_closed").exists()

    def test_bad_duration_or_window_is_refused(self, client, env, organizer):
        client.force_login(organizer)
        url = f"/attendance/events/{env.event.pk}/rollcalls/"
        for minutes, window in ((0, 45), (5, 10), (5, 120)):
            resp = client.post(url, {"session": env.session.pk, "label": "X", "minutes": minutes,
                                     "window_seconds": window})
            assert resp.status_code == 400
        assert not RollCall.objects.exists()

    def test_district_officer_sees_counts_of_their_district_only_and_cannot_open(self, client, env, make_user,
                                                                                small_tree):
        roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ")
        record(env, small_tree["BS-S1"], env.people[0], roll_call)
        tn = small_tree["TN-S1"]
        record(env, tn, tn.people.first(), roll_call)
        officer = make_user("bs_officer", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
        client.force_login(officer)
        page = client.get(f"/attendance/events/{env.event.pk}/rollcalls/")
        assert page.status_code == 200
        assert page.context["rows"][0]["present"] == 1 and page.context["form"] is None
        resp = client.post(f"/attendance/events/{env.event.pk}/rollcalls/",
                           {"session": env.session.pk, "label": "X", "minutes": 5, "window_seconds": 45})
        assert resp.status_code == 403
        assert client.post(f"/attendance/rollcalls/{roll_call.pk}/close/").status_code == 403
        detail = client.get(f"/attendance/rollcalls/{roll_call.pk}/").content.decode()
        assert env.people[0].full_name in detail and tn.people.first().full_name not in detail

    def test_anonymous_is_sent_to_login(self, client, env):
        assert client.get(f"/attendance/events/{env.event.pk}/rollcalls/").status_code == 302


class TestApi:
    def test_organizer_opens_lists_and_closes(self, client, env, organizer):
        client.force_login(organizer)
        resp = client.post(f"/api/attendance/events/{env.event.pk}/rollcalls",
                           {"session_id": env.session.pk, "label": "Đầu giờ"}, content_type="application/json")
        assert resp.status_code == 201
        body = resp.json()
        assert body["open"] is True and body["window_seconds"] == 45
        listing = client.get(f"/api/attendance/events/{env.event.pk}/rollcalls").json()
        assert [row["id"] for row in listing] == [body["id"]]
        second = client.post(f"/api/attendance/events/{env.event.pk}/rollcalls",
                             {"session_id": env.session.pk, "label": "Hai"}, content_type="application/json")
        assert second.status_code == 400 and second.json()["detail"]
        closed = client.post(f"/api/attendance/rollcalls/{body['id']}/close")
        assert closed.status_code == 200 and closed.json()["open"] is False

    def test_officer_cannot_open_and_sees_scoped_checkins(self, client, env, make_user, small_tree):
        roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ")
        record(env, small_tree["BS-S1"], env.people[0], roll_call)
        tn = small_tree["TN-S1"]
        record(env, tn, tn.people.first(), roll_call)
        officer = make_user("tn_officer", Role.Kind.DISTRICT_OFFICER, scope=small_tree["TN"])
        client.force_login(officer)
        resp = client.post(f"/api/attendance/events/{env.event.pk}/rollcalls",
                           {"session_id": env.session.pk, "label": "X"}, content_type="application/json")
        assert resp.status_code == 403
        rows = client.get(f"/api/attendance/rollcalls/{roll_call.pk}/checkins").json()
        assert rows["count"] == 1 and rows["items"][0]["bridge_code"] == "TN-S1"

    def test_anonymous_gets_401(self, client, env):
        assert client.get(f"/api/attendance/events/{env.event.pk}/rollcalls").status_code == 401
