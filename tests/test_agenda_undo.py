"""Deleting an agenda item is one click, and undone from the message that follows for ten minutes: a soft
delete (the row stays, hidden everywhere), audited both ways, refused after the window or when the slot was
taken since. Through the Django test client, the calendar file (icalendar) and the API."""

from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from events.models import AgendaItem
from events.services import schedule
from tests.invitation_data import at, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(small_tree, tiers):
    return make_event(small_tree, tiers)


def _speech(event):
    return AgendaItem.objects.get(session__event=event, title="Phát biểu chỉ đạo")


def test_delete_hides_the_item_everywhere_and_the_message_offers_undo(english, organizer, event):
    english.force_login(organizer)
    item = _speech(event)
    sequence = event.sequence
    response = english.post(reverse("events:agenda_delete", args=[event.pk, item.pk]), follow=True)
    html = response.content.decode()
    restore = reverse("events:agenda_restore", args=[event.pk, item.pk])
    # The message is on the page it lands on, with a POST form (CSRF token included) to undo.
    assert "was deleted from the agenda. You can undo this for 10 minutes." in html
    assert f'action="{restore}"' in html and 'class="undo-button">Undo</button>' in html
    # Kept, hidden: not on the event page, the calendar, the API, the console's programme.
    assert AgendaItem.with_deleted.get(pk=item.pk).deleted_at is not None
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    assert "<td>Phát biểu chỉ đạo</td>" not in html and "<td>Khai mạc, giới thiệu đại biểu</td>" in html
    ics = icalendar.Calendar.from_ical(english.get(reverse("events:calendar", args=[event.pk])).content)
    [vevent] = [c for c in ics.walk("VEVENT")]
    assert "Phát biểu chỉ đạo" not in str(vevent.get("DESCRIPTION", "")) and "Khai mạc" in str(vevent["DESCRIPTION"])
    api = english.get(f"/api/events/{event.pk}").json()
    assert [a["title"] for s in api["sessions"] for a in s["agenda"]] == ["Khai mạc, giới thiệu đại biểu"]
    event.refresh_from_db()
    assert event.sequence == sequence + 1
    deleted = AuditEntry.objects.get(action="event.agenda_delete")
    assert deleted.details["agenda_item"] == item.pk and "undo_until" in deleted.details

    back = english.post(restore, follow=True)
    assert "is back on the agenda" in back.content.decode() and "<td>Phát biểu chỉ đạo</td>" in back.content.decode()
    restored = AgendaItem.objects.get(pk=item.pk)
    assert restored.deleted_at is None and restored.starts_at == at(8, 15)
    entry = AuditEntry.objects.get(action="event.agenda_restore")
    assert entry.details["agenda_item"] == item.pk and entry.actor == organizer
    event.refresh_from_db()
    assert event.sequence == sequence + 2
    # Undoing twice restores nothing more.
    again = english.post(restore, follow=True)
    assert "There is no deleted agenda item to restore here." in again.content.decode()
    assert AuditEntry.objects.filter(action="event.agenda_restore").count() == 1


def test_undo_is_refused_after_the_window(english, organizer, event):
    english.force_login(organizer)
    item = _speech(event)
    english.post(reverse("events:agenda_delete", args=[event.pk, item.pk]))
    AgendaItem.with_deleted.filter(pk=item.pk).update(
        deleted_at=timezone.now() - timedelta(seconds=schedule.AGENDA_UNDO_SECONDS + 1))
    page = english.post(reverse("events:agenda_restore", args=[event.pk, item.pk]), follow=True)
    assert "was deleted more than 10 minutes ago" in page.content.decode()
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    assert not AuditEntry.objects.filter(action="event.agenda_restore").exists()


def test_undo_is_refused_when_the_slot_was_taken_since(client, organizer, event):
    client.force_login(organizer)
    item = _speech(event)
    base = f"/api/events/{event.pk}/agenda/{item.pk}"
    assert client.delete(base).status_code == 204
    schedule.add_agenda_item(item.session, title="Trình chiếu", starts_at=at(8, 20), ends_at=at(8, 40))
    refused = client.post(f"{base}/restore")
    assert refused.status_code == 400 and "Trình chiếu" in " ".join(refused.json()["errors"])
    assert not AgendaItem.objects.filter(pk=item.pk).exists()


def test_restore_through_the_api_and_who_may(client, organizer, make_user, event):
    from bridges.models import Role

    item = _speech(event)
    client.force_login(organizer)
    base = f"/api/events/{event.pk}/agenda/{item.pk}"
    assert client.delete(base).status_code == 204
    client.force_login(make_user("lanhdao", Role.Kind.OFFICIAL))
    assert client.post(f"{base}/restore").status_code == 403
    client.force_login(organizer)
    restored = client.post(f"{base}/restore")
    assert restored.status_code == 200 and restored.json()["title"] == "Phát biểu chỉ đạo"
    assert client.post(f"{base}/restore").status_code == 400
