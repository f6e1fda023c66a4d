"""Numbers written the Vietnamese way for people (17.878; 87,6 %; 132,2 Mbit/s): core.numbers, its template
filters and the pages that use them; machine-read values (attributes, JSON) stay bare (issue 14)."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from attendance.models import BridgeCheckIn, RollCall
from bridges.models import Bridge, Person
from bridges.tree import assign_paths_after_bulk_create
from core import numbers
from events.models import Event, Invitation, ReadinessTest, Session

NBSP = "\u00a0"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_grouped_writes_dots_between_thousands_and_a_decimal_comma_in_either_language(language):
    with translation.override(language):
        assert numbers.grouped(17878) == "17.878"
        assert numbers.grouped(1_234_567) == "1.234.567"
        assert numbers.grouped(999) == "999"
        assert numbers.grouped(1000) == "1.000"
        assert numbers.grouped(132.24, 1) == "132,2"
        assert numbers.grouped(132.25, 1) == "132,3"  # rounded half up, not cut off
        assert numbers.grouped(1234.6) == "1.235"
        assert numbers.grouped(0.5, 1) == "0,5"
        assert numbers.grouped(-2500) == "-2.500"
        assert numbers.grouped(None) == numbers.EMPTY
        assert numbers.grouped("") == numbers.EMPTY


def test_percent_puts_a_no_break_space_before_the_sign():
    assert numbers.percent(87.63) == f"87,6{NBSP}%"
    assert numbers.percent(100, 0) == f"100{NBSP}%"
    assert numbers.percent(87.66) == f"87,7{NBSP}%"
    assert numbers.percent(None) == numbers.EMPTY


def test_ratio_percent_divides_and_refuses_an_empty_whole():
    assert numbers.ratio_percent(15_662, 17_878) == f"87,6{NBSP}%"
    assert numbers.ratio_percent(3, 0) == numbers.EMPTY
    assert numbers.ratio_percent(0, 4) == f"0,0{NBSP}%"


def test_filters_format_numbers_and_leave_what_is_not_a_number_as_it_is():
    rendered = Template("{% load numbers %}{{ n|num }}|{{ x|num:1 }}|{{ p|pct }}|{{ p|pct:0 }}|{{ word|num }}|{{ none|num }}")
    text = rendered.render(Context({"n": 17878, "x": 132.24, "p": 87.63, "word": "abc", "none": None}))
    assert text == f"17.878|132,2|87,6{NBSP}%|88{NBSP}%|abc|{numbers.EMPTY}"


@pytest.fixture
def big_event(tiers, organizer, client):
    """1,234 schools under one district (bulk), every one invited; 1,500 teachers at the first school; one
    roll call; speed tests at the first school: a slow one (1,234.4 ms, 132.24 Mbit/s)."""
    host = Bridge.objects.create(code="IOC", name="Trung tâm IOC", tier=tiers["host"])
    district = Bridge.objects.create(code="BS", name="Huyện Bình Sơn", tier=tiers["district"], parent=host)
    schools = Bridge.objects.bulk_create([
        Bridge(code=f"BS-{n:04d}", name=f"Trường {n}", tier=tiers["school"], parent=district, expected_participants=2)
        for n in range(1234)])
    assign_paths_after_bulk_create(schools)
    first = Bridge.objects.get(code="BS-0000")
    Person.objects.bulk_create([Person(bridge=first, full_name=f"Giáo viên {n}", teacher_id=f"T{n:05d}")
                                for n in range(1500)])
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=host, status=Event.Status.PUBLISHED,
                                 starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2))
    session = Session.objects.create(event=event, title="Khai mạc", starts_at=event.starts_at, ends_at=event.ends_at)
    RollCall.objects.create(session=session, label="Đầu buổi", opened_at=now - timedelta(minutes=20),
                            closes_at=now - timedelta(minutes=10))
    # 7 of every 8 tested OK: 87,5 % ready.
    Invitation.objects.bulk_create([
        Invitation(event=event, bridge=school,
                   status=Invitation.Status.CONFIRMED if n % 8 == 7 else Invitation.Status.TESTED_OK)
        for n, school in enumerate(Bridge.objects.filter(tier=tiers["school"]).order_by("code"))])
    invitation = Invitation.objects.get(event=event, bridge=first)
    ReadinessTest.objects.create(invitation=invitation, ok=False, rtt_ms=1234.4, download_mbps=132.24)
    client.force_login(organizer)
    return {"event": event, "first": first, "client": client}


def _text(response) -> str:
    """The page's text as people read it: tags (and so their attributes) left out."""
    assert response.status_code == 200
    return re.sub(r"<[^>]+>", " ", response.content.decode())


