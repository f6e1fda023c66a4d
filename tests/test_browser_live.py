"""Real browser (Debian's chromium through Playwright) against a real ASGI server on the test database:
a teacher checks in on a phone page and the board updates without reload; a console that goes offline
keeps its tick and syncs it once back; a phone console answers, fixes its contacts and checks in
through the console's API, and sends a follow-up report; consoles with different clocks launch together; the
console's launch-day first screen on a phone, the undo of a tick, a teacher's QR check-in on the console's roster."""

import os
import time
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from attendance.models import BridgeCheckIn, CheckIn, Launch, RollCall
from attendance.services import qr, second_factor
from bridges.models import Role
from core.models import AuditEntry
from events.models import Event, Invitation, Session
from followups import services as followup
from followups.models import FollowUpForm
from schoolreports.models import ReportAnswer
from tests.browser_support import BROWSER_MARKS, CHROMIUM_ARGS

pytestmark = BROWSER_MARKS


@pytest.fixture
def scene(transactional_db, small_tree, server):
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2))
    session = Session.objects.create(event=event, title="Khai mạc", starts_at=event.starts_at, ends_at=event.ends_at)
    for code in ("BS-S1", "BS-S2", "TN-S1", "TN-S2"):
        Invitation.objects.create(event=event, bridge=small_tree[code], status=Invitation.Status.CONFIRMED)
    organizer = get_user_model().objects.create_user("organizer", password="pw-Secret-123")
    Role.objects.create(user=organizer, kind=Role.Kind.ORGANIZER)
    # A row, not the service: its notification would go to this process's channel layer, not the server's.
    roll_call = RollCall.objects.create(session=session, label="Đầu buổi", opened_at=now,
                                        closes_at=now + timedelta(minutes=10), window_seconds=60)
    client = Client()
    client.force_login(organizer)
    return {"event": event, "roll_call": roll_call, "server": server,
            "cookie": {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url},
            **small_tree}


def test_a_teacher_checks_in_and_the_board_updates_without_reload(browser, scene):
    server, school = scene["server"], scene["BS-S1"]
    board_context = browser.new_context()
    board_context.add_cookies([scene["cookie"]])
    board = board_context.new_page()
    board.goto(f"{server.url}/attendance/events/{scene['event'].pk}/board/")
    board.wait_for_selector("#board-connection[data-state=live]", timeout=10000)
    tile = board.locator(f'[data-bridge-id="{school.pk}"] .tile-count')
    assert tile.text_content() == "0/3"
    board.evaluate("window.__sameDocument = true")

    phone = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    phone.goto(f"{server.url}/a/{qr.current_token(scene['roll_call'], school.pk)}")
    phone.fill("#identifier", school.people.order_by("teacher_id").first().teacher_id)
    phone.click("#submit-checkin")
    phone.wait_for_load_state()

    board.wait_for_function(f"""() => document.querySelector('[data-bridge-id="{school.pk}"] .tile-count')
                                 .textContent === "1/3" """, timeout=5000)
    assert board.evaluate("window.__sameDocument") is True
    assert board.locator("#feed li.feed-checkin").count() >= 1
    assert CheckIn.objects.filter(roll_call=scene["roll_call"], bridge=school).count() == 1
    board_context.close()
    phone.context.close()


def test_a_teacher_without_identifier_finds_their_name_and_checks_in(browser, scene):
    """Issue 15: no roster on the page; typing finds a masked name, then birth year and the screen's code."""
    school = scene["TN-S1"]
    person = school.people.order_by("teacher_id").first()  # "Giáo viên TN10"
    person.birth_date = date(1984, 9, 2)
    person.save()
    phone = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    phone.goto(f"{scene['server'].url}/a/{qr.current_token(scene['roll_call'], school.pk)}")
    assert person.full_name not in phone.content()
    phone.click("#by-name summary")
    phone.fill("#name-search", "vi")
    phone.wait_for_timeout(400)
    assert phone.locator("#name-matches input").count() == 0
    phone.fill("#name-search", "viên TN10")
    phone.wait_for_selector("#name-matches input[type=radio]:checked", timeout=5000)
    assert phone.locator("#name-matches label").all_text_contents() == [" G. viên TN10"]
    phone.fill("#birth-year", "1984")
    phone.fill("#second-factor", second_factor.screen_code(scene["roll_call"], school.pk))
    phone.click("#submit-checkin")
    phone.wait_for_selector("#checkin-result[data-outcome=accepted]", timeout=10000)
    assert person.full_name not in phone.content()
    assert CheckIn.objects.filter(roll_call=scene["roll_call"], person=person).count() == 1
    phone.context.close()


