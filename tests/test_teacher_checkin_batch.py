"""Teacher check-ins written as a batch give the answers each would get alone (issue 4, performance)."""


import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from attendance import live
from attendance.models import CheckIn, CheckInAttempt, ClientNonce
from attendance.services import qr, teacher_checkin
from attendance.services.teacher_checkin import Scan, write_scans
from tests.attendance_support import screen_code, with_open_roll_call
from tests.test_attendance_checkin import OldPageSigner

pytestmark = pytest.mark.django_db
Outcome = CheckInAttempt.Outcome


@pytest.fixture
def env(small_tree):
    return with_open_roll_call(small_tree)


def scan(env, nonce, *, bridge=None, language="vi", **fields):
    """A scan as a phone sends it: from a page of its own, with the screen's code when by name."""
    bridge = bridge or env.school
    code = qr.current_token(env.roll_call, bridge.pk)
    fields.setdefault("page_token", qr.make_page_token(qr.authenticate(code)))
    if "person_id" in fields:
        fields.setdefault("second_factor", screen_code(env.roll_call, bridge))
    return Scan(code, nonce=nonce, language=language, **fields)


def test_a_batch_of_fifty_check_ins_costs_a_fixed_number_of_queries(env, small_tree, django_assert_max_num_queries):
    schools = env.schools
    people = [p for school in schools for p in school.people.order_by("teacher_id")]
    scans = [scan(env, f"batch-nonce-{k:04d}", bridge=person.bridge, identifier=person.teacher_id,
                  client_key=f"phone-{k:04d}") for k, person in enumerate(people)]
    assert len(scans) >= 12
    # Reads once per table (roll calls, sessions, bridges too), one insert per table; after the commit, one UPDATE
    # marks the batch's bridges in the reports' read model (training.tallies).
    with django_assert_max_num_queries(13):
        answers = write_scans(scans)
    assert [a.status for a in answers] == [201] * len(scans)
    assert CheckIn.objects.filter(roll_call=env.roll_call).count() == len(scans)
    assert CheckInAttempt.objects.filter(outcome=Outcome.ACCEPTED).count() == len(scans)
    # One answer per nonce, and each page spent by its check-in.
    assert ClientNonce.objects.filter(scope__startswith="rollcall:").count() == len(scans)
    assert ClientNonce.objects.filter(scope__startswith="page:").count() == len(scans)
    first = CheckInAttempt.objects.filter(nonce="batch-nonce-0000").get()
    assert first.checkin.person.teacher_id == people[0].teacher_id


def test_the_same_person_twice_in_one_batch_is_recorded_once(env):
    teacher = env.people[0]
    answers = write_scans([scan(env, "twice-nonce-0001", identifier=teacher.teacher_id),
                           scan(env, "twice-nonce-0002", identifier=teacher.teacher_id)])
    assert [a.body["outcome"] for a in answers] == ["accepted", "duplicate"]
    assert [a.status for a in answers] == [201, 200]
    assert answers[0].body["at"] == answers[1].body["at"]
    assert CheckIn.objects.count() == 1
    duplicate = CheckInAttempt.objects.get(outcome=Outcome.DUPLICATE)
    assert duplicate.checkin == CheckIn.objects.get()


def test_the_same_nonce_twice_in_one_batch_gets_the_first_answer_and_writes_once(env):
    teacher = env.people[1]
    answers = write_scans([scan(env, "same-nonce-0001", identifier=teacher.teacher_id),
                           scan(env, "same-nonce-0001", identifier=teacher.teacher_id)])
    assert [a.replayed for a in answers] == [False, True]
    assert answers[0].status == answers[1].status == 201
    assert answers[0].body == answers[1].body
    assert CheckIn.objects.count() == 1
    assert CheckInAttempt.objects.count() == 1
    assert ClientNonce.objects.filter(scope__startswith="rollcall:").count() == 1


def test_a_nonce_answered_in_an_earlier_batch_is_replayed(env):
    teacher = env.people[2]
    first = write_scans([scan(env, "earlier-nonce-01", identifier=teacher.teacher_id)])[0]
    again = write_scans([scan(env, "earlier-nonce-01", identifier="does-not-matter"),
                         scan(env, "earlier-nonce-02", identifier=env.people[0].teacher_id)])
    assert again[0].replayed and again[0].body == first.body
    assert again[1].body["outcome"] == "accepted"
    assert CheckIn.objects.count() == 2


