"""Group mode read from the rows (issue 13): a nation's organizer's snapshot sums its counters per group in
PostgreSQL (`EventBoard._group_counters`) and reads only the viewed group's tiles (`EventBoard.for_snapshot`);
the counters equal those counted from every tile (`recount`), and the snapshot equals the one built from the
whole board, whatever the statuses, expected numbers, connections, check-ins and flags."""
# ruff: noqa: F811 - the fixtures are test_board's, imported by name and taken as arguments

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attendance import board
from attendance.models import BridgeCheckIn, CheckIn, ConnectionInterval, RollCall
from bridges.models import Bridge, Person
from events.models import Event, Invitation
from tests.test_board import live_event  # noqa: F401 - fixture

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the group counters are aggregated in PostgreSQL (elsewhere a snapshot reads every tile)")


@pytest.fixture
def varied_event(live_event, tiers):
    """live_event and more: a school directly under the host (the host's group), a district invited itself (its
    own unit), a school counted from its roster (no expected number), a flagged check-in, a second, closed roll
    call, a bridge checked in offline, an online console with no check-in."""
    event, now = live_event["event"], timezone.now()
    lone = Bridge.objects.create(code="IOC-S1", name="Trường trực thuộc", tier=tiers["school"],
                                 parent=live_event["host"], expected_participants=0)
    Person.objects.create(bridge=lone, full_name="Giáo viên lẻ", teacher_id="0LONE", phone="0905999000")
    Invitation.objects.create(event=event, bridge=lone, status=Invitation.Status.CONFIRMED)
    Invitation.objects.create(event=event, bridge=live_event["BS"], status=Invitation.Status.TESTED_OK,
                              expected_participants=4)
    Bridge.objects.filter(pk=live_event["TN-S1"].pk).update(expected_participants=0)
    earlier = RollCall.objects.create(session=live_event["roll_call"].session, label="Trước",
                                      opened_at=now - timedelta(minutes=9), closes_at=now - timedelta(minutes=6))
    for person in live_event["BS-S2"].people.all():
        CheckIn.objects.create(roll_call=earlier, person=person, bridge=live_event["BS-S2"], at=now, method="self_qr",
                               same_client=True)
    tn1 = live_event["TN-S1"].people.first()
    CheckIn.objects.create(roll_call=live_event["roll_call"], person=tn1, bridge=live_event["TN-S1"], at=now,
                           method="self_qr")
    BridgeCheckIn.objects.create(event=event, bridge=live_event["TN-S1"], checked_in_at=now, headcount=7)
    ConnectionInterval.objects.create(event=event, bridge=lone, source="console", started_at=now, last_seen_at=now)
    return live_event


def group_counters(event_id: int, scope_path):
    summed = board.EventBoard(Event.objects.select_related("host__tier").get(pk=event_id), scope_path)
    summed._load_roll_calls()
    counted, groups, paths = summed._group_counters()
    return counted, groups, paths


@pytest.mark.parametrize("host_invited", [False, True])
def test_group_counters_from_the_database_equal_a_recount_of_the_tiles(varied_event, host_invited):
    event = varied_event["event"]
    if host_invited:
        Invitation.objects.create(event=event, bridge=varied_event["host"], status=Invitation.Status.INVITED,
                                  expected_participants=2)
    for scope_path in (None, varied_event["host"].path, varied_event["BS"].path, varied_event["TN-S1"].path):
        tiles = board.EventBoard.load(event.pk, scope_path)
        recount = tiles.recount(scope_path)
        counted, groups, paths = group_counters(event.pk, scope_path)
        assert counted == recount, scope_path
        assert groups == {g: tiles.groups[g] for g in recount["groups"]}, scope_path
        assert all(paths[g] == Bridge.objects.get(pk=g).path for g in groups)
    whole, _groups, _paths = group_counters(event.pk, None)
    assert whole["total"]["invited"] == 7  # the host is on the board, invited or not
    assert whole["total"]["flagged"] == 3 and whole["total"]["checked_in"] == 2


def test_a_snapshot_in_group_mode_reads_one_groups_tiles_and_equals_the_whole_boards(varied_event, settings):
    settings.BOARD_TILES_MAX = 3
    event = varied_event["event"]
    whole = board.EventBoard.load(event.pk)
    for code in ("BS", "TN", "IOC", None, "NO-SUCH"):
        with CaptureQueriesContext(connection) as queries:
            snap = board.snapshot(event.pk, None, code)
        expected = whole.snapshot(None, code)
        assert snap["mode"] == "groups"
        for key in ("group", "groups", "tiles", "counters", "roll_calls", "launch"):
            assert snap[key] == expected[key], (code, key)
        # Rosters are read per bridge only for the viewed group's tiles (none without one).
        per_bridge = [q for q in queries if '"bridges_person"."bridge_id" AS' in q["sql"]]
        assert len(per_bridge) == (0 if snap["group"] is None else 1), code
    assert {t["code"] for t in board.snapshot(event.pk, None, "BS")["tiles"]} == {"BS", "BS-S1", "BS-S2"}
