"""Concurrent repeats: the same nonce or the same person at once gives one row (SQLite and PostgreSQL)."""

import json
import threading

import pytest
from django.db import connection

from attendance.models import CheckIn, CheckInAttempt, ClientNonce
from attendance.services import console_writes, teacher_checkin
from tests.attendance_support import teacher_page, with_open_roll_call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def run_together(calls):
    """Start every call at the same moment, each in its own thread with its own connection."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@pytest.fixture
def env(small_tree):
    return with_open_roll_call(small_tree)


def test_same_nonce_sent_four_times_at_once_makes_one_row_and_one_answer(env):
    for k, person in enumerate(env.people):
        data = {"nonce": f"race-nonce-{k:04d}", "person_id": person.pk, "roll_call_id": env.roll_call.pk}
        answers = run_together([lambda d=data: console_writes.write(env.school, "tick", d)] * 4)
        assert sorted(a.replayed for a in answers) == [False, True, True, True]
        assert len({(a.status, json.dumps(a.body, sort_keys=True)) for a in answers}) == 1
    assert CheckIn.objects.count() == len(env.people)
    assert ClientNonce.objects.count() == len(env.people)


def test_same_person_with_different_nonces_at_once_is_recorded_once(env):
    teacher = env.people[0]
    # Four phones, each with a page of its own, check the same person in at once.
    pages = [teacher_page(env.roll_call, env.school) for _k in range(4)]
    answers = run_together([
        lambda k=k: teacher_checkin.self_check_in(pages[k][0], page_token=pages[k][1], identifier=teacher.teacher_id,
                                                  nonce=f"person-race-{k:03d}")
        for k in range(4)
    ])
    assert sorted(a.body["outcome"] for a in answers) == ["accepted", "duplicate", "duplicate", "duplicate"]
    assert CheckIn.objects.count() == 1
    assert len({a.body["at"] for a in answers}) == 1


def test_teachers_checking_in_at_once_are_written_together_each_with_their_own_answer(env, small_tree):
    people = [p for school in env.schools for p in school.people.all()]
    before = teacher_checkin.WRITES.batches
    pages = [teacher_page(env.roll_call, person.bridge) for person in people]
    answers = run_together([
        lambda person=person, k=k: teacher_checkin.self_check_in(
            pages[k][0], page_token=pages[k][1], identifier=person.teacher_id, nonce=f"hall-{k:04d}")
        for k, person in enumerate(people)
    ])
    assert [a.status for a in answers] == [201] * len(people)
    # Each answer is its own: the attempt of nonce hall-k recorded person k (answers name no one).
    recorded = dict(CheckInAttempt.objects.values_list("nonce", "checkin__person_id"))
    assert [recorded[f"hall-{k:04d}"] for k in range(len(people))] == [p.pk for p in people]
    assert CheckIn.objects.count() == len(people)
    assert teacher_checkin.WRITES.batches - before < len(people)  # some waited and went in one batch
