"""The board's counters, written by static/js/board.js through the shared static/js/numbers.js, read
17.878-style in a real browser (Debian's chromium); the data-* values beside them stay bare (issue 14)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from attendance.models import BridgeCheckIn
from bridges.models import Role
from events.models import Event, Invitation
from tests.browser_support import BROWSER_MARKS

pytestmark = BROWSER_MARKS


@pytest.fixture
def board(transactional_db, small_tree, server):
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2))
    for code in ("BS-S1", "BS-S2", "TN-S1", "TN-S2"):
        Invitation.objects.create(event=event, bridge=small_tree[code], status=Invitation.Status.CONFIRMED)
    # A hall counted at the door: 1,234 people.
    BridgeCheckIn.objects.create(event=event, bridge=small_tree["BS-S1"], checked_in_at=now, headcount=1234)
    organizer = get_user_model().objects.create_user("organizer", password="pw-Secret-123")
    Role.objects.create(user=organizer, kind=Role.Kind.ORGANIZER)
    client = Client()
    client.force_login(organizer)
    return {"event": event, "server": server,
            "cookie": {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}}


def test_the_board_writes_its_counters_the_vietnamese_way(browser, board):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_cookies([board["cookie"]])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{board['server'].url}/attendance/events/{board['event'].pk}/board/")
    page.wait_for_function("""() => document.querySelector('[data-total="headcount"]').textContent !== "0" """,
                           timeout=10000)
    assert page.locator('.board-totals [data-total="headcount"]').text_content() == "1.234"
    # The helper itself, as every script calls it.
    assert page.evaluate("DiemcauNumbers.num(17878)") == "17.878"
    assert page.evaluate("DiemcauNumbers.num(132.25, 1)") == "132,3"
    assert page.evaluate("DiemcauNumbers.pct(87.63)") == "87,6\u00a0%"
    assert page.evaluate("DiemcauNumbers.ratio(15662, 17878)") == "87,6\u00a0%"
    assert page.evaluate("DiemcauNumbers.num(null)") == "—"
    assert errors == []
    context.close()
