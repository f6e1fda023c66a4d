"""The live board: state rule, snapshot and its scope, and coalesced deltas over /ws/board/<id>/."""

import asyncio
import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance import board
from attendance.models import BridgeCheckIn, CheckIn, ConnectionInterval, RollCall
from attendance.services import bridge_checkin
from bridges.models import Role
from config.asgi import application
from events.models import Event, Invitation, Session


@pytest.fixture
def live_event(small_tree):
    """A live event: BS-S1 checked in and online with 2 teachers present, BS-S2 confirmed but absent,
    TN-S1 invited and went silent, TN-S2 declined; one roll call open."""
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=3))
    session = Session.objects.create(event=event, title="Khai mạc", starts_at=event.starts_at, ends_at=event.ends_at)
    statuses = {"BS-S1": "confirmed", "BS-S2": "tested_ok", "TN-S1": "invited", "TN-S2": "declined"}
    for code, status in statuses.items():
        Invitation.objects.create(event=event, bridge=small_tree[code], status=status,
                                  expected_participants=10 if code == "BS-S2" else None)
    s1, tn1 = small_tree["BS-S1"], small_tree["TN-S1"]
    ConnectionInterval.objects.create(event=event, bridge=s1, source="console", started_at=now, last_seen_at=now)
    ConnectionInterval.objects.create(event=event, bridge=tn1, source="console", started_at=now - timedelta(minutes=9),
                                      last_seen_at=now - timedelta(minutes=5))
    BridgeCheckIn.objects.create(event=event, bridge=s1, checked_in_at=now, headcount=20)
    roll_call = RollCall.objects.create(session=session, label="Đầu buổi", opened_at=now - timedelta(minutes=1),
                                        closes_at=now + timedelta(minutes=4))
    for person in list(s1.people.all())[:2]:
        CheckIn.objects.create(roll_call=roll_call, person=person, bridge=s1, at=now, method="tick")
    return {"event": event, "roll_call": roll_call, **small_tree}


def tile_of(snapshot, code):
    return next(t for t in snapshot["tiles"] if t["code"] == code)


@pytest.mark.parametrize("online, checked_in, ever, confirmed, expected", [
    (True, True, True, True, board.CHECKED_IN),
    (True, False, True, False, board.ONLINE),
    (False, True, True, True, board.OFFLINE),
    (False, False, True, True, board.OFFLINE),
    (False, False, False, True, board.CONFIRMED),
    (False, False, False, False, board.NOT_CONFIRMED),
])
def test_one_rule_colours_a_tile(online, checked_in, ever, confirmed, expected):
    assert board.bridge_state(confirmed=confirmed, online=online, checked_in=checked_in, ever_connected=ever) == expected


def test_expected_teachers_prefers_invitation_then_bridge_then_roster():
    assert board.expected_teachers(12, 30, 40) == 12
    assert board.expected_teachers(None, 30, 40) == 30
    assert board.expected_teachers(None, 0, 40) == 40


@pytest.mark.django_db
def test_snapshot_states_counters_and_missing(live_event):
    snap = board.snapshot(live_event["event"].pk, None)
    assert tile_of(snap, "BS-S1")["state"] == board.CHECKED_IN
    assert tile_of(snap, "BS-S2")["state"] == board.CONFIRMED
    assert tile_of(snap, "TN-S1")["state"] == board.OFFLINE  # its console went silent 5 minutes ago
    assert tile_of(snap, "TN-S2")["state"] == board.NOT_CONFIRMED
    assert tile_of(snap, "IOC")["state"] == board.CONFIRMED  # the host is always on the board
    total = snap["counters"]["total"]
    rc = str(live_event["roll_call"].pk)
    assert (total["invited"], total["online"], total["checked_in"], total["headcount"]) == (5, 1, 1, 20)
    assert total["present"] == {rc: 2}
    assert total["expected"] == 3 + 10 + 3 + 3 + 0  # bridge default, invitation override, host has none
    groups = {g["code"]: g for g in snap["counters"]["groups"]}
    assert set(groups) == {"BS", "TN", "IOC"}
    assert groups["BS"]["present"] == {rc: 2} and groups["BS"]["expected"] == 13
    missing = {t["code"] for t in snap["tiles"] if t["missing"]}
    assert missing == {"BS-S2", "IOC"}  # confirmed yet absent; TN-S1 never confirmed
    assert tile_of(snap, "BS-S2")["phone"] == "0905000000"
    assert snap["roll_calls"][0]["open"] is True
    kinds = [item["kind"] for item in snap["feed"]]
    assert "checkin" in kinds and "connected" in kinds and "roll_call_opened" in kinds
    checkin_line = next(i for i in snap["feed"] if i["kind"] == "checkin")
    assert checkin_line["count"] == 2 and checkin_line["bridge"] == live_event["BS-S1"].name


