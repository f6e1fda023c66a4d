"""The board in group mode (issue 13): a scope of more bridges than settings.BOARD_TILES_MAX (a nation's
organizer) gets every group's counters and the tiles of the one group it looks at (`?group=<code>` on the
snapshot and the socket, or a "view" message), frames carry the counters of the groups that moved and the
viewed group's tiles only; a scope at or below the limit is served as always. The live event of
tests/test_board.py has 5 bridges in 3 groups (IOC, BS, TN): a limit of 3 puts the organizer in group mode,
a district officer (2 bridges) not."""
# ruff: noqa: F811 - the fixtures are test_board's, imported by name and taken as arguments

import gzip
import json
import re

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance import board
from attendance.board.coalescer import Coalescer
from attendance.services import bridge_checkin
from bridges.models import Role
from config.asgi import application
from tests.test_board import (  # noqa: F401 - fixtures and helpers
    frames_until,
    live_event,
    receive_frame,
    session_cookie,
    ws_db,
)

SMALL_LIMIT = 3


@pytest.fixture
def small_limit(settings):
    settings.BOARD_TILES_MAX = SMALL_LIMIT


def api(client, event, **query):
    return client.get(f"/api/attendance/events/{event.pk}/board", query)


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_a_scope_above_the_limit_gets_group_counters_and_the_tiles_of_the_group_asked_for(live_event, organizer,
                                                                                           client):
    event = live_event["event"]
    whole = board.EventBoard.load(event.pk)
    client.force_login(organizer)
    bare = api(client, event).json()
    assert bare["mode"] == "groups" and bare["group"] is None and bare["tiles"] == []
    assert [g["code"] for g in bare["groups"]] == [g["code"] for g in whole.scoped_groups(None)]
    assert bare["counters"] == whole.counters(None)  # every group's counters, as a full board has them
    assert bare["counters"]["total"]["invited"] == 5

    viewed = api(client, event, group="BS").json()
    assert viewed["group"] == live_event["BS"].pk
    assert [t["code"] for t in viewed["tiles"]] == ["BS-S1", "BS-S2"]
    assert viewed["tiles"] == [b.tile() for b in whole.visible(None) if b.group_id == live_event["BS"].pk]
    assert viewed["counters"] == bare["counters"]
    assert api(client, event, group="NO-SUCH").json()["tiles"] == []

    zipped = client.get(f"/api/attendance/events/{event.pk}/board", {"group": "TN"}, HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert {t["code"] for t in json.loads(gzip.decompress(zipped.content))["tiles"]} == {"TN-S1", "TN-S2"}
    page_json = client.get(reverse("attendance:board_snapshot", args=[event.pk]), {"group": "TN"}).json()
    assert page_json["mode"] == "groups" and {t["code"] for t in page_json["tiles"]} == {"TN-S1", "TN-S2"}
    page = client.get(reverse("attendance:board", args=[event.pk]), {"group": "BS"}).content.decode()
    inline = json.loads(re.search(r'<script id="board-snapshot" type="application/json">(.*?)</script>', page).group(1))
    assert inline["mode"] == "groups" and {t["code"] for t in inline["tiles"]} == {"BS-S1", "BS-S2"}


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_a_scope_within_the_limit_gets_every_tile_whatever_group_it_asks_for(live_event, make_user, client):
    event = live_event["event"]
    client.force_login(make_user("bs-officer", Role.Kind.DISTRICT_OFFICER, scope=live_event["BS"]))
    snap = api(client, event, group="TN").json()
    assert snap["mode"] == "tiles" and snap["group"] is None
    assert {t["code"] for t in snap["tiles"]} == {"BS-S1", "BS-S2"}


@pytest.mark.django_db
def test_at_the_default_limit_a_small_event_is_served_whole(live_event, organizer, client):
    client.force_login(organizer)
    snap = api(client, live_event["event"], group="BS").json()
    assert snap["mode"] == "tiles" and len(snap["tiles"]) == 5


@pytest.mark.services
@pytest.mark.django_db
def test_a_frames_live_read_is_one_statement_on_postgresql(live_event):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement read is PostgreSQL's (elsewhere ids go in IN lists, in chunks)")
    kept = board.EventBoard.load(live_event["event"].pk)
    ids = {live_event[c].pk for c in ("BS-S1", "BS-S2", "TN-S1", "TN-S2")}
    bridge_checkin.check_in(live_event["TN-S2"], live_event["event"])
    with CaptureQueriesContext(connection) as queries:
        changed = kept.refresh(ids)
    live_reads = [q["sql"] for q in queries if "attendance_checkin" in q["sql"] or "attendance_bridgecheckin" in q["sql"]]
    assert len(live_reads) == 1 and "FULL JOIN" in live_reads[0]  # a row per bridge (EventBoard._live_statement)
    assert changed == {live_event["TN-S2"].pk}
    fresh = board.EventBoard.load(live_event["event"].pk)
    assert kept.tiles(None) == fresh.tiles(None) and kept.counters(None) == fresh.counters(None)


@pytest.mark.services
@pytest.mark.usefixtures("ws_db", "small_limit")
async def test_group_mode_frames_carry_moved_groups_and_the_viewed_groups_tiles(live_event, organizer):
    event, bs, tn = live_event["event"], live_event["BS"], live_event["TN"]
    cookie = await database_sync_to_async(session_cookie)(organizer)
    viewing_bs = await open_board(event.pk, cookie, "?group=BS")
    hello = viewing_bs.hello
    assert hello["group"] == "BS" and hello["snapshot_url"].endswith("?group=BS")
    nothing_viewed = await open_board(event.pk, cookie)
    assert nothing_viewed.hello["group"] is None

    await database_sync_to_async(bridge_checkin.check_in)(live_event["TN-S2"], event)  # TN moves, BS does not
    frame = (await frames_until(viewing_bs, lambda f: f["type"] == "delta"))[-1]
    assert frame["mode"] == "groups" and frame["group"] == bs.pk
    assert frame["tiles"] == []  # TN-S2 is not in the group this board looks at
    assert [g["code"] for g in frame["counters"]["groups"]] == ["TN"]
    assert frame["counters"]["total"]["checked_in"] == 2
    fresh = await database_sync_to_async(lambda: board.EventBoard.load(event.pk).counters(None))()
    assert frame["counters"]["groups"][0] == next(g for g in fresh["groups"] if g["code"] == "TN")
    assert frame["counters"]["total"] == fresh["total"]
    other = (await frames_until(nothing_viewed, lambda f: f["type"] == "delta"))[-1]
    assert other["group"] is None and other["tiles"] == [] and other["counters"] == frame["counters"]

    await database_sync_to_async(bridge_checkin.check_in)(live_event["BS-S2"], event)
    frame = (await frames_until(viewing_bs, lambda f: f["counters"]["total"]["checked_in"] == 3))[-1]
    assert [t["id"] for t in frame["tiles"]] == [live_event["BS-S2"].pk] and "name" not in frame["tiles"][0]
    assert [g["code"] for g in frame["counters"]["groups"]] == ["BS"]
    other = (await frames_until(nothing_viewed, lambda f: f["counters"]["total"]["checked_in"] == 3))[-1]
    assert other["tiles"] == []

    # The board picks another group: a hello numbered where its frames stand, then TN's tiles.
    seq = frame["seq"]
    await viewing_bs.send_json_to({"type": "view", "group": "TN"})
    again = await receive_frame(viewing_bs)
    assert again["type"] == "hello" and again["seq"] == seq and again["group"] == "TN"
    assert again["snapshot_url"].endswith("?group=TN")
    await database_sync_to_async(bridge_checkin.set_headcount)(live_event["TN-S2"], event, 7)
    frame = (await frames_until(viewing_bs, lambda f: f["type"] == "delta" and f["tiles"]))[-1]
    assert frame["seq"] > seq and frame["group"] == tn.pk
    assert [(t["id"], t["headcount"]) for t in frame["tiles"]] == [(live_event["TN-S2"].pk, 7)]

    # The snapshot it then loads (the hello's URL, and the API's) comes from the board in memory (no roster or
    # invitation read): TN's tiles, as one read from the rows.
    def read(url):
        client = Client()
        client.force_login(organizer)
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(url)
        assert answer.status_code == 200
        assert not any("bridges_person" in q["sql"] or "events_invitation" in q["sql"] for q in queries)
        return answer.json()

    assert Coalescer.active(event.pk) is not None
    rows = await database_sync_to_async(lambda: board.snapshot(event.pk, None, "TN"))()
    for url in (again["snapshot_url"], f"/api/attendance/events/{event.pk}/board?group=TN"):
        snap = await database_sync_to_async(read)(url)
        assert snap["group"] == tn.pk and {t["code"] for t in snap["tiles"]} == {"TN-S1", "TN-S2"}
        for key in ("mode", "group", "groups", "tiles", "counters"):
            assert snap[key] == rows[key], (url, key)
    await viewing_bs.disconnect()
    await nothing_viewed.disconnect()


async def open_board(event_id, cookie, query=""):
    """A board socket (with `query`, e.g. "?group=BS") after its hello, kept as `.hello`."""
    communicator = WebsocketCommunicator(application, f"/ws/board/{event_id}/{query}",
                                         headers=[(b"origin", b"http://testserver"), (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    assert connected
    communicator.hello = await receive_frame(communicator)
    assert communicator.hello["type"] == "hello" and communicator.hello["seq"] == 0
    return communicator