def test_refusals_in_a_batch_are_each_stored_with_their_reason(env):
    person = env.people[0]  # born 1980, on BS-S1's roster
    old_page = OldPageSigner(salt="attendance.teacher-page").sign_object([env.roll_call.pk, env.school.pk,
                                                                          "old-page-0001"])
    scans = [
        Scan("1.2.3.forged", nonce="refused-nonce-01", language="vi"),
        scan(env, "refused-nonce-02", identifier="999999999"),
        scan(env, "refused-nonce-03", person_id=person.pk, birth_year="1999"),
        scan(env, "refused-nonce-04", person_id=person.pk, birth_year="80"),
        scan(env, "refused-nonce-05", identifier=person.teacher_id, page_token=old_page),
        scan(env, "", identifier=person.teacher_id),
        scan(env, "refused-nonce-07", person_id=person.pk, bridge=env.other_school, birth_year="1980"),
        scan(env, "refused-nonce-08", person_id=person.pk, birth_year="1980"),
    ]
    answers = write_scans(scans)
    outcomes = [a.body["outcome"] for a in answers]
    assert outcomes == [Outcome.FORGED_QR, Outcome.UNKNOWN_PERSON, Outcome.WRONG_BIRTH_YEAR, Outcome.INVALID,
                        Outcome.EXPIRED_QR, Outcome.INVALID, Outcome.UNKNOWN_PERSON, Outcome.ACCEPTED]
    assert [a.status for a in answers] == [403, 404, 422, 400, 409, 400, 404, 201]
    stored = list(CheckInAttempt.objects.order_by("pk").values_list("outcome", "reason"))
    assert [o for o, _r in stored] == outcomes
    assert all(reason for outcome, reason in stored if outcome != Outcome.ACCEPTED)
    assert CheckIn.objects.count() == 1


def test_each_answer_speaks_the_language_of_its_request(env):
    answers = write_scans([scan(env, "lang-nonce-0001", identifier=env.people[0].teacher_id, language="en"),
                           scan(env, "lang-nonce-0002", identifier=env.people[1].teacher_id, language="vi")])
    assert answers[0].body["message"].startswith("Checked in at")
    assert answers[1].body["message"].startswith("Đã điểm danh")


def test_one_board_notification_per_batch_after_commit(env, django_capture_on_commit_callbacks):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(live.changes_group(env.event.pk), channel)
    scans = [scan(env, f"notify-nonce-{k:03d}", bridge=school, identifier=school.people.order_by("pk")[0].teacher_id)
             for k, school in enumerate(env.schools)]
    consoles = {school.pk: async_to_sync(layer.new_channel)() for school in env.schools}
    for bridge_id, console in consoles.items():
        async_to_sync(layer.group_add)(live.bridge_group(bridge_id), console)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        write_scans(scans)
    # One send after commit, to the boards and (all rosters at once) the schools' consoles: per batch, not per scan;
    # and one mark of the reports' read model (training.tallies, one UPDATE).
    assert len(callbacks) == 2
    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "bridges.changed"
    assert sorted(message["bridge_ids"]) == sorted(s.pk for s in env.schools)
    assert [line["bridge_id"] for line in message["feed"]] == [s.pk for s in env.schools]
    for school in env.schools:
        push = async_to_sync(layer.receive)(consoles[school.pk])
        assert push["payload"]["type"] == "roster.changed" and push["payload"]["roll_call_id"] == env.roll_call.pk
        assert [(p["id"], p["ticked"], p["method"]) for p in push["payload"]["people"]] == [
            (school.people.order_by("pk")[0].pk, True, "self_qr")]


def test_inside_a_callers_transaction_only_its_own_scan_is_written(env, monkeypatch):
    # The test runs inside a transaction: the group commit must not write other threads' scans here.
    monkeypatch.setattr(teacher_checkin.WRITES, "submit", lambda item: pytest.fail("queued inside a transaction"))
    code = qr.current_token(env.roll_call, env.school.pk)
    answer = teacher_checkin.self_check_in(code, page_token=qr.make_page_token(qr.authenticate(code)),
                                           identifier=env.people[0].teacher_id, nonce="own-nonce-0001")
    assert answer.status == 201
