"""The console's launch-day screen: while the school's event is under way or a roll call of it is open, the
sections that declare a live position come first and the rest folds under "more" (events.console_sections,
console/views.py); namesakes on the roster are told apart by one rule (bridges.names)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from attendance.services import rollcall
from bridges.models import Person
from bridges.names import NameRow, distinct_labels
from events import console_sections
from events.console_sections import ConsoleSection, launch_day_order
from events.models import Event
from tests.attendance_support import make_event

pytestmark = pytest.mark.django_db


def page(client, bridge) -> str:
    return client.get(reverse("console", args=[bridge.console_token]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()


def section_ids(html: str) -> list[str]:
    return re.findall(r'<section class="card[^"]*"[^>]*?\sid="([\w-]+)"', html)


def folded_ids(html: str) -> list[str]:
    start = html.index('<details class="console-more" id="console-more">')
    return section_ids(html[start:html.index("</details>\n", html.index('id="roster"'))])


def test_an_open_roll_call_puts_check_in_qr_and_roster_first(client, small_tree):
    env = make_event(small_tree, status=Event.Status.PUBLISHED, start_offset=timedelta(days=2))
    html = page(client, env.school)
    assert 'id="console-more"' not in html and section_ids(html).index("event") < section_ids(html).index("attendance-live")

    rollcall.open_roll_call(env.session, label="Đầu giờ")  # the organizers test a roll call days ahead
    html = page(client, env.school)
    ids = section_ids(html)
    assert ids[0] == "attendance-live"
    assert {"event", "registration", "readiness", "contacts", "roster"} <= set(folded_ids(html))
    assert "attendance-live" not in folded_ids(html)
    live = html[html.index('id="attendance-live"'):html.index('id="console-more"')]
    for marker in ('id="checkin-button"', 'id="rollcall-qr"', 'id="rollcall-fullscreen"', 'id="live-roster"',
                   'class="undo-button" hidden'):
        assert marker in live, marker
    with translation.override("vi"):
        assert gettext("Roll call open") in live


def test_an_event_under_way_is_a_launch_day_too(client, small_tree):
    env = make_event(small_tree, status=Event.Status.PUBLISHED, start_offset=timedelta(minutes=-5))
    html = page(client, env.school)
    assert section_ids(html)[0] == "attendance-live" and 'id="console-more"' in html
    with translation.override("vi"):
        assert gettext("Under way") in html


def test_the_registry_decides_the_first_screen(client, small_tree, monkeypatch):
    env = make_event(small_tree)  # live
    monkeypatch.setitem(console_sections._SECTIONS, "test-first",
                        ConsoleSection("test-first", 99, "followups/_console_followup.html",
                                       lambda bridge, event, token: {"pending": [], "overdue": []}, live=1))
    html = page(client, env.school)
    assert section_ids(html)[:2] == ["followup", "attendance-live"]
    first, folded = launch_day_order(console_sections.registered())
    assert [s.key for s in first][:2] == ["test-first", "live"]
    assert all(s.live is None for s in folded) and [s.order for s in folded] == sorted(s.order for s in folded)


def test_namesakes_are_told_apart_by_birth_year_else_identifier():
    rows = [NameRow(1, "Nguyễn Thị Lan", date(1980, 3, 1), "012345678901"),
            NameRow(2, "Nguyễn  thị Lan", date(1991, 3, 1), "012345679999"),
            NameRow(3, "Trần Văn Bình", date(1980, 3, 1), ""),
            NameRow(4, "Lê Hoa", date(1985, 1, 1), "000000001111"),
            NameRow(5, "Lê Hoa", date(1985, 6, 1), "000000002222"),
            NameRow(6, "Lê Hòa", None, "")]
    with translation.override("en"):
        labels = distinct_labels(rows)
    assert labels[1] == "Nguyễn Thị Lan (born 1980)" and labels[2] == "Nguyễn  thị Lan (born 1991)"
    assert labels[3] == "Trần Văn Bình" and labels[6] == "Lê Hòa"  # another letter is another name
    assert labels[4] == "Lê Hoa (ID …1111)" and labels[5] == "Lê Hoa (ID …2222)"


def test_the_console_lists_namesakes_with_what_tells_them_apart(client, small_tree):
    env = make_event(small_tree)
    school = env.school
    Person.objects.create(bridge=school, full_name="Phạm Thu Hà", birth_date=date(1979, 2, 2), teacher_id="079000111")
    Person.objects.create(bridge=school, full_name="Phạm Thu Hà", birth_date=date(1992, 2, 2), teacher_id="079000222")
    roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ")
    with translation.override("vi"):
        older = gettext("%(name)s (born %(year)s)") % {"name": "Phạm Thu Hà", "year": "1979"}
        younger = gettext("%(name)s (born %(year)s)") % {"name": "Phạm Thu Hà", "year": "1992"}
    html = page(client, school)
    live = html[html.index('id="live-roster"'):html.index('id="console-more"')]
    roster = html[html.index('<section class="card" id="roster">'):]
    for where in (live, roster):
        assert older in where and younger in where
    # Only namesakes: the other names stay bare, and no identifier or other birth year shows.
    assert "1980" not in live and "079000111" not in html and env.people[0].full_name + " (" not in live
    api = client.get(f"/api/console/{school.console_token}/roster?roll_call={roll_call.pk}",
                     HTTP_ACCEPT_LANGUAGE="vi").json()
    labels = {p["label"] for p in api["people"] if p["name"] == "Phạm Thu Hà"}
    assert labels == {older, younger}


def test_a_contacts_refusal_is_placed_at_the_top_of_its_form(client, small_tree):
    """The summary box the script fills is the form's first element (the browser test checks it is focused)."""
    env = make_event(small_tree, status=Event.Status.PUBLISHED, start_offset=timedelta(days=1))
    html = page(client, env.school)
    form = html[html.index('data-console-form="contacts"'):]
    assert form.index("data-form-error") < form.index("<label")
    # Reloading to #contacts on a launch day opens the fold (console_forms.js); the fold is a <details>.
    rollcall.open_roll_call(env.session, label="Thử", now=timezone.now())
    assert "contacts" in folded_ids(page(client, env.school))
