"""The console's join button in a real browser (Debian's chromium via Playwright), no Jitsi server:
the IFrame API script cannot load, and the page must say so; a plan change made after the page
was loaded is honoured because the button asks the server for fresh join data."""

import os
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event, Invitation
from video import room_plan

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser_page(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls below are plain sync code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        # English, so the checked messages do not depend on compiled Vietnamese catalogs.
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="en-US")
        yield page
        browser.close()


def test_join_button_reports_an_unreachable_video_server_and_honours_plan_changes(
        live_server, settings, small_tree, browser_page):
    # Nothing listens on port 9: the external_api.js request fails at once.
    settings.JITSI_DOMAIN = "127.0.0.1:9"
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.PUBLISHED,
                                 starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=4))
    for bridge in small_tree.values():
        Invitation.objects.create(event=event, bridge=bridge)
    room_plan.auto_plan(event)
    school = small_tree["BS-S1"]
    district = school.parent
    district.tech_phone = "02553822123"
    district.save()

    page = browser_page
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    # English chosen with the language switch: the page, and so its API answers, are English.
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/c/{school.console_token}/?event={event.pk}")
    button = page.locator("[data-jitsi-join]")
    error = page.locator("[data-jitsi-error]")
    assert button.is_visible() and error.is_hidden()

    button.click()
    error.wait_for(state="visible", timeout=20000)
    what = page.locator("[data-jitsi-error-text]")
    assert what.inner_text() == what.get_attribute("data-unreachable")
    # What failed, then what to do: the steps, whom to call (the district office's number), a retry at hand.
    steps = error.locator(".video-help li").all_inner_texts()
    assert len(steps) >= 3 and any(district.name in step and district.tech_phone in step for step in steps)
    assert page.evaluate("document.activeElement.hasAttribute('data-jitsi-error')")
    assert button.is_enabled() and page.locator("[data-jitsi-leave]").is_hidden()
    assert any(url.endswith(f"/api/console/{school.console_token}/jitsi?event={event.pk}") for url in requests)
    assert "https://127.0.0.1:9/external_api.js" in requests

    # The organizer makes the school a livestream viewer while the page is open.
    room_plan.apply_moves(event, [room_plan.Move("BS-S1", room_plan.VIEWER)])
    button.click()
    page.wait_for_function(
        "el => !el.closest('[data-jitsi-error]').hidden && el.textContent !== el.dataset.unreachable",
        arg=what.element_handle(), timeout=20000)
    assert "livestream" in what.inner_text()