@pytest.mark.django_db
def test_district_officer_snapshot_covers_only_the_district(live_event, make_user, client):
    officer = make_user("bs-officer", Role.Kind.DISTRICT_OFFICER, scope=live_event["BS"])
    client.force_login(officer)
    resp = client.get(reverse("attendance:board_snapshot", args=[live_event["event"].pk]))
    assert resp.status_code == 200
    snap = resp.json()
    assert {t["code"] for t in snap["tiles"]} == {"BS-S1", "BS-S2"}
    assert [g["code"] for g in snap["groups"]] == ["BS"]
    assert snap["counters"]["total"]["invited"] == 2
    assert all(item.get("bridge_id") in (None, live_event["BS-S1"].pk, live_event["BS-S2"].pk) for item in snap["feed"])
    api = client.get(f"/api/attendance/events/{live_event['event'].pk}/board")
    assert api.status_code == 200 and {t["code"] for t in api.json()["tiles"]} == {"BS-S1", "BS-S2"}


@pytest.mark.django_db
def test_snapshot_refuses_anonymous_and_roleless(live_event, make_user, client):
    url = reverse("attendance:board_snapshot", args=[live_event["event"].pk])
    assert client.get(url).status_code == 403
    client.force_login(make_user("nobody"))
    assert client.get(url).status_code == 403
    assert client.get(f"/api/attendance/events/{live_event['event'].pk}/board").status_code == 403
    assert client.get(reverse("attendance:board", args=[live_event["event"].pk])).status_code == 403


@pytest.mark.django_db
def test_board_page_shows_launch_button_to_organizers_only(live_event, organizer, make_user, client):
    url = reverse("attendance:board", args=[live_event["event"].pk])
    client.force_login(organizer)
    page = client.get(url).content.decode()
    assert 'id="launch-button"' in page and 'id="board-snapshot"' in page
    client.force_login(make_user("official", Role.Kind.OFFICIAL))
    page = client.get(url)
    assert page.status_code == 200 and 'id="launch-button"' not in page.content.decode()


@pytest.mark.django_db
def test_a_frame_costs_a_fixed_number_of_queries(live_event):
    live_board = board.EventBoard.load(live_event["event"].pk)
    ids = [live_event[c].pk for c in ("BS-S1", "BS-S2", "TN-S1", "TN-S2")]
    with CaptureQueriesContext(connection) as one:
        live_board.refresh({ids[0]})
    with CaptureQueriesContext(connection) as four:
        changed = live_board.refresh(set(ids))
    assert len(one) == len(four) <= 5
    assert changed == set()  # nothing moved since the load


# --- websocket -------------------------------------------------------------------------------


def close_everything():
    """Connections of this thread, and the PostgreSQL pool the worker threads returned theirs to."""
    connections.close_all()
    for conn in connections.all():
        if hasattr(conn, "close_pool"):
            conn.close_pool()