def test_an_offline_console_keeps_its_tick_and_syncs_it_later(browser, scene):
    server, school = scene["server"], scene["BS-S2"]
    person = school.people.order_by("teacher_id").first()
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/c/{school.console_token}/")
    page.wait_for_selector("#connection-state[data-state=online]", timeout=10000)
    context.set_offline(True)
    page.wait_for_selector("#connection-state[data-state=offline]", timeout=10000)
    page.click(f'#live-roster [data-person-id="{person.pk}"] .tick-button')
    page.wait_for_selector("#pending-count[data-count='1']", timeout=5000)
    stored = page.evaluate(f"localStorage.getItem('diemcau.console-queue.{school.pk}')")
    assert stored and str(person.pk) in stored
    time.sleep(1)
    assert not CheckIn.objects.filter(person=person).exists()

    context.set_offline(False)
    page.wait_for_selector("#pending-count[data-count='0']", state="attached", timeout=20000)
    page.wait_for_selector(f'#live-roster [data-person-id="{person.pk}"][data-ticked="1"]', timeout=5000)
    assert CheckIn.objects.filter(person=person, roll_call=scene["roll_call"]).count() == 1
    context.close()


def test_a_phone_console_answers_fixes_its_contacts_and_checks_in(browser, scene):
    """The console's forms go to its API with fetch: the answer reloads the page with the server's
    message, a refusal shows its reason next to the field; the live section checks the bridge in and
    shows the roll-call QR served under the console link."""
    server, school = scene["server"], scene["TN-S2"]
    Invitation.objects.filter(event=scene["event"], bridge=school).update(status=Invitation.Status.INVITED)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(f"{server.url}/c/{school.console_token}/")

    # A roll call is open: the answer and the contacts are folded under "more" on this launch-day screen.
    assert page.locator("#registration").is_hidden()
    page.click("#console-more > summary")
    with page.expect_navigation():
        page.click('#registration [data-console-form="confirm"] button[type=submit]')
    page.wait_for_selector("#console-messages li.success", timeout=10000)
    # After the reload the answer is where the school was working, in view (the fold reopened for it).
    assert page.evaluate("document.getElementById('console-messages').closest('section').id") == "registration"
    assert in_view(page, "#console-messages li.success")
    assert Invitation.objects.get(event=scene["event"], bridge=school).status == Invitation.Status.CONFIRMED
    assert page.locator('[data-console-form="confirm"]').count() == 0

    page.fill("#contacts [name=head_phone]", "12345")
    page.click("#contacts button[type=submit]")
    page.wait_for_selector('#contacts [data-field-error="head_phone"]', timeout=10000)
    assert page.locator("#contacts [name=head_phone]").get_attribute("aria-invalid") == "true"
    # The refusal is said at the top of the form, focused and on screen.
    assert page.evaluate("document.activeElement.hasAttribute('data-form-error')")
    assert page.evaluate("document.activeElement.closest('form').dataset.consoleForm") == "contacts"
    assert in_view(page, "#contacts [data-form-error]")
    # In the page's language (Vietnamese: the page is, whatever the browser's Accept-Language says).
    with translation.override("vi"):
        reason = gettext("“%(value)s” is not a valid phone number.") % {"value": "12345"}
    assert page.locator('#contacts [data-field-error="head_phone"]').text_content() == reason
    school.refresh_from_db()
    assert school.head_phone == "0905000000"
    page.fill("#contacts [name=head_phone]", "0905 123 456")
    with page.expect_navigation():
        page.click("#contacts button[type=submit]")
    page.wait_for_selector("#console-messages li.success", timeout=10000)
    school.refresh_from_db()
    assert school.head_phone == "0905123456"

    page.wait_for_function("document.getElementById('rollcall-qr').naturalWidth > 0", timeout=10000)
    page.click("#checkin-button")
    page.wait_for_selector('#checkin-button[data-checked-in="1"]', timeout=10000)
    assert BridgeCheckIn.objects.filter(event=scene["event"], bridge=school).count() == 1
    context.close()


