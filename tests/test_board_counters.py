"""The board's kept counters (issue 13): moved by the changed tiles only, they equal a full recount from the
rows after any sequence of check-ins, connections and ticks; a district's snapshot reads and holds only that
district; the online sweep finds the consoles that went silent without anyone saying so."""
# ruff: noqa: F811 - the fixtures are test_board's, imported by name and taken as arguments

import gzip
import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from attendance import board, live
from attendance.board import state
from attendance.board.coalescer import Coalescer
from attendance.models import BridgeCheckIn, CheckIn, ConnectionInterval
from attendance.services import bridge_checkin, connections
from bridges.models import Role
from events.models import Invitation
from tests.test_board import (  # noqa: F401 - fixtures
    connect_board,
    frames_until,
    live_event,
    receive_frame,
    session_cookie,
    ws_db,
)


def scopes(live_event):
    return [None, live_event["BS"].path, live_event["TN"].path, live_event["BS-S1"].path]


def assert_counters_exact(kept: board.EventBoard, event_id: int, paths) -> None:
    """Each scope's kept counters = a recount of the same board = a board loaded afresh from the rows."""
    fresh = board.EventBoard.load(event_id)
    for path in paths:
        counted = kept.counters(path)
        assert counted == fresh.counters(path), path
        recount = kept.recount(path)
        assert counted["total"] == recount["total"], path
        assert {g["id"]: {k: g[k] for k in recount["total"]} for g in counted["groups"]} == recount["groups"], path


@pytest.mark.django_db
def test_kept_counters_equal_a_full_recount_after_a_sequence_of_changes(live_event):
    event, roll_call = live_event["event"], live_event["roll_call"]
    paths = scopes(live_event)
    kept = board.EventBoard.load(event.pk)
    assert_counters_exact(kept, event.pk, paths)  # also starts keeping every scope's counters
    s2, tn1, tn2 = live_event["BS-S2"], live_event["TN-S1"], live_event["TN-S2"]
    now = timezone.now()

    def step(*bridges):
        kept.refresh({b.pk for b in bridges})
        assert_counters_exact(kept, event.pk, paths)

    bridge_checkin.check_in(s2, event)
    step(s2)
    assert bridge_checkin.set_headcount(s2, event, 9)[0] == 200
    step(s2)
    teachers = list(s2.people.all()) + list(tn1.people.all())
    for person in teachers:  # ticks at two districts' bridges, one refresh for them all (one frame)
        CheckIn.objects.create(roll_call=roll_call, person=person, bridge=person.bridge, at=now, method="tick")
    step(s2, tn1)
    assert kept.counters(None)["total"]["present"] == {str(roll_call.pk): 2 + len(teachers)}
    CheckIn.objects.create(roll_call=roll_call, person=tn2.people.first(), bridge=tn2, at=now, method="tick",
                           same_client=True)  # one of many from one device: flagged
    step(tn2)
    ConnectionInterval.objects.create(event=event, bridge=tn2, source="console", started_at=now, last_seen_at=now)
    step(tn2)
    ConnectionInterval.objects.filter(bridge=live_event["BS-S1"]).update(ended_at=now)  # its console left
    step(live_event["BS-S1"])
    CheckIn.objects.filter(bridge=tn2).delete()  # an undone tick: its roll call's key goes, as a recount has it
    CheckIn.objects.filter(bridge=live_event["BS-S1"]).delete()
    step(tn2, live_event["BS-S1"])
    assert str(roll_call.pk) not in kept.counters(live_event["BS-S1"].path)["total"]["present"]
    Invitation.objects.filter(event=event, bridge=tn1).update(status=Invitation.Status.CONFIRMED)
    kept.load_bridges()  # what the coalescer's periodic full refresh does: counters counted again
    kept.refresh(None)
    assert_counters_exact(kept, event.pk, paths)


@pytest.mark.django_db
def test_a_partial_refresh_in_chunks_equals_one_read(live_event, monkeypatch):
    event, roll_call = live_event["event"], live_event["roll_call"]
    kept = board.EventBoard.load(event.pk)
    kept.counters(None)
    for code in ("BS-S2", "TN-S1", "TN-S2"):
        bridge = live_event[code]
        BridgeCheckIn.objects.create(event=event, bridge=bridge, checked_in_at=timezone.now(), headcount=4)
        person = bridge.people.first()
        CheckIn.objects.create(roll_call=roll_call, person=person, bridge=bridge, at=timezone.now(), method="tick")
    monkeypatch.setattr(state, "PARTIAL_REFRESH_LIMIT", 1)  # three bridges, three chunks
    changed = kept.refresh({live_event[c].pk for c in ("BS-S2", "TN-S1", "TN-S2")})
    assert changed == {live_event[c].pk for c in ("BS-S2", "TN-S1", "TN-S2")}
    assert set(kept.arrived) == changed and all(n == 1 for n in kept.arrived.values())
    fresh = board.EventBoard.load(event.pk)
    assert kept.tiles(None) == fresh.tiles(None)
    assert_counters_exact(kept, event.pk, scopes(live_event))


