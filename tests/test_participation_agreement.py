"""Confirmed, tested, declined and the console's current event mean one thing on every surface.

The readiness page, the board, the reports and the school console (page, video, live state and
websocket) all read events.participation; these tests put the cases that used to disagree through
each surface's real layer and compare what they say.
"""

import json
from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from events.models import Event, Invitation
from events.services import console_confirm, console_decline, record_readiness

PASSING = {"rtt_ms": 40, "download_mbps": 20, "camera": "ok", "microphone": "ok", "jitsi_reachable": True}
FAILING = {**PASSING, "download_mbps": 0.5}


@pytest.fixture
def live_event(small_tree, organizer):
    now = timezone.now()
    event = Event.objects.create(title="Tập huấn", kind=Event.Kind.TRAINING, status=Event.Status.LIVE,
                                 host=small_tree["host"], starts_at=now - timedelta(hours=1),
                                 ends_at=now + timedelta(hours=2))
    failed = Invitation.objects.create(event=event, bridge=small_tree["BS-S1"])
    console_confirm(failed)
    record_readiness(failed, FAILING)  # confirmed, then the test failed
    declined = Invitation.objects.create(event=event, bridge=small_tree["BS-S2"])
    record_readiness(declined, PASSING)  # passed a test, then declined
    console_decline(declined, "Mất điện")
    return event


def test_the_cases_reach_the_statuses_that_used_to_disagree(live_event, small_tree):
    statuses = dict(Invitation.objects.filter(event=live_event).values_list("bridge__code", "status"))
    assert statuses == {"BS-S1": Invitation.Status.PROBLEM, "BS-S2": Invitation.Status.DECLINED}


def test_readiness_board_and_reports_agree(client, live_event, organizer, small_tree):
    client.force_login(organizer)
    readiness = client.get(f"/api/events/{live_event.pk}/readiness").json()
    board = client.get(f"/api/attendance/events/{live_event.pk}/board").json()
    report = client.get(f"/api/attendance/events/{live_event.pk}/report").json()

    # A school that confirmed and failed its test: confirmed everywhere, tested nowhere, missing on the day.
    assert [row["code"] for row in readiness["problems"]] == ["BS-S1"]
    tiles = {tile["code"]: tile for tile in board["tiles"]}
    assert tiles["BS-S1"]["state"] == "confirmed" and tiles["BS-S1"]["missing"] is True
    # A school that passed a test and then declined: declined everywhere, tested nowhere, not awaited.
    assert [row["code"] for row in readiness["declined"]] == ["BS-S2"]
    assert tiles["BS-S2"]["state"] == "not_confirmed" and tiles["BS-S2"]["missing"] is False

    host_count = 1  # the host takes part uninvited: the board and reports count it, readiness lists invitations
    assert readiness["totals"]["confirmed"] == 1
    assert readiness["totals"]["tested_ok"] == 0
    assert report["total"]["confirmed"] == readiness["totals"]["confirmed"] + host_count
    assert report["total"]["tested"] == readiness["totals"]["tested_ok"] == 0
    assert board["counters"]["total"]["confirmed"] == report["total"]["confirmed"]


@pytest.fixture
def two_events(small_tree, organizer, client):
    """An event that ended 90 minutes ago and was never set to ended, and one tomorrow."""
    now = timezone.now()
    stale = Event.objects.create(title="Hôm nay (đã xong)", status=Event.Status.PUBLISHED, host=small_tree["host"],
                                 starts_at=now - timedelta(hours=3), ends_at=now - timedelta(minutes=90))
    tomorrow = Event.objects.create(title="Ngày mai", status=Event.Status.PUBLISHED, host=small_tree["host"],
                                    starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2))
    school = small_tree["BS-S1"]
    client.force_login(organizer)
    for event in (stale, tomorrow):
        Invitation.objects.create(event=event, bridge=school, status=Invitation.Status.TESTED_OK)
        assert client.post(f"/api/events/{event.pk}/rooms/auto", data={"room_size": 50},
                           content_type="application/json").status_code == 200
    client.logout()
    return {"stale": stale, "tomorrow": tomorrow, "school": school}


async def _websocket_event(token: str):
    from config.asgi import application

    communicator = WebsocketCommunicator(application, f"/ws/console/{token}/",
                                         headers=[(b"origin", b"http://testserver")])
    connected, _code = await communicator.connect()
    assert connected
    hello = json.loads(await communicator.receive_from(timeout=5))
    await communicator.disconnect()
    return hello["event_id"]


def _surfaces(client, token: str) -> dict:
    from asgiref.sync import async_to_sync

    page = client.get(f"/c/{token}/")
    assert page.status_code == 200
    video = client.get(f"/api/console/{token}/jitsi")
    live = client.get(f"/api/console/{token}/live").json()
    return {
        "page": page.context["event"].pk if page.context["event"] else None,
        "video": video.json()["event_id"] if video.status_code == 200 else None,
        "live": live["event"]["id"] if live["event"] else None,
        "websocket": async_to_sync(_websocket_event)(token),
    }


@pytest.mark.django_db(transaction=True)
def test_page_video_live_state_and_websocket_pick_the_same_event(client, two_events):
    token = two_events["school"].console_token
    # Ended 90 minutes ago (past the hour's grace): every surface moves on to tomorrow's event.
    assert _surfaces(client, token) == dict.fromkeys(("page", "video", "live", "websocket"),
                                                     two_events["tomorrow"].pk)
    # Ended 30 minutes ago: still the console's event everywhere (closing roll calls, late ticks).
    stale = two_events["stale"]
    Event.objects.filter(pk=stale.pk).update(ends_at=timezone.now() - timedelta(minutes=30))
    assert _surfaces(client, token) == dict.fromkeys(("page", "video", "live", "websocket"), stale.pk)
