"""Jitsi room tokens live for the session they join plus JITSI_TOKEN_MARGIN_HOURS (video.tokens.token_expiry), not
until the event's end + 2 h: on a five-day training a leaked token died days later. The join data says when it
expires, and the console's script asks for a fresh one before then (static/js/console_video.js)."""

from datetime import timedelta

import jwt
import pytest
from django.utils import timezone

from events.models import Event, Invitation, JitsiRoom, Session
from video import tokens

pytestmark = pytest.mark.django_db
SECRET = "test-jitsi-app-secret-0123456789abcdef"


@pytest.fixture
def week(small_tree, settings):
    """A five-day training, one session a day 08:00-11:00 (relative to now: today's is in progress)."""
    settings.JITSI_APP_SECRET = SECRET
    settings.JITSI_TOKEN_MARGIN_HOURS = 2
    now = timezone.now()
    start = now - timedelta(hours=1)
    event = Event.objects.create(title="Tập huấn 5 ngày", kind=Event.Kind.TRAINING, status=Event.Status.LIVE,
                                 host=small_tree["host"], starts_at=start, ends_at=start + timedelta(days=4, hours=3))
    for day in range(5):
        Session.objects.create(event=event, title=f"Ngày {day + 1}", starts_at=start + timedelta(days=day),
                               ends_at=start + timedelta(days=day, hours=3))
    room = JitsiRoom.objects.create(event=event, name=f"diemcau-{event.pk}-bs-1", label="Phòng BS")
    Invitation.objects.create(event=event, bridge=small_tree["BS-S1"], room=room)
    return event, now


def exp_of(join: dict) -> int:
    return jwt.decode(join["jwt"], SECRET, algorithms=["HS256"], audience="jitsi",
                      options={"verify_exp": False, "verify_iss": False, "verify_iat": False, "verify_nbf": False})["exp"]


def test_a_token_lives_for_the_session_in_progress_plus_the_margin(week, small_tree):
    event, now = week
    join = tokens.join_info(event, small_tree["BS-S1"], now=now)
    today = event.sessions.order_by("starts_at").first()
    assert exp_of(join) == int((today.ends_at + timedelta(hours=2)).timestamp())
    assert join["expires_at"].timestamp() == exp_of(join)
    assert exp_of(join) < (event.ends_at - timedelta(days=3)).timestamp()  # not days ahead


def test_between_sessions_a_token_lives_the_margin(week, small_tree):
    event, now = week
    evening = now + timedelta(hours=8)  # today's session is over, tomorrow's far off
    join = tokens.join_info(event, small_tree["BS-S1"], now=evening)
    assert exp_of(join) == int((evening + timedelta(hours=2)).timestamp())


def test_joining_early_covers_the_session_about_to_start(week, small_tree):
    event, now = week
    early = now + timedelta(days=1, hours=-2)  # an hour before tomorrow's session
    tomorrow = event.sessions.order_by("starts_at")[1]
    assert exp_of(tokens.join_info(event, small_tree["BS-S1"], now=early)) == \
        int((tomorrow.ends_at + timedelta(hours=2)).timestamp())


def test_the_margin_is_a_setting(week, small_tree, settings):
    event, now = week
    settings.JITSI_TOKEN_MARGIN_HOURS = 0.5
    today = event.sessions.order_by("starts_at").first()
    assert exp_of(tokens.join_info(event, small_tree["BS-S1"], now=now)) == \
        int((today.ends_at + timedelta(minutes=30)).timestamp())


def test_the_console_api_says_when_to_refresh(week, small_tree, client):
    event, _now = week
    answer = client.get(f"/api/console/{small_tree['BS-S1'].console_token}/jitsi", {"event": event.pk})
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_at"] and exp_of(body) == int(timezone.datetime.fromisoformat(body["expires_at"]).timestamp())


def test_the_console_script_refreshes_before_expiry():
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "static/js/console_video.js").read_text()
    assert "expires_at" in script and "REFRESH_BEFORE_MS" in script and "scheduleRefresh()" in script
