"""manage.py purge_nonces: old stored answers go, recent ones and the check-ins stay."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from attendance.models import CheckIn, ClientNonce
from attendance.services import teacher_checkin
from tests.attendance_support import teacher_page, with_open_roll_call

pytestmark = pytest.mark.django_db


def test_old_answers_are_forgotten_recent_ones_and_check_ins_kept(small_tree, capsys):
    env = with_open_roll_call(small_tree)
    for k, person in enumerate(env.people):
        code, page = teacher_page(env.roll_call, env.school)
        teacher_checkin.self_check_in(code, page_token=page, identifier=person.teacher_id, nonce=f"purge-nonce-{k:03d}")
    # Each check-in stored its answer twice: under its nonce and under the page it spent.
    stored = ClientNonce.objects.count()
    assert stored == 2 * len(env.people)
    old = ClientNonce.objects.order_by("pk")[:2]
    ClientNonce.objects.filter(pk__in=[n.pk for n in old]).update(created_at=timezone.now() - dt.timedelta(days=31))

    call_command("purge_nonces")

    assert "2 stored answers older than 30 days removed." in capsys.readouterr().out
    assert ClientNonce.objects.count() == stored - 2
    assert CheckIn.objects.count() == len(env.people)


def test_refuses_to_forget_todays_answers():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("purge_nonces", "--days", "0")
