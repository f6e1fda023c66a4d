from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from attendance.models import ConnectionInterval
from attendance.presence import connected_minutes_by_bridge, connected_seconds_by_bridge
from events.models import Event, Session

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def session(small_tree):
    start = datetime(2026, 12, 1, 8, 0, tzinfo=TZ)
    event = Event.objects.create(title="Tập huấn", host=small_tree["host"], starts_at=start, ends_at=start + timedelta(hours=4))
    return Session.objects.create(event=event, title="Tập huấn", starts_at=start, ends_at=start + timedelta(hours=2))


def span(session, bridge, start_min, end_min, *, source="console", open_until=None):
    base = session.starts_at
    return ConnectionInterval.objects.create(
        event=session.event, bridge=bridge, source=source,
        started_at=base + timedelta(minutes=start_min),
        last_seen_at=base + timedelta(minutes=open_until if open_until is not None else end_min),
        ended_at=None if open_until is not None else base + timedelta(minutes=end_min),
    )


def test_overlapping_console_and_video_spans_count_once(session, small_tree):
    school = small_tree["BS-S1"]
    span(session, school, 0, 60)
    span(session, school, 30, 90, source="video")
    assert connected_minutes_by_bridge(session) == {school.pk: 90.0}


def test_spans_are_clipped_to_the_session(session, small_tree):
    school = small_tree["BS-S2"]
    span(session, school, -30, 10)
    span(session, school, 110, 200)
    assert connected_minutes_by_bridge(session)[school.pk] == 20.0


def test_open_span_counts_until_last_heartbeat(session, small_tree):
    school = small_tree["TN-S1"]
    span(session, school, 0, None, open_until=45)
    seconds = connected_seconds_by_bridge(session.event_id, session.starts_at, session.ends_at, [school.pk])
    assert seconds == {school.pk: 45 * 60.0}


def test_bridges_without_spans_are_absent(session, small_tree):
    span(session, small_tree["BS-S1"], 0, 5)
    assert set(connected_minutes_by_bridge(session)) == {small_tree["BS-S1"].pk}


def test_a_notification_that_cannot_be_sent_does_not_fail_the_committed_write(
        small_tree, django_capture_on_commit_callbacks, caplog):
    from channels.layers import channel_layers

    from attendance import live

    # A layer whose group_send always fails, as a full or unreachable Redis does.
    channel_layers.backends.clear()
    layer = live.get_channel_layer()

    async def refuse(group, message):
        raise RuntimeError("channel full")

    layer.group_send = refuse
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        live.bridges_changed(1, [small_tree["BS-S1"].pk])
    channel_layers.backends.clear()
    # The notification (and the read model's mark, training.tallies) ran after the commit, and the failure
    # was logged, not raised.
    assert len(callbacks) == 2
    assert "live notification to event-1-changes lost" in caplog.text