def test_a_school_sends_its_follow_up_report_from_the_console(browser, scene):
    """The follow-up page posts its form (multipart, as an attachment may come with it) to the console API."""
    server, school = scene["server"], scene["BS-S1"]
    form = FollowUpForm.objects.create(event=scene["event"], title="Báo cáo sau lễ",
                                       deadline=timezone.now() + timedelta(days=3))
    followup.link_round(form)  # its engine round (what open_form does; the scene's event may still be live)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{server.url}/c/{school.console_token}/followup/")
    box = f"#form-{form.pk}"
    page.fill(f"{box} [name=students_trained]", "-5")
    page.fill(f"{box} [name=classes_held]", "2")
    page.fill(f"{box} [name=teachers_led]", "1")
    page.click(f"{box} button[type=submit]")
    page.wait_for_selector(f'{box} [data-field-error="students_trained"]', timeout=10000)
    assert not ReportAnswer.objects.exists()
    page.fill(f"{box} [name=students_trained]", "120")
    with page.expect_navigation():
        page.click(f"{box} button[type=submit]")
    page.wait_for_selector("#console-messages li.success", timeout=10000)
    stored = followup.answer_of(form, school)
    assert (stored.students_trained, stored.classes_held, stored.teachers_led) == (120, 2, 1)
    context.close()


_IN_VIEW = """(selector) => {
        const node = document.querySelector(selector);
        if (!node) return false;
        const box = node.getBoundingClientRect();
        return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
    }"""


def in_view(page, selector: str, timeout: float = 5000) -> bool:
    """The element lies wholly within the window, once the page's script has scrolled it there (the
    reload's scroll may land a moment after the element appears)."""
    try:
        page.wait_for_function(_IN_VIEW, arg=selector, timeout=timeout)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: not in view within the time
        return bool(page.evaluate(_IN_VIEW, selector))
    return True


