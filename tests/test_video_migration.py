"""PresenceEvent moved from events to video with its table: an existing database keeps its rows.

The database is migrated back to the state before the move (events 0001, no video migration), a
row is written through that state's historical events.PresenceEvent, and after migrating forward
the same row is read through video.models.PresenceEvent. Transactional: SQLite's schema editor
refuses to run inside the atomic block of an ordinary test.
"""

from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from video.models import PresenceEvent

# events' last migration before the move, and video not yet installed.
BEFORE_MOVE = [("events", "0001_initial"), ("video", None)]
# The historical models to write with: events then, and the content types as they are today.
BEFORE_MOVE_STATE = [("events", "0001_initial"), ("contenttypes", "0002_remove_content_type_name")]


def _migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


def _migrate_to_latest() -> None:
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def before_move():
    """Historical apps of the pre-move state; the database goes back to the latest state afterwards."""
    _migrate(BEFORE_MOVE)
    try:
        yield MigrationExecutor(connection).loader.project_state(BEFORE_MOVE_STATE).apps
    finally:
        _migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_a_presence_row_written_before_the_move_is_read_after_it(small_tree, before_move):
    now = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    # The event as that state's table holds it (later migrations add columns today's model writes).
    event = before_move.get_model("events", "Event").objects.create(
        title="Khai giảng", host_id=small_tree["host"].pk, starts_at=now, ends_at=now, status="live")
    school = small_tree["BS-S1"]
    OldPresence = before_move.get_model("events", "PresenceEvent")
    assert OldPresence._meta.db_table == "events_presenceevent"
    assert ("video", "presenceevent") not in before_move.all_models
    old_type = before_move.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="events", model="presenceevent")[0]
    old = OldPresence.objects.create(
        dedupe_key="k" * 64, kind="occupant_joined", room_name=f"diemcau-{event.pk}-bs-1",
        event_id=event.pk, bridge_id=school.pk, occupant_id="room@muc/abc", occurred_at=now,
        payload={"event_name": "muc-occupant-joined"},
    )

    _migrate_to_latest()

    row = PresenceEvent.objects.get(pk=old.pk)
    assert (row.dedupe_key, row.kind, row.room_name, row.occupant_id) == (
        "k" * 64, PresenceEvent.Kind.OCCUPANT_JOINED, f"diemcau-{event.pk}-bs-1", "room@muc/abc")
    assert (row.event_id, row.bridge, row.occurred_at, row.payload) == (
        event.pk, school, now, {"event_name": "muc-occupant-joined"})
    assert list(row.event.presence.all()) == [row]
    # Permissions and admin log entries hang on the content type: it follows the model.
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(PresenceEvent).pk == old_type.pk
    assert not ContentType.objects.filter(app_label="events", model="presenceevent").exists()
