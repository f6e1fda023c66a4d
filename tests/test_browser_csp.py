"""The main pages under the Content-Security-Policy in a real browser (Debian's chromium through Playwright,
against a real ASGI server on the test database): login, home, an event, its live board, a school console and
a teacher's check-in page log no CSP violation, and their scripts still run (the board goes live, the
console's live section connects, the teacher page's form works)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from attendance.models import RollCall
from attendance.services import qr
from bridges.models import Role
from events.models import Event, Invitation, Session
from tests.browser_support import BROWSER_MARKS

pytestmark = BROWSER_MARKS

# Every violation the page sees, as the browser reports it to the page (the securitypolicyviolation event).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") +
                           ":" + e.lineNumber);
});
"""


@pytest.fixture
def scene(transactional_db, small_tree, server):  # noqa: F811
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2))
    session = Session.objects.create(event=event, title="Khai mạc", starts_at=event.starts_at, ends_at=event.ends_at)
    for code in ("BS-S1", "BS-S2"):
        Invitation.objects.create(event=event, bridge=small_tree[code], status=Invitation.Status.CONFIRMED)
    organizer = get_user_model().objects.create_user("organizer", password="pw-Secret-123")
    Role.objects.create(user=organizer, kind=Role.Kind.ORGANIZER)
    roll_call = RollCall.objects.create(session=session, label="Đầu buổi", opened_at=now,
                                        closes_at=now + timedelta(minutes=10), window_seconds=60)
    client = Client()
    client.force_login(organizer)
    return {"event": event, "roll_call": roll_call, "server": server,
            "cookie": {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url},
            **small_tree}


def visit(context, url: str, ready: str | None = None) -> list[str]:
    page = context.new_page()
    console_messages = []
    page.on("console", lambda message: console_messages.append(message.text))
    page.add_init_script(LISTEN)
    response = page.goto(url)
    assert response.status < 400, (url, response.status)
    assert response.headers.get("content-security-policy"), url
    if ready:
        page.wait_for_selector(ready, timeout=10000)
    page.wait_for_timeout(500)  # late scripts, the websocket's first frames
    found = page.evaluate("window.__violations")
    found += [text for text in console_messages if "Content Security Policy" in text]
    page.close()
    return found


def test_the_main_pages_log_no_csp_violation(browser, scene):  # noqa: F811
    url, event, school = scene["server"].url, scene["event"], scene["BS-S1"]
    anonymous = browser.new_context()
    violations = {"login": visit(anonymous, f"{url}/accounts/login/", "form"),
                  "console": visit(anonymous, f"{url}/c/{school.console_token}/", "main"),
                  "teacher page": visit(anonymous, f"{url}/a/{qr.current_token(scene['roll_call'], school.pk)}",
                                        "#identifier")}
    anonymous.close()
    organizer = browser.new_context()
    organizer.add_cookies([scene["cookie"]])
    violations["home"] = visit(organizer, f"{url}/", "main")
    violations["event"] = visit(organizer, f"{url}/events/{event.pk}/", "main")
    violations["board"] = visit(organizer, f"{url}/attendance/events/{event.pk}/board/",
                                "#board-connection[data-state=live]")  # its script ran and its socket is live
    organizer.close()
    assert violations == {name: [] for name in violations}


def test_the_listener_does_see_a_violation(browser, scene):  # noqa: F811
    """Control for the test above: an inline script injected into the login page is blocked, and reported."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(LISTEN)
    page.goto(f"{scene['server'].url}/accounts/login/")
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.__ran = 1";
                             document.body.appendChild(s); }""")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))
    context.close()
