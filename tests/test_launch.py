"""The launch moment: pressed once, pushed to every console, counted down in server time."""

import json
import statistics
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from attendance import launch
from attendance.models import Launch
from bridges.models import Role
from config.asgi import application
from core.models import AuditEntry
from events.models import Event, Invitation


@pytest.fixture
def event(small_tree):
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=2))
    for code in ("BS-S1", "TN-S1"):
        Invitation.objects.create(event=event, bridge=small_tree[code], status=Invitation.Status.CONFIRMED)
    return event


@pytest.mark.django_db
def test_press_creates_the_launch_once(event):
    first, created = launch.press(event, actor_label="organizer")
    again, created_again = launch.press(event, actor_label="someone else")
    assert created and not created_again and again.pk == first.pk
    assert 9 <= (first.at - first.pressed_at).total_seconds() <= 10
    assert Launch.objects.count() == 1
    assert AuditEntry.objects.filter(action="attendance.launch").count() == 1
    assert launch.current(event.pk) == {"type": "launch", "at": int(first.at.timestamp() * 1000),
                                        "duration_ms": launch.board.LAUNCH_SCREEN_SECONDS * 1000}


@pytest.mark.django_db
def test_only_organizers_press_from_the_board(event, organizer, make_user, client):
    url = reverse("attendance:launch", args=[event.pk])
    client.force_login(make_user("official", Role.Kind.OFFICIAL))
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 403
    client.force_login(make_user("bs", Role.Kind.DISTRICT_OFFICER, scope=event.host.children.first()))
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 403
    assert not Launch.objects.exists()
    client.force_login(organizer)
    resp = client.post(url, HTTP_ACCEPT="application/json")
    assert resp.status_code == 200 and resp.json()["created"] is True
    api = client.post(f"/api/attendance/events/{event.pk}/launch")
    assert api.status_code == 200 and api.json()["created"] is False
    assert api.json()["launch"]["at"] == resp.json()["launch"]["at"]


@pytest.mark.django_db
def test_only_the_host_console_presses_and_late_consoles_see_the_launch(event, small_tree, client):
    school, host = small_tree["BS-S1"], small_tree["host"]
    def launch_url(bridge_or_token):
        token = getattr(bridge_or_token, "console_token", bridge_or_token)
        return reverse("api:console_launch", kwargs={"token": token})

    school_state = client.get(launch_url(school)).json()
    assert school_state["can_press"] is False and school_state["launch"] is None
    assert client.post(launch_url(school)).status_code == 403
    assert client.post(launch_url("forged-token")).status_code == 404
    assert not Launch.objects.exists()
    assert client.get(launch_url(host)).json()["can_press"]
    pressed = client.post(launch_url(host))
    assert pressed.status_code == 200 and pressed.json()["created"]
    assert client.post(launch_url(host)).json()["created"] is False
    late = client.get(launch_url(school)).json()
    assert late["launch"]["at"] == pressed.json()["launch"]["at"] and late["title"] == event.title
    entry = AuditEntry.objects.get(action="attendance.launch")
    assert entry.actor_label == f"console:{host.code}"


# --- websocket: push and clock ---------------------------------------------------------------


def close_everything():
    """Connections of this thread, and the PostgreSQL pool the worker threads returned theirs to."""
    connections.close_all()
    for conn in connections.all():
        if hasattr(conn, "close_pool"):
            conn.close_pool()

@pytest.fixture
async def ws_db(transactional_db):
    yield
    await database_sync_to_async(close_everything)()


def launch_socket(token: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, f"/ws/launch/{token}/", headers=[(b"origin", b"http://testserver")])


async def open_socket(token):
    communicator = launch_socket(token)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def estimate_offset(samples, keep=3):
    """The estimator of static/js/console_launch.js: median offset of the fastest round trips."""
    best = sorted(samples, key=lambda s: s[0])[:keep]
    return statistics.median(offset for _rtt, offset in best)


async def measure_offset(communicator, skew_ms: float, rounds=8) -> float:
    """Probe like a console whose clock is skew_ms off: returns its estimate of (server - own clock)."""
    samples = []
    for _ in range(rounds):
        t0 = time.time() * 1000 + skew_ms
        await communicator.send_json_to({"type": "clock", "t0": t0})
        reply = json.loads(await communicator.receive_from(timeout=2))
        t1 = time.time() * 1000 + skew_ms
        assert reply["type"] == "clock" and reply["t0"] == t0
        samples.append((t1 - t0, reply["server"] - (t0 + t1) / 2))
    return estimate_offset(samples)


@pytest.mark.services
@pytest.mark.usefixtures("ws_db")
async def test_consoles_with_different_clocks_start_within_300_ms(event, small_tree):
    fast = await open_socket(small_tree["BS-S1"].console_token)   # clock 7 s ahead
    slow = await open_socket(small_tree["TN-S1"].console_token)   # clock 4.5 s behind
    skews = {"fast": 7000.0, "slow": -4500.0}
    offsets = {"fast": await measure_offset(fast, skews["fast"]), "slow": await measure_offset(slow, skews["slow"])}

    record, _ = await database_sync_to_async(launch.press)(event, actor_label="organizer")
    pushed = {name: json.loads(await sock.receive_from(timeout=3)) for name, sock in (("fast", fast), ("slow", slow))}
    assert all(p["type"] == "launch" and p["at"] == int(record.at.timestamp() * 1000) for p in pushed.values())
    # Each console starts when its own clock reads at - offset; in real time that is (at - offset) - skew.
    real_start = {name: pushed[name]["at"] - offsets[name] - skews[name] for name in skews}
    assert abs(real_start["fast"] - real_start["slow"]) < 300
    assert abs(real_start["fast"] - pushed["fast"]["at"]) < 300
    await fast.disconnect()
    await slow.disconnect()


@pytest.mark.services
@pytest.mark.usefixtures("ws_db")
async def test_launch_socket_refuses_forged_links_and_answers_junk_with_an_error(event, small_tree):
    forged = launch_socket("not-a-console-token")
    await forged.connect()
    assert (await forged.receive_output(timeout=2))["code"] == 4403
    sock = await open_socket(small_tree["BS-S1"].console_token)
    await sock.send_to(text_data="not json")
    assert (await sock.receive_json_from(timeout=2))["code"] == "invalid_json"  # an error frame; still open
    await sock.send_json_to({"type": "clock", "t0": "yesterday"})  # a clock probe without a time: no answer
    assert await sock.receive_nothing(timeout=0.3)
    await sock.disconnect()
