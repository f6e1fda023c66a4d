"""Real browser (Debian's chromium through Playwright, 1366×768) against a real ASGI server on the test database:
bulk issue asks first in a dialog with the server's count and shows its progress where the button was, ending
with "Hoàn tất" and the result's link, without a reload; an agenda item deleted by mistake comes back from the
message's Undo button; the letters of a long event are paged and found by a name typed without marks."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from bridges.models import Bridge, Role
from core.models import AuditEntry
from core.text import clean_text
from events.models import AgendaItem, Event, Invitation
from tests.browser_support import BROWSER_MARKS, DESKTOP, logged_in_page
from tests.invitation_data import make_event
from tests.test_training import attend_all, make_training
from training import services as training_services
from training.models import Certificate

pytestmark = BROWSER_MARKS


@pytest.fixture
def organizer_page(transactional_db, small_tree, server, browser, make_user):
    with logged_in_page(browser, server, make_user("organizer", Role.Kind.ORGANIZER)) as page:
        yield page


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def test_bulk_issue_asks_with_the_count_then_shows_progress_in_place(organizer_page, server, small_tree):
    page = organizer_page
    training = make_training(small_tree)
    training_services.save_rule(training.event, min_roll_calls=2, min_connected_percent=None, combine="and")
    attend_all(training, except_ids={"0TN20", "0TN21"})
    page.goto(f"{server.url}{reverse('training:detail', args=[training.event.pk])}")
    page.evaluate("window.__sameDocument = true")
    button = page.locator("#issue form[data-ask-first] button[type=submit]")
    button.scroll_into_view_if_needed()
    button_top = button.bounding_box()["y"]
    scrolled = page.evaluate("window.scrollY")

    # Asked first, in a dialog, with the count the server computed; cancelling changes nothing.
    button.click()
    dialog = page.locator("dialog.confirm-dialog[open]")
    dialog.wait_for(timeout=10000)
    assert "10" in dialog.locator(".confirm-summary").inner_text()
    assert dialog.locator("input[name=expected]").get_attribute("value") == "10"
    assert dialog.locator(".confirm-consequence").inner_text()
    assert not Certificate.objects.exists()
    dialog.locator(".confirm-cancel").click()
    page.wait_for_selector("dialog.confirm-dialog[open]", state="detached", timeout=5000)
    assert not Certificate.objects.exists()

    button.click()
    page.locator("dialog.confirm-dialog[open] .confirm-yes").click()
    status = page.locator("#issue .job .job-status[data-status=done]")
    status.wait_for(timeout=30000)
    assert status.inner_text() == vi("Done") == "Hoàn tất"
    link = page.locator("#issue .job .job-result")
    assert link.is_visible() and link.get_attribute("href") == reverse("training:certificates",
                                                                      args=[training.event.pk])
    # Same document, no jump: the progress sits where the button was, the page where it was.
    assert page.evaluate("window.__sameDocument") is True
    assert abs(page.locator("#issue .job").bounding_box()["y"] - button_top) < 120
    assert abs(page.evaluate("window.scrollY") - scrolled) < 50
    assert Certificate.objects.filter(event=training.event).count() == 10
    assert page.errors == []


def test_an_agenda_item_deleted_by_mistake_comes_back_with_undo(organizer_page, server, small_tree, tiers):
    page = organizer_page
    event = make_event(small_tree, tiers)
    item = AgendaItem.objects.get(session__event=event, title="Phát biểu chỉ đạo")
    page.goto(f"{server.url}{reverse('events:detail', args=[event.pk])}")
    row = page.locator("table.agenda tr", has_text="Phát biểu chỉ đạo")
    row.locator("form[action$='/delete/'] button").click()
    page.wait_for_load_state()
    undo = page.locator("ul.messages .undo-button")
    undo.wait_for(timeout=10000)
    assert undo.inner_text() == vi("Undo")
    assert page.locator("table.agenda tr", has_text="Phát biểu chỉ đạo").count() == 0
    assert AgendaItem.with_deleted.get(pk=item.pk).deleted_at is not None
    assert undo.bounding_box()["y"] < DESKTOP["height"]  # where the eye is, at the top of the landing page

    undo.click()
    page.wait_for_load_state()
    page.locator("table.agenda tr", has_text="Phát biểu chỉ đạo").wait_for(timeout=10000)
    assert AgendaItem.objects.get(pk=item.pk).deleted_at is None
    assert list(AuditEntry.objects.filter(action__in=["event.agenda_delete", "event.agenda_restore"])
                .order_by("at", "id").values_list("action", flat=True)) == ["event.agenda_delete", "event.agenda_restore"]
    assert page.errors == []


def test_a_long_list_of_letters_is_paged_and_found_without_marks(organizer_page, server, small_tree, tiers):
    page = organizer_page
    district = Bridge.objects.create(code="NH", name="Huyện Nghĩa Hành", tier=tiers["district"],
                                     parent=small_tree["host"])
    for n in range(1, 121):
        name = "Trường THCS Nghĩa Kỳ – Đức Phổ" if n == 77 else f"Trường Tiểu học số {n}"
        Bridge.objects.create(code=f"NH-{n:03d}", name=clean_text(name), tier=tiers["school"], parent=district)
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.PUBLISHED,
                                 starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=3))
    Invitation.objects.bulk_create([Invitation(event=event, bridge=b) for b in district.children.all()])
    page.goto(f"{server.url}{reverse('events:invitation_letters', args=[event.pk])}")
    rows = page.locator("#letters tbody tr")
    assert rows.count() == 50
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6 * DESKTOP["height"], height  # 120 rows were about 8 screens

    page.locator("#letters .pager a").last.click()
    page.wait_for_load_state()
    assert "page=2" in page.url and rows.count() == 50

    page.fill("#letters input[name=q]", "nghia ky")
    page.press("#letters input[name=q]", "Enter")
    page.wait_for_load_state()
    assert rows.count() == 1 and "NH-077" in rows.first.inner_text()
    assert "1" in page.locator("#letters .list-count").inner_text()
    assert page.locator("#letters .pager").count() == 0
    assert page.errors == []
