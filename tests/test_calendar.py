"""Calendars: the event .ics and the per-bridge feed, parsed back with icalendar."""

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from bridges.services import console_url, rotate_console_link
from events import services
from events.models import Event

from .invitation_data import TZ, at, make_event


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def only_event(cal: icalendar.Calendar) -> icalendar.Event:
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def assert_rfc5545_lines(body: bytes) -> None:
    # Content lines end with CRLF and are folded at 75 octets (RFC 5545 §3.1).
    assert body.endswith(b"\r\n")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
        assert b"\n" not in line


@pytest.fixture
def event(small_tree, tiers):
    return make_event(small_tree, tiers)


def test_event_ics_parses_back_with_times_zone_and_reminders(client, event):
    response = client.get(f"/events/{event.pk}.ics")
    assert_rfc5545_lines(response.content)
    cal = parse(response)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["VERSION"]) == "2.0"
    assert "diemcau" in str(cal["PRODID"])
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Asia/Ho_Chi_Minh"]

    vevent = only_event(cal)
    assert str(vevent["UID"]) == f"{event.uid}@diemcau"
    assert vevent["SEQUENCE"] == 0
    assert vevent["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert vevent["DTEND"].params["TZID"] == "Asia/Ho_Chi_Minh"
    start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
    assert start == at(8) and end == at(11, 30)
    assert start.utcoffset() == dt.timedelta(hours=7)
    assert (start.hour, start.minute) == (8, 0)
    assert str(vevent["SUMMARY"]) == event.title
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "Trung tâm IOC" in str(vevent["LOCATION"]) and "Hùng Vương" in str(vevent["LOCATION"])
    assert "Phát biểu chỉ đạo" in str(vevent["DESCRIPTION"])
    assert "DTSTAMP" in vevent
    triggers = sorted(alarm.decoded("TRIGGER") for alarm in vevent.walk("VALARM"))
    assert triggers == [dt.timedelta(days=-1), dt.timedelta(minutes=-30)]
    assert {str(alarm["ACTION"]) for alarm in vevent.walk("VALARM")} == {"DISPLAY"}
    # The public file carries no console secret.
    assert b"/c/" not in response.content


def test_sequence_rises_on_every_change_and_cancel_is_published(client, event):
    first = only_event(parse(client.get(f"/events/{event.pk}.ics")))
    services.update_event(event, {"title": "Lễ phát động (dời giờ)", "starts_at": at(7, 30)})
    second = only_event(parse(client.get(f"/events/{event.pk}.ics")))
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert second.decoded("DTSTART") == at(7, 30)
    assert str(second["SUMMARY"]) == "Lễ phát động (dời giờ)"

    services.set_status(Event.objects.get(pk=event.pk), Event.Status.CANCELLED)
    third = only_event(parse(client.get(f"/events/{event.pk}.ics")))
    assert third["UID"] == first["UID"]
    assert third["SEQUENCE"] > second["SEQUENCE"]
    assert str(third["STATUS"]) == "CANCELLED"


def test_draft_calendar_only_for_organizers(client, small_tree, tiers, organizer, make_user):
    draft = make_event(small_tree, tiers, status=Event.Status.DRAFT)
    assert client.get(f"/events/{draft.pk}.ics").status_code == 404
    client.force_login(make_user("official", "official"))
    assert client.get(f"/events/{draft.pk}.ics").status_code == 404
    client.force_login(organizer)
    assert str(only_event(parse(client.get(f"/events/{draft.pk}.ics")))["STATUS"]) == "TENTATIVE"
    assert client.get("/events/999999.ics").status_code == 404


@pytest.mark.services
def test_bridge_feed_lists_only_invited_events_and_dies_with_the_link(client, small_tree, tiers):
    school = small_tree["BS-S1"]
    school.address = "Xã Bình Hiệp, huyện Bình Sơn"
    school.save()
    mine = make_event(small_tree, tiers, title="Sự kiện của trường", invite=("BS-S1",), day=15)
    make_event(small_tree, tiers, title="Sự kiện khác", invite=("TN-S1",), day=16)
    make_event(small_tree, tiers, title="Bản nháp", status=Event.Status.DRAFT, invite=("BS-S1",), day=17)
    cancelled = make_event(small_tree, tiers, title="Đã huỷ", status=Event.Status.CANCELLED, invite=("BS-S1",),
                           day=18)

    url = reverse("console_calendar", args=[school.console_token])
    response = client.get(url)
    assert_rfc5545_lines(response.content)
    cal = parse(response)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    by_uid = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(by_uid) == {f"{mine.uid}@diemcau", f"{cancelled.uid}@diemcau"}

    entry = by_uid[f"{mine.uid}@diemcau"]
    assert str(entry["LOCATION"]) == "Trường BS 1, Xã Bình Hiệp, huyện Bình Sơn"
    assert str(entry["URL"]) == console_url(school)
    assert "Hiệu trưởng và toàn thể giáo viên" in str(entry["DESCRIPTION"])
    assert entry.decoded("DTSTART") == at(8, day=15)
    assert entry.decoded("DTSTART").tzinfo.key == TZ.key
    assert len(entry.walk("VALARM")) == 2
    assert str(by_uid[f"{cancelled.uid}@diemcau"]["STATUS"]) == "CANCELLED"

    rotate_console_link(school)
    assert client.get(url).status_code == 404
    school.refresh_from_db()
    assert client.get(reverse("console_calendar", args=[school.console_token])).status_code == 200


def test_feed_with_unknown_token_is_404(client, db):
    assert client.get("/c/not-a-real-token/calendar.ics").status_code == 404


def test_api_serves_the_event_calendar(client, event):
    cal = parse(client.get(f"/api/events/{event.pk}/calendar.ics"))
    assert str(only_event(cal)["UID"]) == f"{event.uid}@diemcau"
