"""Board fan-out whose cost does not grow with boards (issue 13): each tick builds one frame per scope,
serialized once, and every board of that scope gets the same text (its own sequence number in front)."""

import json
import re

import pytest
from channels.db import database_sync_to_async

from attendance.board.coalescer import Coalescer
from attendance.services import bridge_checkin
from bridges.models import Role
from tests.test_board import connect_board, live_event, session_cookie, ws_db  # noqa: F401 - fixtures

SEQ = re.compile(r'^\{"seq":(\d+),')


async def raw_until(communicator, bridge_id: int, timeout: float = 4.0) -> str:
    """The text of the first frame whose tiles include this bridge (earlier ones skipped)."""
    while True:
        text = await communicator.receive_from(timeout=timeout)
        if any(t["id"] == bridge_id for t in json.loads(text).get("tiles", [])):
            return text


@pytest.mark.services
@pytest.mark.usefixtures("ws_db")
async def test_boards_of_one_scope_get_one_serialization_per_tick_as_the_same_text(live_event, organizer,  # noqa: F811
                                                                                   make_user, monkeypatch):
    built = []
    body = Coalescer._body

    def counted(self, scope_path, *args, **kwargs):
        text = body(self, scope_path, *args, **kwargs)
        built.append(scope_path)
        return text

    monkeypatch.setattr(Coalescer, "_body", counted)
    event = live_event["event"]
    organizer_cookie = await database_sync_to_async(session_cookie)(organizer)
    officer = await database_sync_to_async(make_user)("bs", Role.Kind.DISTRICT_OFFICER, scope=live_event["BS"])
    officer_cookie = await database_sync_to_async(session_cookie)(officer)
    organizers = [await connect_board(event.pk, organizer_cookie) for _ in range(6)]
    officers = [await connect_board(event.pk, officer_cookie) for _ in range(3)]
    coalescer = Coalescer.active(event.pk)
    ticks, built[:] = coalescer.frames, []

    s2 = live_event["BS-S2"].pk  # in both scopes
    await database_sync_to_async(bridge_checkin.check_in)(live_event["BS-S2"], event)
    texts = [await raw_until(b, s2) for b in organizers + officers]

    # The same bytes after each board's own sequence number, per scope; the two scopes' frames differ.
    bodies = [SEQ.sub("{", text) for text in texts]
    assert all(SEQ.match(text) for text in texts)
    assert len(set(bodies[:6])) == 1 and len(set(bodies[6:])) == 1
    assert bodies[0] != bodies[6]
    # One serialization per scope per tick, not per board: 9 boards, 2 scopes.
    frames = coalescer.frames - ticks
    assert frames >= 1
    assert len(built) == 2 * frames, (built, frames)
    assert len(set(built)) == 2
    for communicator in organizers + officers:
        await communicator.disconnect()