def first_screen_box(page, selector: str) -> dict:
    """The element's box in page coordinates, the page not scrolled."""
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return {top: box.top + window.scrollY, bottom: box.bottom + window.scrollY, width: box.width,
                height: box.height};
    }""", selector)


def test_the_console_first_screen_on_a_phone_during_an_open_roll_call(browser, scene, tmp_path):
    """390×844: the state, the check-in, the roll-call QR and the roster without scrolling; the rest folded."""
    school = scene["BS-S1"]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{scene['server'].url}/c/{school.console_token}/")
    page.wait_for_selector("#connection-state[data-state=online]", timeout=10000)
    page.wait_for_function("document.getElementById('rollcall-qr').naturalWidth > 0", timeout=10000)
    assert page.evaluate("window.scrollY") == 0
    for selector in ("#event-state", "#connection-state", "#checkin-button", "#headcount-input", "#rollcall-qr",
                     "#rollcall-fullscreen", "#rollcall-code-value", "#roster-heading",
                     "#live-roster li[data-person-id]:first-child"):
        box = first_screen_box(page, selector)
        assert box["height"] > 0 and box["top"] >= 0 and box["bottom"] <= 844, (selector, box)
    qr_box = first_screen_box(page, "#rollcall-qr")
    assert qr_box["width"] >= 250 and qr_box["height"] >= 250  # large enough to scan from the back of a room
    # The programme, the readiness test and the contacts wait under "more".
    assert page.locator("#console-more").get_attribute("open") is None
    for hidden in ("#event", "#readiness", "#contacts"):
        assert page.locator(hidden).count() == 1 and page.locator(hidden).is_hidden(), hidden
    page.screenshot(path=str(tmp_path / "console-first-screen.png"))

    # Full screen for the projector: the code fills the screen, and leaves it again.
    page.click("#rollcall-fullscreen")
    page.wait_for_function("""() => document.fullscreenElement === document.getElementById('rollcall')
                               || document.getElementById('rollcall').classList.contains('pseudo-fullscreen')""")
    # The button follows on the fullscreenchange event, dispatched after fullscreenElement is set: waited for.
    page.wait_for_function("""() => document.getElementById('rollcall-fullscreen')
                               .getAttribute('aria-pressed') === 'true'""", timeout=5000)
    big = first_screen_box(page, "#rollcall-qr")
    assert big["height"] > qr_box["height"]
    page.click("#rollcall-fullscreen")
    page.wait_for_function("""() => !document.fullscreenElement
                               && !document.getElementById('rollcall').classList.contains('pseudo-fullscreen')""")
    context.close()


def test_a_mis_tapped_tick_is_undone_from_the_roster(browser, scene):
    school = scene["BS-S2"]
    person = school.people.order_by("name_key", "id").first()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{scene['server'].url}/c/{school.console_token}/")
    page.wait_for_selector("#connection-state[data-state=online]", timeout=10000)
    row = f'#live-roster [data-person-id="{person.pk}"]'
    assert page.locator(f"{row} .undo-button").is_hidden()
    page.click(f"{row} .tick-button")
    page.wait_for_selector(f'{row}[data-ticked="1"]:not([data-pending]) .undo-button:not([hidden])', timeout=10000)
    assert CheckIn.objects.filter(person=person, roll_call=scene["roll_call"]).count() == 1
    page.click(f"{row} .undo-button")
    page.wait_for_selector(f'{row}[data-ticked="0"]:not([data-pending])', timeout=10000)
    assert page.locator(f"{row} .undo-button").is_hidden() and page.locator(f"{row} .tick-button").is_visible()
    assert page.locator("#live-message").is_visible() and person.full_name in page.locator("#live-message").inner_text()
    assert not CheckIn.objects.filter(person=person).exists()
    assert list(AuditEntry.objects.filter(target_type="attendance.checkin").order_by("at")
                .values_list("action", flat=True)) == ["attendance.tick", "attendance.tick_undone"]
    # Still undone after a reload: the server's state, not the page's.
    page.reload()
    page.wait_for_selector("#connection-state[data-state=online]", timeout=10000)
    assert page.locator(row).get_attribute("data-ticked") == "0"
    context.close()


def test_a_teachers_qr_check_in_appears_on_the_console_roster_without_reload(browser, scene):
    server, school = scene["server"], scene["TN-S2"]
    teacher = school.people.order_by("teacher_id").first()
    console = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    console.goto(f"{server.url}/c/{school.console_token}/")
    console.wait_for_selector("#connection-state[data-state=online]", timeout=10000)
    row = f'#live-roster [data-person-id="{teacher.pk}"]'
    assert console.locator(row).get_attribute("data-ticked") == "0"
    console.evaluate("window.__sameDocument = true")

    phone = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    phone.goto(f"{server.url}/a/{qr.current_token(scene['roll_call'], school.pk)}")
    phone.fill("#identifier", teacher.teacher_id)
    phone.click("#submit-checkin")
    phone.wait_for_selector("#checkin-result[data-outcome=accepted]", timeout=10000)

    console.wait_for_selector(f'{row}[data-ticked="1"][data-method="self_qr"]', timeout=5000)
    assert console.evaluate("window.__sameDocument") is True
    assert console.locator(f"{row} .undo-button").is_hidden()  # a teacher's own check-in is not the console's to undo
    assert console.locator(f"{row} .tick-state").inner_text().strip() != ""
    phone.context.close()
    console.context.close()


SKEW_SCRIPT = """
(() => {
  const skew = %d;
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + skew;
  document.addEventListener("launch:start", () => {
    window.__launchRealAt = performance.timeOrigin + performance.now();
  });
})();
"""


def test_consoles_with_different_clocks_launch_together(browser, scene):
    server = scene["server"]
    schools = {"ahead": (scene["BS-S1"], 8000), "behind": (scene["TN-S1"], -5000)}
    pages = {}
    for name, (school, skew) in schools.items():
        context = browser.new_context()
        context.add_init_script(SKEW_SCRIPT % skew)
        page = context.new_page()
        page.goto(f"{server.url}/c/{school.console_token}/")
        pages[name] = page
    host_context = browser.new_context()
    host = host_context.new_page()
    host.on("dialog", lambda dialog: dialog.accept())
    host.goto(f"{server.url}/c/{scene['host'].console_token}/")
    host.wait_for_selector("#launch-console:not(.hidden) [data-launch-press]", timeout=10000)
    time.sleep(1.5)  # let the consoles measure their clock offsets
    host.click("[data-launch-press]")
    for page in pages.values():
        page.wait_for_selector("#launch-overlay[data-phase=countdown]", timeout=5000)
    launch = Launch.objects.get(event=scene["event"])
    at_ms = launch.at.timestamp() * 1000
    for page in pages.values():
        page.wait_for_selector("#launch-overlay[data-phase=launched]", timeout=15000)
    started = {name: page.evaluate("window.__launchRealAt") for name, page in pages.items()}
    print(f"launch screens: {started['ahead'] - started['behind']:+.0f} ms apart; "
          f"{started['ahead'] - at_ms:+.0f} / {started['behind'] - at_ms:+.0f} ms from the server's instant")
    assert abs(started["ahead"] - started["behind"]) < 300, started
    # And both at the server's instant, not 8 s early or 5 s late.
    assert all(abs(value - at_ms) < 300 for value in started.values()), (started, at_ms)
    for page in pages.values():
        page.context.close()
    host_context.close()


if os.environ.get("DIEMCAU_BROWSER_DEBUG"):
    CHROMIUM_ARGS.remove("--headless=new")