@pytest.mark.django_db
def test_a_district_snapshot_reads_and_holds_only_that_district(live_event, make_user, client):
    event, district = live_event["event"], live_event["BS"]
    scoped = board.EventBoard.load(event.pk, district.path)
    assert set(scoped.bridges) == {live_event["BS-S1"].pk, live_event["BS-S2"].pk}  # not the host, not TN
    whole = board.EventBoard.load(event.pk)
    mine, theirs = scoped.snapshot(district.path), whole.snapshot(district.path)
    for key in ("groups", "tiles", "counters", "roll_calls", "feed"):
        assert mine[key] == theirs[key], key

    officer = make_user("bs-officer", Role.Kind.DISTRICT_OFFICER, scope=district)
    client.force_login(officer)
    plain = client.get(f"/api/attendance/events/{event.pk}/board")
    assert plain.status_code == 200 and plain["Content-Type"].startswith("application/json")
    assert "Trường BS 1".encode() in plain.content  # UTF-8 as it is, not \\u-escaped
    snap = plain.json()
    assert {t["code"] for t in snap["tiles"]} == {"BS-S1", "BS-S2"}
    assert snap["counters"] == mine["counters"]
    zipped = client.get(f"/api/attendance/events/{event.pk}/board", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    unzipped = json.loads(gzip.decompress(zipped.content))
    assert {t["code"] for t in unzipped["tiles"]} == {"BS-S1", "BS-S2"}


@pytest.mark.django_db
def test_the_online_sweep_finds_consoles_gone_silent_and_back(live_event):
    event, s1 = live_event["event"], live_event["BS-S1"]
    kept = board.EventBoard.load(event.pk)
    kept.counters(None)
    assert kept.online_drift() == set()
    # Heartbeats stop: nobody announces it; the interval's last sign of life grows old.
    old = timezone.now() - timedelta(seconds=board.ONLINE_STALE_SECONDS + 5)
    ConnectionInterval.objects.filter(bridge=s1).update(last_seen_at=old)
    assert kept.online_drift() == {s1.pk}
    assert kept.refresh(kept.online_drift()) == {s1.pk}
    assert kept.bridges[s1.pk].state == board.OFFLINE
    assert_counters_exact(kept, event.pk, scopes(live_event))
    ConnectionInterval.objects.filter(bridge=s1).update(last_seen_at=timezone.now())  # heartbeats again
    assert kept.online_drift() == {s1.pk}
    kept.refresh(kept.online_drift())
    assert kept.bridges[s1.pk].state == board.CHECKED_IN and kept.online_drift() == set()
    assert_counters_exact(kept, event.pk, scopes(live_event))


@pytest.mark.services
@pytest.mark.usefixtures("ws_db")
async def test_frames_counters_equal_a_fresh_load_after_ticks(live_event, organizer, make_user):
    """Through the coalescer: after several frames of check-ins and a console connecting, the last frame's
    counters of each scope are those of a board loaded afresh."""
    event, roll_call = live_event["event"], live_event["roll_call"]
    officer = await database_sync_to_async(make_user)("tn", Role.Kind.DISTRICT_OFFICER, scope=live_event["TN"])
    org = await connect_board(event.pk, await database_sync_to_async(session_cookie)(organizer))
    tn = await connect_board(event.pk, await database_sync_to_async(session_cookie)(officer))
    people = await database_sync_to_async(
        lambda: list(live_event["BS-S2"].people.all()) + list(live_event["TN-S1"].people.all()))()

    def tick(person):
        with transaction.atomic():
            CheckIn.objects.create(roll_call=roll_call, person=person, bridge=person.bridge, at=timezone.now(),
                                   method="tick")
            live.bridges_changed(event.pk, [person.bridge_id])

    for person in people:
        await database_sync_to_async(tick)(person)
    await database_sync_to_async(bridge_checkin.check_in)(live_event["TN-S2"], event)
    token = live_event["TN-S2"].console_token
    await database_sync_to_async(connections.console_connected)(token, "c-1")
    expected = 2 + len(people)
    await frames_until(org, lambda f: f["counters"]["total"]["present"].get(str(roll_call.pk)) == expected
                       and f["counters"]["total"]["online"] == 2)
    last_tn = (await frames_until(tn, lambda f: f["counters"]["total"]["online"] == 1
                                  and f["counters"]["total"]["checked_in"] == 1))[-1]
    while not await org.receive_nothing(timeout=0.6):
        await receive_frame(org)
    fresh = await database_sync_to_async(board.EventBoard.load)(event.pk)
    snap_org = await database_sync_to_async(lambda: fresh.counters(None))()
    snap_tn = await database_sync_to_async(lambda: fresh.counters(live_event["TN"].path))()
    kept = Coalescer.active(event.pk).board
    assert kept.counters(None) == snap_org
    assert last_tn["counters"] == snap_tn
    await org.disconnect()
    await tn.disconnect()


@pytest.mark.services
@pytest.mark.usefixtures("ws_db")
async def test_a_snapshot_comes_from_the_board_in_memory_while_one_runs_here(live_event, organizer, make_user):
    """With a board connected to this process, the snapshot API answers from the coalescer's board (no roster
    or invitation read), equal to one read from the rows, stamped just after the frame it shows."""
    event = live_event["event"]
    officer = await database_sync_to_async(make_user)("bs", Role.Kind.DISTRICT_OFFICER, scope=live_event["BS"])
    org = await connect_board(event.pk, await database_sync_to_async(session_cookie)(organizer))
    s2 = live_event["BS-S2"]
    await database_sync_to_async(bridge_checkin.check_in)(s2, event)
    frame = (await frames_until(org, lambda f: any(t["id"] == s2.pk for t in f.get("tiles", []))))[-1]

    def read(user):
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(f"/api/attendance/events/{event.pk}/board")
        assert answer.status_code == 200
        return answer.json(), [q["sql"] for q in queries]

    for user, path in ((organizer, None), (officer, live_event["BS"].path)):
        snap, sql = await database_sync_to_async(read)(user)
        assert not any("bridges_person" in q or "events_invitation" in q for q in sql), "read from the rows"
        fresh = await database_sync_to_async(lambda p=path: board.EventBoard.load(event.pk, p).snapshot(p))()
        for key in ("groups", "tiles", "counters", "roll_calls"):
            assert snap[key] == fresh[key], key
        assert snap["generated_at"] > frame["generated_at"]
        assert snap["event"]["status"] == event.status
    await org.disconnect()
