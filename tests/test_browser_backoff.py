"""Reconnects after a server restart do not come back in lockstep: static/js/backoff.js (jittered, growing,
capped delays), loaded under the pages' CSP by the board and the console, in a real browser (Debian's
chromium) against a real server; the board's socket and snapshot retries wait what it says."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from bridges.models import Role
from events.models import Event, Invitation
from tests.browser_support import BROWSER_MARKS, logged_in_page

pytestmark = BROWSER_MARKS
SLACK = 0.8  # s: a close reaching the page, the next attempt reaching this test, on 2 shared cores


@pytest.fixture
def board(transactional_db, small_tree, server):
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2))
    for code in ("BS-S1", "TN-S1"):
        Invitation.objects.create(event=event, bridge=small_tree[code], status=Invitation.Status.CONFIRMED)
    organizer = get_user_model().objects.create_user("organizer", password="pw-Secret-123")
    Role.objects.create(user=organizer, kind=Role.Kind.ORGANIZER)
    return {"event": event, "organizer": organizer, "server": server,
            "url": f"{server.url}/attendance/events/{event.pk}/board/", **small_tree}


SAMPLES = """() => {
  const draw = (options, attempts) => {
    const backoff = new DiemcauBackoff.Backoff(options), out = [];
    for (let i = 0; i < attempts; i++) out.push(backoff.next());
    return out;
  };
  const first = [];
  for (let i = 0; i < 400; i++) first.push(draw({ base: 1000, cap: 15000 }, 1)[0]);
  const backoff = new DiemcauBackoff.Backoff({ base: 1000, cap: 15000 });
  for (let i = 0; i < 40; i++) backoff.next();
  backoff.reset();
  return { first, long: draw({ base: 1000, cap: 15000 }, 40), afterReset: backoff.next() };
}"""


def assert_spread_and_capped(samples):
    first = samples["first"]
    # 400 boards losing the same server: first tries between 0.5 and 1.5 s, all over that second.
    assert min(first) >= 500 and max(first) <= 1500
    assert len({ms // 100 for ms in first}) >= 10  # every tenth of that second
    assert len(set(first)) > 200
    # Growing, then capped: the middle stops at 15 s, so no wait exceeds 1.5 × 15 s.
    long = samples["long"]
    for attempt, ms in enumerate(long):
        middle = min(15000, 1000 * 2 ** attempt)
        assert 0.5 * middle <= ms <= 1.5 * middle, (attempt, ms)
    assert max(long) <= 22500 and len(set(long[5:])) > 10
    assert 500 <= samples["afterReset"] <= 1500


def test_the_board_and_the_console_load_one_backoff_spread_and_capped(browser, board):
    with logged_in_page(browser, board["server"], board["organizer"]) as page:
        page.goto(board["url"])
        page.wait_for_function("() => document.getElementById('board').dataset.connection === 'live'", timeout=10000)
        assert_spread_and_capped(page.evaluate(SAMPLES))
        assert page.errors == []
    # The console page (its own CSP for Jitsi): the live section, the launch socket and the queue use it too.
    with logged_in_page(browser, board["server"], board["organizer"]) as page:
        page.goto(f"{board['server'].url}/c/{board['BS-S1'].console_token}/")
        page.wait_for_function("() => window.diemcauConsole && window.DiemcauBackoff", timeout=10000)
        assert_spread_and_capped(page.evaluate(SAMPLES))
        scripts = page.evaluate("[...document.scripts].map((s) => s.src.split('/').pop())")
        assert scripts.index("backoff.js") < scripts.index("offline_queue.js") < scripts.index("console_live.js")
        assert page.errors == []


def wait_for(page, condition, timeout=15.0):
    """Let Playwright dispatch the routes' callbacks (they run only inside its calls) until condition()."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(20)


@pytest.mark.slow
def test_the_board_backs_off_until_the_server_says_hello_then_starts_over(browser, board):
    attempts = []  # (when the page tried, its route)
    losses = []  # when this test closed a socket

    def route(ws):
        attempts.append((time.monotonic(), ws))
        # The 2nd and 3rd tries meet a server that accepts and says nothing (no hello) before closing.
        if len(attempts) not in (2, 3):
            ws.connect_to_server()

    def lose(attempt):
        page.wait_for_timeout(150)  # the socket is open on the page's side
        losses.append(time.monotonic())
        attempts[attempt][1].close(code=1012)
        wait_for(page, lambda: len(attempts) == attempt + 2)
        return attempts[attempt + 1][0] - losses[-1]

    with logged_in_page(browser, board["server"], board["organizer"]) as page:
        page.route_web_socket("**/ws/board/**", route)
        page.goto(board["url"])
        live = "() => document.getElementById('board').dataset.connection === 'live'"
        page.wait_for_function(live, timeout=10000)

        gaps = [lose(0), lose(1), lose(2)]  # the server restarts; then twice it opens and closes
        assert 0.5 <= gaps[0] <= 1.5 + SLACK, gaps
        assert 1.0 <= gaps[1] <= 3.0 + SLACK, gaps
        assert 2.0 <= gaps[2] <= 6.0 + SLACK, gaps  # an open socket without hello did not start over
        page.wait_for_function(live, timeout=10000)

        # The hello started the count over: the next loss waits about a second again, not 4-12 s.
        gap = lose(3)
        assert 0.5 <= gap <= 1.5 + SLACK, gap
        page.wait_for_function(live, timeout=10000)
        assert page.errors == []


@pytest.mark.slow
def test_the_board_retries_its_snapshot_with_growing_waits(browser, board):
    fetches = []  # when the page asked for the snapshot

    def snapshot(route):
        fetches.append(time.monotonic())
        if len(fetches) <= 3:  # the server is still starting
            route.fulfill(status=503, body="starting")
        else:
            route.continue_()

    with logged_in_page(browser, board["server"], board["organizer"]) as page:
        page.route(f"**/attendance/events/{board['event'].pk}/board/snapshot**", snapshot)
        page.goto(board["url"])
        wait_for(page, lambda: len(fetches) == 4, timeout=25)
        gaps = [later - earlier for earlier, later in zip(fetches, fetches[1:], strict=False)]
        assert 1.0 <= gaps[0] <= 3.0 + SLACK, gaps
        assert 2.0 <= gaps[1] <= 6.0 + SLACK, gaps
        assert 4.0 <= gaps[2] <= 12.0 + SLACK, gaps  # not a fixed 2 s: growing
        assert page.errors == []
