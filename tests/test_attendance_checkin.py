"""Roll-call QR codes and the teacher's check-in page (issue 4, part 2)."""

import datetime as dt
import time

import pytest
from django.core import signing
from django.utils import timezone

from attendance.models import CheckIn, CheckInAttempt, ClientNonce
from attendance.services import qr, rollcall, teacher_checkin
from tests.attendance_support import screen_code, with_open_roll_call

pytestmark = pytest.mark.django_db
Outcome = CheckInAttempt.Outcome


@pytest.fixture
def env(small_tree):
    return with_open_roll_call(small_tree)


def code_for(env, bridge=None, now=None):
    return qr.current_token(env.roll_call, (bridge or env.school).pk, now)


def page_for(env, code):
    return qr.make_page_token(qr.verify(code))


class OldPageSigner(signing.TimestampSigner):
    """A real signer whose clock says the page was loaded ten minutes ago."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 600)


class TestQRCode:
    def test_current_and_previous_window_are_accepted(self, env):
        now = timezone.now()
        current = qr.window_index(env.roll_call, now)
        for window in (current, current - 1):
            scanned = qr.verify(qr.make_token(env.roll_call, env.school.pk, window), now)
            assert (scanned.roll_call, scanned.bridge_id, scanned.window) == (env.roll_call, env.school.pk, window)

    def test_older_or_future_windows_are_expired(self, env):
        now = timezone.now()
        current = qr.window_index(env.roll_call, now)
        for window in (current - 2, current + 1):
            with pytest.raises(qr.QRRefused) as refused:
                qr.verify(qr.make_token(env.roll_call, env.school.pk, window), now)
            assert refused.value.outcome == Outcome.EXPIRED_QR

    def test_a_code_rotates_with_the_window(self, env):
        now = timezone.now()
        later = now + dt.timedelta(seconds=env.roll_call.window_seconds)
        assert code_for(env, now=now) != code_for(env, now=later)
        # A code shown one rotation ago still works; two rotations ago it does not.
        qr.verify(code_for(env, now=now), later)
        with pytest.raises(qr.QRRefused):
            qr.verify(code_for(env, now=now), later + dt.timedelta(seconds=env.roll_call.window_seconds))

    def test_forged_codes_are_refused(self, env, small_tree):
        good = code_for(env)
        rc_id, bridge_id, window, mac = good.split(".")
        other_bridge = f"{rc_id}.{small_tree['TN-S1'].pk}.{window}.{mac}"
        flipped = f"{rc_id}.{bridge_id}.{window}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"
        for token in (other_bridge, flipped, "garbage", "1.2.3", "", f"999999.{bridge_id}.{window}.{mac}"):
            with pytest.raises(qr.QRRefused) as refused:
                qr.verify(token)
            assert refused.value.outcome == Outcome.FORGED_QR

    def test_a_code_is_worthless_for_another_roll_call(self, env):
        rollcall.close_roll_call(env.roll_call)
        second = rollcall.open_roll_call(env.session, label="Giữa giờ")
        rc_id, bridge_id, window, mac = code_for(env).split(".")
        with pytest.raises(qr.QRRefused) as refused:
            qr.verify(f"{second.pk}.{bridge_id}.{window}.{mac}")
        assert refused.value.outcome == Outcome.FORGED_QR

    def test_code_of_a_closed_roll_call_is_refused(self, env):
        code = code_for(env)
        rollcall.close_roll_call(env.roll_call)
        with pytest.raises(qr.QRRefused) as refused:
            qr.verify(code)
        assert refused.value.outcome == Outcome.CLOSED


class TestTeacherPage:
    def test_page_lists_no_roster(self, client, env):
        resp = client.get(f"/a/{code_for(env)}")
        html = resp.content.decode()
        assert resp.status_code == 200
        # Issue 15: no names (a teacher finds theirs by typing), birth dates, identifiers or phones.
        assert not any(person.full_name in html for person in env.people)
        assert "1980" not in html and "17/05" not in html
        assert all(person.teacher_id not in html and person.phone not in html for person in env.people)
        assert 'id="nonce"' in html and 'name="page"' in html

    def post(self, client, env, code=None, **data):
        code = code or code_for(env)
        if "page" not in data:
            data["page"] = page_for(env, code)
        data.setdefault("nonce", f"nonce-{time.time_ns()}")
        return client.post(f"/a/{code}", data)

    def test_check_in_by_identifier(self, client, env):
        teacher = env.people[0]
        resp = self.post(client, env, identifier=f"  {teacher.teacher_id} ")
        assert resp.status_code == 201
        row = CheckIn.objects.get()
        assert (row.person, row.bridge, row.method, row.foreign) == (teacher, env.school, "self_qr", False)
        assert CheckInAttempt.objects.get().outcome == Outcome.ACCEPTED
        assert 'data-outcome="accepted"' in resp.content.decode()

    @pytest.mark.parametrize("typed", ["0075 3699 5075", "0075.3699.5075", "0075-3699-5075", " 007536995075 "])
    def test_an_identifier_typed_in_groups_checks_in(self, client, env, typed):
        # Phones show a citizen identity number in groups of four; bridges.identifiers drops the separators.
        teacher = env.people[0]
        teacher.teacher_id = "007536995075"
        teacher.save()
        resp = self.post(client, env, identifier=typed)
        assert resp.status_code == 201
        assert CheckIn.objects.get().person == teacher

    def test_check_in_by_name_and_birth_year(self, client, env):
        teacher = env.people[1]
        resp = self.post(client, env, person=teacher.pk, birth_year="1985",
                         second_factor=screen_code(env.roll_call, env.school))
        assert resp.status_code == 201
        assert CheckIn.objects.get().person == teacher

    def test_wrong_birth_year_is_refused_and_the_form_stays(self, client, env):
        resp = self.post(client, env, person=env.people[1].pk, birth_year="1986")
        assert resp.status_code == 422
        assert 'id="teacher-form"' in resp.content.decode() and 'id="checkin-error"' in resp.content.decode()
        assert not CheckIn.objects.exists()
        attempt = CheckInAttempt.objects.get()
        assert (attempt.outcome, attempt.person) == (Outcome.WRONG_BIRTH_YEAR, env.people[1])
        assert "1986" not in attempt.reason

    def test_unknown_identifier_is_refused_and_stored(self, client, env):
        resp = self.post(client, env, identifier="0999999")
        assert resp.status_code == 404
        attempt = CheckInAttempt.objects.get()
        assert (attempt.outcome, attempt.identifier, attempt.roll_call) == (Outcome.UNKNOWN_PERSON, "0999999",
                                                                           env.roll_call)
        assert not CheckIn.objects.exists()

    def test_nothing_given_is_invalid(self, client, env):
        assert self.post(client, env).status_code == 400
        assert CheckInAttempt.objects.get().outcome == Outcome.INVALID

    def test_closed_roll_call_is_refused(self, client, env):
        code = code_for(env)
        page = page_for(env, code)
        rollcall.close_roll_call(env.roll_call)
        resp = self.post(client, env, code=code, page=page, identifier=env.people[0].teacher_id)
        assert resp.status_code == 409
        assert CheckInAttempt.objects.get().outcome == Outcome.CLOSED
        assert not CheckIn.objects.exists()

    def test_teacher_of_another_school_is_accepted_and_flagged(self, client, env):
        stranger = env.other_school.people.first()
        resp = self.post(client, env, identifier=stranger.teacher_id)
        assert resp.status_code == 201
        row = CheckIn.objects.get()
        assert row.foreign and row.bridge == env.school and row.person.bridge == env.other_school
        assert 'id="foreign-flag"' in resp.content.decode()

    def test_repeated_nonce_gets_the_first_answer_and_no_second_row(self, client, env):
        code = code_for(env)
        data = {"page": page_for(env, code), "nonce": "5b0f6a3e-retry-0001", "identifier": env.people[0].teacher_id}
        first = client.post(f"/a/{code}", data)
        again = client.post(f"/a/{code}", data)
        assert first.status_code == again.status_code == 201
        assert CheckIn.objects.count() == 1 and CheckInAttempt.objects.count() == 1
        assert ClientNonce.objects.get(scope__startswith="rollcall:").response["outcome"] == "accepted"

    def test_second_check_in_of_a_person_answers_duplicate_with_the_first_time(self, client, env):
        teacher = env.people[0]
        self.post(client, env, identifier=teacher.teacher_id)
        first = CheckIn.objects.get()
        resp = self.post(client, env, person=teacher.pk, birth_year="1980",
                         second_factor=screen_code(env.roll_call, env.school))
        assert resp.status_code == 200
        assert 'data-outcome="duplicate"' in resp.content.decode()
        assert timezone.localtime(first.at).strftime("%H:%M") in resp.content.decode()
        assert CheckIn.objects.count() == 1
        assert list(CheckInAttempt.objects.order_by("id").values_list("outcome", flat=True)) == [
            Outcome.ACCEPTED, Outcome.DUPLICATE]

    def test_page_loaded_long_ago_is_expired_at_submit(self, client, env):
        code = code_for(env)
        old_page = OldPageSigner(salt="attendance.teacher-page").sign_object([env.roll_call.pk, env.school.pk,
                                                                              "page-id-0001"])
        resp = self.post(client, env, code=code, page=old_page, identifier=env.people[0].teacher_id)
        assert resp.status_code == 409
        assert CheckInAttempt.objects.get().outcome == Outcome.EXPIRED_QR

    def test_page_token_of_another_code_is_forged(self, client, env, small_tree):
        other_code = code_for(env, bridge=small_tree["TN-S1"])
        resp = self.post(client, env, page=page_for(env, other_code), identifier=env.people[0].teacher_id)
        assert resp.status_code == 403
        assert CheckInAttempt.objects.get().outcome == Outcome.FORGED_QR

    def test_forged_code_at_load_is_refused_and_stored(self, client, env):
        resp = client.get("/a/1.2.3.notasignature")
        assert resp.status_code == 403
        assert 'data-outcome="forged_qr"' in resp.content.decode()
        assert CheckInAttempt.objects.get().outcome == Outcome.FORGED_QR

    def test_expired_code_at_load_is_refused_and_stored(self, client, env):
        old = code_for(env, now=timezone.now() - dt.timedelta(minutes=3))
        resp = client.get(f"/a/{old}")
        assert resp.status_code == 409
        attempt = CheckInAttempt.objects.get()
        assert (attempt.outcome, attempt.roll_call, attempt.bridge) == (Outcome.EXPIRED_QR, env.roll_call, env.school)


class TestTeacherApi:
    def test_check_in_over_the_api_uses_the_window_rule(self, client, env):
        code = code_for(env)
        page = client.get(f"/api/attendance/qr/{code}").json()
        url = f"/api/attendance/qr/{code}/checkin"
        body = {"nonce": "api-nonce-000001", "identifier": env.people[2].teacher_id, "page_token": page["page_token"]}
        resp = client.post(url, body, content_type="application/json")
        assert resp.status_code == 201 and resp.json()["outcome"] == "accepted"
        again = client.post(url, body, content_type="application/json")
        assert again.json()["replayed"] is True and CheckIn.objects.count() == 1
        # A code older than the previous window opens no page.
        stale = code_for(env, now=timezone.now() - dt.timedelta(minutes=3))
        resp = client.get(f"/api/attendance/qr/{stale}")
        assert resp.status_code == 409 and resp.json()["code"] == "expired_qr"

    def test_missing_nonce_is_refused(self, client, env):
        resp = client.post(f"/api/attendance/qr/{code_for(env)}/checkin", {"identifier": env.people[0].teacher_id},
                           content_type="application/json")
        assert resp.status_code == 400
        assert not CheckIn.objects.exists()
        assert CheckInAttempt.objects.get().outcome == Outcome.INVALID


def test_service_answer_names_bridge_and_time(env):
    now = timezone.now()
    code = code_for(env, now=now)
    answer = teacher_checkin.self_check_in(code, page_token=page_for(env, code), identifier=env.people[0].teacher_id,
                                           nonce="svc-nonce-0001", now=now)
    assert answer.status == 201
    assert answer.body["bridge_name"] == env.school.name
    assert timezone.localtime(now).strftime("%H:%M") in answer.body["message"]