def test_event_page_and_readiness_write_counts_and_shares_the_vietnamese_way(big_event):
    client, event = big_event["client"], big_event["event"]
    detail = _text(client.get(reverse("events:detail", args=[event.pk])))
    assert "1.234" in detail and "1234" not in detail
    readiness = client.get(reverse("events:readiness", args=[event.pk]))
    text = _text(readiness)
    assert "1.234" in text and "1.080" in text  # invited; tested OK (7 of every 8 of 1,234)
    assert f"87,5{NBSP}%" in text
    # The meter's value is for the browser: a bare number.
    assert re.search(r'<meter min="0" max="100" value="88">', readiness.content.decode())


def test_speed_test_results_show_grouped_milliseconds_and_a_decimal_comma(big_event):
    client, event = big_event["client"], big_event["event"]
    page = _text(client.get(reverse("events:invitation", args=[event.pk, big_event["first"].code])))
    assert "1.234" in page and "132,2" in page
    assert "132.2" not in page and "1234" not in page.replace("BS-0000", "")


def test_roll_calls_count_people_on_rosters_grouped(big_event):
    client, event = big_event["client"], big_event["event"]
    page = _text(client.get(reverse("attendance:rollcalls", args=[event.pk])))
    assert "1.500 người trong danh sách" in page  # Vietnamese first, the count formatted inside the sentence
    letters = _text(client.get(reverse("events:invitation_letters", args=[event.pk])))
    assert "1.234 điểm cầu được mời" in letters


def test_board_page_loads_the_shared_formatter_and_keeps_its_snapshot_bare(big_event):
    client, event = big_event["client"], big_event["event"]
    BridgeCheckIn.objects.create(event=event, bridge=big_event["first"], headcount=1234, checked_in_at=timezone.now())
    page = client.get(reverse("attendance:board", args=[event.pk]))
    html = page.content.decode()
    assert "js/numbers.js" in html and html.index("js/numbers.js") < html.index("js/board.js")
    snapshot = json.loads(re.search(r'<script id="board-snapshot" type="application/json">(.*?)</script>', html,
                                    re.S).group(1))
    assert snapshot["counters"]["total"]["headcount"] == 1234
    assert isinstance(snapshot["counters"]["total"]["invited"], int)


def test_room_plan_link_and_invitation_counts_are_grouped(big_event):
    """The room plan's "Show all N bridges" link (issue 14): the count formatted, the plural still chosen by it."""
    client, event = big_event["client"], big_event["event"]
    plan = client.get(reverse("video:room_plan", args=[event.pk]))
    text = _text(plan)
    assert "Hiện cả 1.234 điểm cầu của phòng này" in text  # the 1,234 invited schools, none placed yet
    assert "1234" not in text.replace("BS-1234", "")
    assert 'href="?room=unassigned#unassigned"' in plan.content.decode()  # the link itself stays bare
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the switch: English, the plural picked by the count
    english = _text(client.get(reverse("video:room_plan", args=[event.pk])))
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert "Show all 1.234 bridges of this room" in english
    invitations = _text(client.get(reverse("events:invitations", args=[event.pk])))
    assert "1.234 lời mời phù hợp" in invitations
    assert "1234" not in invitations.replace("BS-1234", "")
    invite = _text(client.get(reverse("events:invite", args=[event.pk])))
    assert "Đến nay đã mời 1.234 điểm cầu" in invite
