"""The check-ins bench.wrk_load prepares for wrk (bench_floor, bench_live) are what the teacher endpoint
accepts: each line, POSTed as wrk sends it (with its phone's device cookie), is one check-in of its own
device, never flagged as one phone's; a page signed too long before is refused, so the page token's clock
in the prepared lines is the one the endpoint reads."""

import json
import time

import pytest

from attendance.models import CheckIn, CheckInAttempt
from attendance.services import qr
from bench.wrk_load import checkin_lines
from tests.attendance_support import with_open_roll_call

pytestmark = pytest.mark.django_db


def post(client, line: str):
    path, cookie, body = line.split("\t")
    name, value = cookie.split("=")
    client.cookies[name] = value
    return client.post(path, body, content_type="application/json")


def test_prepared_lines_are_valid_check_ins_at_their_times(small_tree, client):
    env = with_open_roll_call(small_tree)
    now = time.time()
    first, second, third = env.people
    lines = checkin_lines(env.roll_call, [
        (env.school.pk, first.teacher_id, None, None),  # bench_floor: code and page of now
        (env.school.pk, second.teacher_id, now, now),  # bench_live's replay: of the planned time
        (env.school.pk, third.teacher_id, now, now + qr.PAGE_SECONDS - 10),  # a burst: signed to stay fresh
    ])
    assert [post(client, line).status_code for line in lines] == [201, 201, 201]
    assert set(CheckIn.objects.filter(roll_call=env.roll_call).values_list("person", flat=True)) == {
        first.pk, second.pk, third.pk}
    bodies = [json.loads(line.split("\t")[2]) for line in lines]
    assert len({b["nonce"] for b in bodies}) == len({b["page_token"] for b in bodies}) == 3
    assert len(set(CheckIn.objects.filter(roll_call=env.roll_call).values_list("client_key", flat=True))) == 3
    assert not CheckIn.objects.filter(roll_call=env.roll_call, same_client=True).exists()


def test_a_page_signed_too_long_before_is_refused(small_tree, client):
    env = with_open_roll_call(small_tree)
    long_ago = time.time() - qr.PAGE_SECONDS - 10
    [line] = checkin_lines(env.roll_call, [(env.school.pk, env.people[0].teacher_id, None, long_ago)])
    assert post(client, line).status_code != 201
    assert not CheckIn.objects.filter(roll_call=env.roll_call).exists()
    assert CheckInAttempt.objects.get(roll_call=env.roll_call).outcome == CheckInAttempt.Outcome.EXPIRED_QR
