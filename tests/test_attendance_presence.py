"""Connection intervals from Jitsi occupant events and console websockets -> minutes connected."""

import datetime as dt

import pytest
from django.utils import timezone

from attendance import presence
from attendance.models import ConnectionInterval
from tests.attendance_support import make_event
from video.models import PresenceEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def env(small_tree):
    return make_event(small_tree)


def presence_event(env, kind, at, occupant="jid-1", bridge=None, room="phong-1"):
    return PresenceEvent.objects.create(
        dedupe_key=f"{kind}-{occupant}-{at.timestamp()}", kind=kind, room_name=room, event=env.event,
        bridge=bridge if bridge is not None else env.school, occupant_id=occupant, occurred_at=at,
    )


def test_occupant_joined_and_left_make_a_video_interval(env):
    start = env.session.starts_at + dt.timedelta(minutes=5)
    presence_event(env, PresenceEvent.Kind.OCCUPANT_JOINED, start)
    span = ConnectionInterval.objects.get()
    assert (span.source, span.bridge, span.ended_at) == ("video", env.school, None)
    presence_event(env, PresenceEvent.Kind.OCCUPANT_LEFT, start + dt.timedelta(minutes=20))
    span.refresh_from_db()
    assert span.ended_at == start + dt.timedelta(minutes=20)


def test_room_destroyed_closes_every_open_occupant_of_the_room(env, small_tree):
    start = env.session.starts_at
    presence_event(env, PresenceEvent.Kind.OCCUPANT_JOINED, start, occupant="a")
    presence_event(env, PresenceEvent.Kind.OCCUPANT_JOINED, start, occupant="b", bridge=small_tree["TN-S1"])
    presence_event(env, PresenceEvent.Kind.OCCUPANT_JOINED, start, occupant="c", room="phong-2")
    presence_event(env, PresenceEvent.Kind.ROOM_DESTROYED, start + dt.timedelta(minutes=30), occupant="")
    assert ConnectionInterval.objects.filter(ended_at__isnull=True).count() == 1


def test_occupant_without_bridge_is_ignored(env):
    PresenceEvent.objects.create(dedupe_key="x", kind=PresenceEvent.Kind.OCCUPANT_JOINED, room_name="r",
                                 event=env.event, occupant_id="jid", occurred_at=timezone.now())
    assert not ConnectionInterval.objects.exists()


def test_minutes_connected_for_a_session_merge_console_and_video(env):
    start = env.session.starts_at
    # Video 0-30 min, console 20-50 min (overlap counted once), then a console gap, then 100-110 min.
    presence_event(env, PresenceEvent.Kind.OCCUPANT_JOINED, start)
    presence_event(env, PresenceEvent.Kind.OCCUPANT_LEFT, start + dt.timedelta(minutes=30))
    ConnectionInterval.objects.create(event=env.event, bridge=env.school, source="console", connection_id="c1",
                                      started_at=start + dt.timedelta(minutes=20),
                                      last_seen_at=start + dt.timedelta(minutes=50),
                                      ended_at=start + dt.timedelta(minutes=50))
    # A console that vanished without closing counts to its last heartbeat.
    ConnectionInterval.objects.create(event=env.event, bridge=env.school, source="console", connection_id="c2",
                                      started_at=start + dt.timedelta(minutes=100),
                                      last_seen_at=start + dt.timedelta(minutes=110))
    minutes = presence.connected_minutes_by_bridge(env.session)
    assert minutes == {env.school.pk: 60.0}