@pytest.fixture
async def ws_db(transactional_db):
    """Consumers reach the database from a worker thread; close its connection so the test DB can be dropped."""
    yield
    await database_sync_to_async(close_everything)()


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def board_socket(event_id: int, cookie: bytes | None = None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver")]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"/ws/board/{event_id}/", headers=headers)


async def receive_frame(communicator, timeout=3):
    return json.loads(await communicator.receive_from(timeout=timeout))


async def connect_board(event_id, cookie):
    communicator = board_socket(event_id, cookie)
    connected, _ = await communicator.connect()
    assert connected
    hello = await receive_frame(communicator)
    assert hello["type"] == "hello" and hello["seq"] == 0
    return communicator


async def frames_until(communicator, predicate, timeout=4.0):
    """Frames received until one satisfies predicate (all of them, in order)."""
    frames = []
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"no matching frame in {timeout}s; got {frames}"
        frame = await receive_frame(communicator, timeout=left)
        frames.append(frame)
        if predicate(frame):
            return frames


@pytest.mark.services
@pytest.mark.usefixtures("ws_db")
async def test_anonymous_and_roleless_boards_are_closed_with_4403(live_event, make_user):
    communicator = board_socket(live_event["event"].pk)
    await communicator.connect()
    assert (await communicator.receive_output(timeout=2))["code"] == 4403
    roleless = await database_sync_to_async(make_user)("nobody")
    communicator = board_socket(live_event["event"].pk, await database_sync_to_async(session_cookie)(roleless))
    await communicator.connect()
    assert (await communicator.receive_output(timeout=2))["code"] == 4403


@pytest.mark.services
@pytest.mark.usefixtures("ws_db")
async def test_a_bridge_check_in_reaches_the_boards_that_cover_it(live_event, organizer, make_user):
    event = live_event["event"]
    tn_officer = await database_sync_to_async(make_user)("tn", Role.Kind.DISTRICT_OFFICER, scope=live_event["TN"])
    org = await connect_board(event.pk, await database_sync_to_async(session_cookie)(organizer))
    tn = await connect_board(event.pk, await database_sync_to_async(session_cookie)(tn_officer))

    s2 = live_event["BS-S2"].pk
    await database_sync_to_async(bridge_checkin.check_in)(live_event["BS-S2"], event)
    frames = await frames_until(org, lambda f: any(t["id"] == s2 for t in f.get("tiles", [])))
    frame = frames[-1]
    assert [f["seq"] for f in frames] == list(range(1, len(frames) + 1))
    tile = next(t for t in frame["tiles"] if t["id"] == s2)
    assert tile["state"] == board.OFFLINE and tile["checked_in"]  # checked in, console not connected
    assert "name" not in tile and "phone" not in tile  # deltas carry the live fields only
    assert frame["counters"]["total"]["checked_in"] == 2
    assert any(i["kind"] == "bridge_checkin" and i["bridge"] == live_event["BS-S2"].name for i in frame["feed"])
    assert await tn.receive_nothing(timeout=0.6)  # not in the TN officer's scope

    await database_sync_to_async(bridge_checkin.check_in)(live_event["TN-S2"], event)
    frame = await receive_frame(tn)
    assert frame["seq"] == 1 and [t["id"] for t in frame["tiles"]] == [live_event["TN-S2"].pk]
    assert frame["counters"]["total"]["invited"] == 2 and frame["counters"]["total"]["checked_in"] == 1
    await org.disconnect()
    await tn.disconnect()


@pytest.mark.services
@pytest.mark.usefixtures("ws_db")
async def test_a_burst_of_check_ins_is_coalesced_into_few_frames(live_event, organizer):
    event, roll_call = live_event["event"], live_event["roll_call"]
    org = await connect_board(event.pk, await database_sync_to_async(session_cookie)(organizer))
    people = await database_sync_to_async(
        lambda: list(live_event["BS-S2"].people.all()) + list(live_event["TN-S1"].people.all())
    )()

    def burst():
        from django.db import transaction

        from attendance import live
        from attendance.messages import FeedLine
        from attendance.services.timing import epoch_ms
        for person in people:
            with transaction.atomic():
                CheckIn.objects.create(roll_call=roll_call, person=person, bridge=person.bridge, at=timezone.now(),
                                       method="tick")
                live.bridges_changed(event.pk, [person.bridge_id], feed=FeedLine(
                    kind="checkin", at=epoch_ms(timezone.now()), bridge_id=person.bridge_id))

    await database_sync_to_async(burst)()
    expected_total = 2 + len(people)
    frames = await frames_until(
        org, lambda f: f["counters"]["total"]["present"].get(str(roll_call.pk)) == expected_total
    )
    assert len(frames) <= 3, f"{len(people)} check-ins gave {len(frames)} frames"
    # The counts come from the database and may run ahead of the notifications' feed lines.
    while not await org.receive_nothing(timeout=0.8):
        frames.append(await receive_frame(org))
    assert len(frames) <= 4
    lines = [i for f in frames for i in f["feed"] if i["kind"] == "checkin"]
    assert sum(i["count"] for i in lines) == len(people) and len(lines) <= 2 * len(frames)
    await org.disconnect()


@pytest.mark.services
@pytest.mark.usefixtures("ws_db")
async def test_board_answers_clock_probes(live_event, organizer):
    org = await connect_board(live_event["event"].pk, await database_sync_to_async(session_cookie)(organizer))
    before = board.now_ms()
    await org.send_json_to({"type": "clock", "t0": 123})
    reply = await receive_frame(org)
    assert reply["type"] == "clock" and reply["t0"] == 123 and before <= reply["server"] <= board.now_ms()
    await org.disconnect()


@pytest.mark.services
@pytest.mark.usefixtures("ws_db")
async def test_a_bridge_invited_during_the_event_makes_boards_reload(live_event, organizer):
    event, district = live_event["event"], live_event["BS"]
    org = await connect_board(event.pk, await database_sync_to_async(session_cookie)(organizer))

    def invite_and_check_in():
        Invitation.objects.create(event=event, bridge=district, status=Invitation.Status.CONFIRMED)
        bridge_checkin.check_in(district, event)

    await database_sync_to_async(invite_and_check_in)()
    frames = await frames_until(org, lambda f: f.get("resync"))
    assert frames[-1]["counters"]["total"]["invited"] == 6
    await org.disconnect()
