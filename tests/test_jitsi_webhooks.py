"""Replay of recorded Jitsi event_sync webhooks (tests/jitsi_payloads/) against the real endpoint."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from events.models import Event, Invitation
from video import room_plan
from video.models import PresenceEvent

pytestmark = pytest.mark.django_db

PAYLOADS = Path(__file__).parent / "jitsi_payloads"
SECRET = "test-webhook-secret-0123456789"
URL = "/events/jitsi/webhook"
# event_sync posts each kind to its own path below api_prefix.
PATH_OF = {
    "muc-room-created": "/events/room/created", "muc-room-destroyed": "/events/room/destroyed",
    "muc-occupant-joined": "/events/occupant/joined", "muc-occupant-left": "/events/occupant/left",
}


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.JITSI_WEBHOOK_SECRET = SECRET


@pytest.fixture
def event(small_tree):
    starts = datetime(2025, 10, 9, 1, 0, tzinfo=UTC)
    ev = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.LIVE,
                              starts_at=starts, ends_at=starts + timedelta(hours=4))
    for bridge in small_tree.values():
        Invitation.objects.create(event=ev, bridge=bridge)
    room_plan.auto_plan(ev)
    return ev


def recorded(name: str, event) -> bytes:
    """The recorded body, its rooms renamed from event 1 to the test event."""
    text = (PAYLOADS / name).read_text(encoding="utf-8")
    return text.replace("diemcau-1-", f"diemcau-{event.pk}-").encode()


def post(client, body: bytes, *, secret=SECRET, path=URL, **headers):
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client.post(path, data=body, content_type="application/json", **headers)


ALL = sorted(p.name for p in PAYLOADS.glob("*.json"))


@pytest.mark.parametrize("name", ALL)
def test_each_recorded_payload_is_stored_once(client, event, name):
    body = recorded(name, event)
    payload = json.loads(body)
    path = URL + PATH_OF[payload["event_name"]]
    first = post(client, body, path=path)
    assert first.status_code == 200 and first.json()["stored"] is True
    again = post(client, body, path=path)
    assert again.status_code == 200 and again.json() == {"stored": False, "duplicate": True,
                                                         "id": first.json()["id"]}
    assert PresenceEvent.objects.count() == 1
    row = PresenceEvent.objects.get()
    # A breakout room's events are stored under its own id; the event is found from the main room.
    room = payload["breakout_room_id"] if payload["is_breakout"] else payload["room_name"]
    assert row.event == event and row.room_name == room and row.payload == payload


@pytest.mark.services
def test_full_replay_maps_rooms_and_bridges(client, event, small_tree):
    for name in ALL:
        assert post(client, recorded(name, event)).status_code == 200
    rows = list(PresenceEvent.objects.order_by("occurred_at", "id"))
    assert len(rows) == len(ALL)
    kinds = [r.kind for r in rows]
    assert kinds[0] == PresenceEvent.Kind.ROOM_CREATED and kinds[-1] == PresenceEvent.Kind.ROOM_DESTROYED
    joined_host = next(r for r in rows if r.kind == "occupant_joined" and r.payload["occupant"].get("id") == "IOC")
    assert joined_host.bridge == small_tree["host"]
    assert joined_host.occupant_id.endswith("/Qx7LmT2a")
    assert joined_host.occurred_at == datetime.fromtimestamp(1759971415, tz=UTC)
    left = next(r for r in rows if r.kind == "occupant_left" and r.bridge == small_tree["BS"])
    assert left.occupant_id == next(r for r in rows if r.kind == "occupant_joined" and r.bridge == small_tree["BS"]
                                    ).occupant_id
    anonymous = next(r for r in rows if r.kind == "occupant_joined" and "id" not in r.payload["occupant"])
    assert anonymous.bridge is None and anonymous.event == event
    school = next(r for r in rows if r.room_name.endswith("bs-1") and r.kind == "occupant_joined")
    assert school.bridge == small_tree["BS-S1"]
    # Replaying the whole day again adds nothing.
    for name in ALL:
        assert post(client, recorded(name, event)).json()["duplicate"] is True
    assert PresenceEvent.objects.count() == len(ALL)


def test_unknown_room_is_kept_without_an_event(client, event):
    body = recorded("01_room_created.json", event).replace(f"diemcau-{event.pk}-main".encode(), b"someone-else")
    assert post(client, body).status_code == 200
    row = PresenceEvent.objects.get()
    assert row.event is None and row.room_name == "someone-else"


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
def test_wrong_or_missing_secret_is_refused_and_changes_nothing(client, event, secret):
    resp = post(client, recorded("02_occupant_joined_host.json", event), secret=secret)
    assert resp.status_code == 403 and resp.json()["detail"]
    assert not PresenceEvent.objects.exists()


def test_other_auth_schemes_are_refused(client, event):
    resp = client.post(URL, data=recorded("01_room_created.json", event), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Basic {SECRET}")
    assert resp.status_code == 403 and not PresenceEvent.objects.exists()


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe", b"[1, 2]", b'"text"'])
def test_malformed_json_is_refused_and_changes_nothing(client, event, body):
    resp = post(client, body)
    assert resp.status_code == 400 and resp.json()["detail"]
    assert not PresenceEvent.objects.exists()


@pytest.mark.parametrize("change", [
    {"event_name": "muc-room-renamed"},
    {"event_name": None},
    {"room_name": ""},
    {"created_at": "yesterday"},
    {"created_at": True},
    {"created_at": -5},
])
def test_bad_fields_are_refused(client, event, change):
    payload = json.loads(recorded("01_room_created.json", event)) | change
    resp = post(client, json.dumps(payload).encode())
    assert resp.status_code == 400 and resp.json()["detail"]
    assert not PresenceEvent.objects.exists()


def test_occupant_event_without_occupant_is_refused(client, event):
    payload = json.loads(recorded("02_occupant_joined_host.json", event))
    del payload["occupant"]
    assert post(client, json.dumps(payload).encode()).status_code == 400
    assert not PresenceEvent.objects.exists()


def test_path_must_match_the_event(client, event):
    body = recorded("01_room_created.json", event)
    assert post(client, body, path=URL + "/events/occupant/left").status_code == 400
    assert post(client, body, path=URL + "/events/room/renamed").status_code == 404
    assert not PresenceEvent.objects.exists()


def test_oversized_body_is_refused(client, event):
    payload = json.loads(recorded("06_room_destroyed.json", event))
    payload["all_occupants"] = payload["all_occupants"] * 3000
    resp = post(client, json.dumps(payload).encode())
    assert resp.status_code == 413
    assert not PresenceEvent.objects.exists()


def test_only_post_is_accepted(client, event):
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {SECRET}").status_code == 405


def test_uninvited_bridge_code_is_not_mapped(client, event, tiers, small_tree):
    from bridges.models import Bridge

    Bridge.objects.create(code="XX-S9", name="Trường lạ", tier=tiers["school"], parent=small_tree["TN"])
    payload = json.loads(recorded("07_occupant_joined_school.json", event))
    payload["occupant"]["id"] = "XX-S9"
    assert post(client, json.dumps(payload).encode()).status_code == 200
    assert PresenceEvent.objects.get().bridge is None


def test_url_names(event):
    assert reverse("video:jitsi_webhook") == URL
    assert reverse("video:jitsi_webhook_event", args=["occupant", "joined"]) == URL + "/events/occupant/joined"


@pytest.mark.services
def test_concurrent_redelivery_stores_one_row(live_server, event):
    """Two deliveries of the same webhook at once (event_sync retries) through a real server."""
    import concurrent.futures
    import urllib.request

    body = recorded("02_occupant_joined_host.json", event)

    def deliver(_):
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {SECRET}"}
        request = urllib.request.Request(live_server.url + URL, data=body, method="POST", headers=headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the local test server)
            return response.status, json.loads(response.read())

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(deliver, range(8)))
    assert {status for status, _ in results} == {200}
    assert sum(1 for _, answer in results if answer["stored"]) == 1
    assert PresenceEvent.objects.count() == 1


# --- Breakout rooms: their own rooms, their own spans --------------------------------------------

def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def in_time_order(event) -> list[bytes]:
    """Every recorded body, in the order event_sync would have sent them."""
    from video.webhooks import occurred_at

    bodies = [recorded(name, event) for name in ALL]
    return sorted(bodies, key=lambda body: occurred_at(json.loads(body)))


def open_video_spans(event) -> dict[str, list[str]]:
    from attendance.models import ConnectionInterval

    spans = ConnectionInterval.objects.filter(event=event, source=ConnectionInterval.Source.VIDEO,
                                              ended_at__isnull=True)
    result: dict[str, list[str]] = {}
    for bridge_code, connection in spans.values_list("bridge__code", "connection_id"):
        result.setdefault(bridge_code, []).append(connection.split("/", 1)[0])
    return result


def test_breakout_events_are_stored_as_their_own_room(client, event, small_tree):
    body = recorded("10_occupant_joined_breakout.json", event)
    payload = json.loads(body)
    assert payload["room_name"] == f"diemcau-{event.pk}-main" and payload["is_breakout"] is True
    assert post(client, body).status_code == 200
    row = PresenceEvent.objects.get()
    assert row.room_name == payload["breakout_room_id"] != payload["room_name"]
    assert row.room_name.startswith(f"diemcau-{event.pk}-main_")
    assert row.event == event and row.bridge == small_tree["BS"]


@pytest.mark.services
def test_a_breakout_room_closing_ends_only_its_own_spans(client, event, small_tree):
    from attendance.models import ConnectionInterval

    main, school_room = f"diemcau-{event.pk}-main", f"diemcau-{event.pk}-bs-1"
    breakout = json.loads(recorded("09_breakout_room_created.json", event))["breakout_room_id"]
    for body in in_time_order(event):
        payload = json.loads(body)
        assert post(client, body).status_code == 200
        if payload["event_name"] == "muc-occupant-joined" and payload.get("is_breakout"):
            # The district moved from the main room into the breakout room; the host stayed.
            assert open_video_spans(event) == {"IOC": [main], "BS": [breakout], "BS-S1": [school_room]}
        if payload["event_name"] == "muc-room-destroyed" and payload.get("is_breakout"):
            # The breakout room closed: the district's span there ended; the host is still in the main
            # room (event_sync names the breakout's events after it) and the school in its own.
            assert open_video_spans(event) == {"IOC": [main], "BS-S1": [school_room]}
    assert open_video_spans(event) == {}
    spans = ConnectionInterval.objects.filter(event=event, source=ConnectionInterval.Source.VIDEO)
    host = spans.get(bridge=small_tree["host"])
    assert (host.started_at, host.ended_at) == (at(1759971415), at(1759982455))
    district = sorted(spans.filter(bridge=small_tree["BS"]).values_list("started_at", "ended_at"))
    assert district == [(at(1759971498), at(1759975020)), (at(1759975022), at(1759977000))]


@pytest.mark.parametrize("change", [
    {"is_breakout": "yes"},
    {"is_breakout": True, "breakout_room_id": ""},
    {"is_breakout": True, "breakout_room_id": None},
])
def test_bad_breakout_fields_are_refused(client, event, change):
    payload = json.loads(recorded("10_occupant_joined_breakout.json", event)) | change
    if change.get("breakout_room_id") is None and "breakout_room_id" in change:
        del payload["breakout_room_id"]
    resp = post(client, json.dumps(payload).encode())
    assert resp.status_code == 400 and resp.json()["detail"]
    assert not PresenceEvent.objects.exists()
