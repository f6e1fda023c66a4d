"""The board's feed summarises check-ins per bridge and per minute ("Trường X: +23 giáo viên"), in the snapshot
(counted in the database) and in the live frames (counted from the rows each frame re-reads, so a batch
bigger than a message's feed lines still adds up), never one line per teacher.

Real layers: teachers' scans through attendance.services.teacher_checkin, the snapshot over HTTP, frames
over /ws/board/<id>/ with Channels' communicator."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import timezone

from attendance import live
from attendance.board import state as board
from attendance.models import CheckIn, RollCall
from attendance.services import qr
from attendance.services.teacher_checkin import Scan, write_scans
from bridges.models import Bridge, Person
from events.models import Event, Invitation, Session
from tests.test_board import connect_board, frames_until, receive_frame, session_cookie, ws_db  # noqa: F401

SCHOOLS, TEACHERS = 10, 5


@pytest.fixture
def province(small_tree):
    """Ten schools of five teachers under BS, all confirmed, a roll call open."""
    now = timezone.now()
    district, school_tier = small_tree["BS"], small_tree["BS-S1"].tier
    schools = []
    for n in range(SCHOOLS):
        school = Bridge.objects.create(code=f"BS-X{n:02d}", name=f"Trường X{n:02d}", tier=school_tier, parent=district)
        for k in range(TEACHERS):
            Person.objects.create(bridge=school, full_name=f"Giáo viên X{n:02d}{k}", teacher_id=f"9{n:02d}{k}")
        schools.append(school)
    event = Event.objects.create(title="Tập huấn", host=small_tree["host"], status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2))
    session = Session.objects.create(event=event, title="Buổi sáng", starts_at=event.starts_at, ends_at=event.ends_at)
    for school in schools:
        Invitation.objects.create(event=event, bridge=school, status=Invitation.Status.CONFIRMED)
    roll_call = RollCall.objects.create(session=session, label="Đầu giờ", opened_at=now - timedelta(minutes=1),
                                        closes_at=now + timedelta(minutes=5))
    return {"event": event, "roll_call": roll_call, "schools": schools, **small_tree}


def scans_of(roll_call, people, prefix):
    scans = []
    for k, person in enumerate(people):
        code = qr.current_token(roll_call, person.bridge_id)
        scans.append(Scan(code, page_token=qr.make_page_token(qr.authenticate(code)), identifier=person.teacher_id,
                          nonce=f"{prefix}-{k:05d}", client_key=f"phone-{prefix}-{k}"))
    return scans


@pytest.mark.django_db
def test_the_snapshot_has_one_line_per_bridge_and_minute(client, organizer, province):
    roll_call, (first, second) = province["roll_call"], province["schools"][:2]
    answers = write_scans(scans_of(roll_call, [*first.people.all(), *second.people.all()[:2]], "snap"))
    assert all(a.status == 201 for a in answers)
    # Two of the first school's teachers came a minute earlier.
    earlier = list(CheckIn.objects.filter(bridge=first).order_by("pk")[:2].values_list("pk", flat=True))
    CheckIn.objects.filter(pk__in=earlier).update(received_at=timezone.now() - timedelta(minutes=1, seconds=5))

    client.force_login(organizer)
    snapshot = client.get(reverse("attendance:board_snapshot", args=[province["event"].pk])).json()
    checkins = [line for line in snapshot["feed"] if line["kind"] == "checkin"]
    # 7 teachers, 3 lines: this minute's 3 at the first school and 2 at the second, the earlier minute's 2.
    assert sorted((line["bridge"], line["count"]) for line in checkins) == [
        (first.name, 2), (first.name, 3), (second.name, 2)]
    assert [line["at"] for line in checkins] == sorted((line["at"] for line in checkins), reverse=True)
    assert checkins[-1]["bridge"] == first.name and checkins[-1]["count"] == 2
    assert len({line["at"] // board.MINUTE_MS for line in snapshot["feed"] if line["bridge"] == first.name}) == 2


def test_summarise_merges_per_bridge_and_minute_only():
    minute = 28_000_000 * board.MINUTE_MS
    items = [{"kind": "checkin", "bridge_id": 1, "at": minute + 50_000, "count": 1},
             {"kind": "bridge_checkin", "bridge_id": 2, "at": minute + 40_000, "count": 1},
             {"kind": "checkin", "bridge_id": 1, "at": minute + 10_000, "count": 4},
             {"kind": "checkin", "bridge_id": 2, "at": minute + 5_000, "count": 1},
             {"kind": "checkin", "bridge_id": 1, "at": minute - 1_000, "count": 2}]
    assert [(i["kind"], i["bridge_id"], i["count"], i["at"]) for i in board.summarise_checkins(items)] == [
        ("checkin", 1, 5, minute + 50_000), ("bridge_checkin", 2, 1, minute + 40_000),
        ("checkin", 2, 1, minute + 5_000), ("checkin", 1, 2, minute - 1_000)]


@pytest.mark.services
@pytest.mark.usefixtures("ws_db")
async def test_a_frame_carries_summaries_that_add_up_beyond_a_messages_lines(province, organizer):
    event, roll_call, schools = province["event"], province["roll_call"], province["schools"]
    org = await connect_board(event.pk, await database_sync_to_async(session_cookie)(organizer))
    people = await database_sync_to_async(lambda: [p for s in schools for p in s.people.order_by("pk")])()
    assert len(people) == SCHOOLS * TEACHERS > live.FEED_LIMIT  # one message carries at most FEED_LIMIT lines

    scans = await database_sync_to_async(scans_of)(roll_call, people, "ws")
    answers = await database_sync_to_async(write_scans)(scans)
    assert all(a.status == 201 for a in answers)
    frames = await frames_until(org, lambda f: f["type"] == "delta"
                                and f["counters"]["total"]["present"].get(str(roll_call.pk)) == len(people))
    while not await org.receive_nothing(timeout=0.6):
        frames.append(await receive_frame(org))
    lines = [line for frame in frames for line in frame["feed"] if line["kind"] == "checkin"]
    per_bridge = {}
    for line in lines:
        per_bridge[line["bridge"]] = per_bridge.get(line["bridge"], 0) + line["count"]
    assert per_bridge == {school.name: TEACHERS for school in schools}
    # A summary per bridge and frame, never a line per teacher.
    assert len(lines) <= SCHOOLS * len(frames) and all(line["count"] >= 1 for line in lines)
    assert max(line["count"] for line in lines) > 1
    await org.disconnect()
