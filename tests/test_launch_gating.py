"""The launch opens at the event's start; earlier only an organizer confirming an early launch. After it the
event keeps when it was launched, is live, and the board and the event's pages say "launched at …".

Through the board's page route, the API and the host console's API (Django test client)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from attendance import launch
from attendance.models import Launch
from core.models import AuditEntry
from events.models import Event, Invitation, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def early_event(small_tree):
    """An announced ceremony starting in 2 hours 15 minutes."""
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.PUBLISHED,
                                 starts_at=now + timedelta(hours=2, minutes=15, seconds=30),
                                 ends_at=now + timedelta(hours=5))
    Session.objects.create(event=event, title="Khai mạc", starts_at=event.starts_at, ends_at=event.ends_at)
    Invitation.objects.create(event=event, bridge=small_tree["BS-S1"], status=Invitation.Status.CONFIRMED)
    return event


def launched_text(event) -> str:
    with translation.override("vi"):
        when = formats.date_format(timezone.localtime(event.launched_at), "H:i d/m/Y")
        return gettext("Launched at %(when)s").replace("%(when)s", when)


def test_the_board_refuses_an_early_press_until_the_organizer_confirms(client, organizer, early_event):
    client.force_login(organizer)
    url = reverse("attendance:launch", args=[early_event.pk])
    refused = client.post(url, HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="vi")
    assert refused.status_code == 409 and refused.json()["code"] == "launch_early"
    start = formats.date_format(timezone.localtime(early_event.starts_at), "H:i d/m/Y")
    # How early, in words: the start and "2 giờ, 15 phút".
    assert start in refused.json()["detail"] and "2" in refused.json()["detail"] and "15" in refused.json()["detail"]
    assert not Launch.objects.exists()
    early_event.refresh_from_db()
    assert early_event.launched_at is None and early_event.status == Event.Status.PUBLISHED

    pressed = client.post(url, {"early": "1"}, HTTP_ACCEPT="application/json")
    assert pressed.status_code == 200 and pressed.json()["created"] is True
    record = Launch.objects.get(event=early_event)
    entry = AuditEntry.objects.get(action="attendance.launch")
    assert 8000 < entry.details["early_by_seconds"] <= 2 * 3600 + 15 * 60 + 30
    early_event.refresh_from_db()
    assert early_event.launched_at == record.at and early_event.status == Event.Status.LIVE
    status_change = AuditEntry.objects.get(action="event.status")
    assert status_change.details == {"from": "published", "to": "live", "by": "launch"}
    assert status_change.actor == organizer


def test_without_scripts_the_board_asks_on_a_page_of_its_own(client, organizer, early_event):
    client.force_login(organizer)
    url = reverse("attendance:launch", args=[early_event.pk])
    page = client.post(url)
    assert page.status_code == 409
    html = page.content.decode()
    assert 'name="early" value="1"' in html and "attendance/launch_confirm.html" in [t.name for t in page.templates]
    assert not Launch.objects.exists()
    assert client.post(url, {"early": "1"}).status_code == 302
    assert Launch.objects.filter(event=early_event).exists()


def test_the_api_gates_the_same_way(client, organizer, early_event):
    client.force_login(organizer)
    url = f"/api/attendance/events/{early_event.pk}/launch"
    state = client.get(url).json()
    assert state["starts_at"] == int(early_event.starts_at.timestamp() * 1000) and state["launched_at"] is None
    refused = client.post(url)
    assert refused.status_code == 409 and refused.json()["code"] == "launch_early"
    pressed = client.post(url + "?early=true")
    assert pressed.status_code == 200 and pressed.json()["created"] is True
    early_event.refresh_from_db()
    assert pressed.json()["launched_at"] == int(early_event.launched_at.timestamp() * 1000)
    # A second press answers with the first, early or not.
    assert client.post(url).json()["created"] is False
    operation = client.get("/api/openapi.json").json()["paths"]["/api/attendance/events/{event_id}/launch"]["post"]
    assert "409" in operation["responses"] and "early" in operation["description"]


def test_the_host_console_waits_for_the_start(client, small_tree, early_event):
    host = small_tree["host"]
    url = reverse("api:console_launch", kwargs={"token": host.console_token})
    state = client.get(url).json()
    assert state["can_press"] is True and state["opens_at"] == int(early_event.starts_at.timestamp() * 1000)
    refused = client.post(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert refused.status_code == 409 and refused.json()["code"] == "launch_not_yet"
    assert not Launch.objects.exists()
    # From the start on, the same press goes through.
    Event.objects.filter(pk=early_event.pk).update(starts_at=timezone.now() - timedelta(seconds=1))
    assert client.post(url).json()["created"] is True


def test_after_the_launch_the_board_and_the_event_say_when(client, organizer, small_tree):
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.PUBLISHED,
                                 starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=2))
    Session.objects.create(event=event, title="Khai mạc", starts_at=event.starts_at, ends_at=event.ends_at)
    client.force_login(organizer)
    board_url = reverse("attendance:board", args=[event.pk])
    assert 'id="launched-at" class="launched-at hidden"' in client.get(board_url).content.decode()
    record, created = launch.press(event, actor_label="organizer", user=organizer)
    assert created
    event.refresh_from_db()
    text = launched_text(event)
    board_html = client.get(board_url).content.decode()
    assert text in board_html and 'id="launch-button" disabled' in board_html
    event_html = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    with translation.override("vi"):
        live_label = str(Event.Status.LIVE.label)
    assert text in event_html and f'<span class="badge ev-live">{live_label}</span>' in event_html
    api = client.get(f"/api/events/{event.pk}").json()
    assert api["status"] == "live" and api["launched_at"].startswith(record.at.isoformat()[:19])
    # The consoles' live section says it too.
    console_html = client.get(reverse("console", args=[small_tree["host"].console_token])).content.decode()
    with translation.override("vi"):
        assert gettext("Launched at %(when)s") % {"when": formats.time_format(
            timezone.localtime(event.launched_at), "H:i")} in console_html


def test_an_old_launch_fills_the_event_by_migration(small_tree):
    """attendance 0006 copies a Launch's moment to Event.launched_at (run here as its function)."""
    from importlib import import_module

    from django.apps import apps

    now = timezone.now()
    event = Event.objects.create(title="Cũ", host=small_tree["host"], status=Event.Status.ENDED,
                                 starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=3) + timedelta(hours=2))
    Launch.objects.create(event=event, pressed_at=event.starts_at, at=event.starts_at + timedelta(seconds=10))
    migration = import_module("attendance.migrations.0006_event_launched_at_from_launch")
    migration.copy_launch_moments(apps, None)
    event.refresh_from_db()
    assert event.launched_at == event.starts_at + timedelta(seconds=10) and event.status == Event.Status.ENDED
