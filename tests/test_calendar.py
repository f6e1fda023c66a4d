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


# --- What other calendar programs read: durations, ORGANIZER, HEAD, declined, cancellation --------

def parse_vobject(body: bytes):
    import vobject

    return vobject.readOne(body.decode("utf-8"))


def parse_ics_py(body: bytes):
    import ics

    return ics.Calendar(body.decode("utf-8"))


def feed_of(client, bridge) -> bytes:
    response = client.get(reverse("console_calendar", args=[bridge.console_token]))
    assert response.status_code == 200
    return response.content


def test_feed_refresh_hints_are_rfc5545_durations(client, event, small_tree):
    import vobject.icalendar

    body = feed_of(client, small_tree["BS-S1"])
    lines = body.decode().split("\r\n")
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    # icalendar: the typed property decodes to a timedelta; the X- one parses as a DURATION value.
    cal = icalendar.Calendar.from_ical(body)
    assert cal.decoded("REFRESH-INTERVAL") == dt.timedelta(hours=1)
    assert icalendar.vDuration.from_ical(str(cal["X-PUBLISHED-TTL"])) == dt.timedelta(hours=1)
    # vobject reads both as durations too.
    feed = parse_vobject(body)
    for name in ("refresh_interval", "x_published_ttl"):
        assert vobject.icalendar.stringToDurations(getattr(feed, name).value) == [dt.timedelta(hours=1)]
    # ics-py accepts the whole feed (it parses VTIMEZONE, VEVENT and VALARM itself).
    assert [e.uid for e in parse_ics_py(body).events] == [f"{event.uid}@diemcau"]


def test_organizer_is_in_every_published_entry(client, event, small_tree, settings):
    settings.CALENDAR_ORGANIZER_EMAIL = "Văn phòng <vanphong@sgddt.example.vn>"
    settings.INVITATION_ISSUER = "Sở Giáo dục và Đào tạo tỉnh Quảng Ngãi"
    for body in (client.get(f"/events/{event.pk}.ics").content, feed_of(client, small_tree["BS-S1"])):
        entry = only_event(icalendar.Calendar.from_ical(body))
        assert str(entry["ORGANIZER"]) == "mailto:vanphong@sgddt.example.vn"
        assert str(entry["ORGANIZER"].params["CN"]) == "Sở Giáo dục và Đào tạo tỉnh Quảng Ngãi"
        # RFC 5546 3.2.1: PUBLISH has an ORGANIZER and no ATTENDEE.
        assert "ATTENDEE" not in entry
        vevent = parse_vobject(body).vevent
        assert vevent.organizer.value == "mailto:vanphong@sgddt.example.vn"
        assert vevent.organizer.params["CN"] == ["Sở Giáo dục và Đào tạo tỉnh Quảng Ngãi"]
        organizer = next(iter(parse_ics_py(body).events)).organizer
        assert organizer.email == "vanphong@sgddt.example.vn"
        assert organizer.common_name == "Sở Giáo dục và Đào tạo tỉnh Quảng Ngãi"


def test_organizer_falls_back_to_the_sender_and_the_host(client, event, settings):
    settings.CALENDAR_ORGANIZER_EMAIL = ""
    settings.INVITATION_ISSUER = ""
    settings.DEFAULT_FROM_EMAIL = "diemcau <no-reply@diemcau.example.vn>"
    entry = only_event(parse(client.get(f"/events/{event.pk}.ics")))
    assert str(entry["ORGANIZER"]) == "mailto:no-reply@diemcau.example.vn"
    assert str(entry["ORGANIZER"].params["CN"]) == event.host.name


def test_head_is_answered_like_get_on_every_calendar_url(client, event, small_tree):
    school = small_tree["BS-S1"]
    for url in (f"/events/{event.pk}.ics", f"/api/events/{event.pk}/calendar.ics",
                reverse("console_calendar", args=[school.console_token])):
        got = client.get(url)
        head = client.head(url)
        assert head.status_code == 200, (url, head.status_code)
        assert head["Content-Type"] == got["Content-Type"] == calendar_type()
        assert head.content == b""
        assert client.post(url).status_code == 405, url
    assert client.head("/events/999999.ics").status_code == 404
    assert client.head("/api/events/999999/calendar.ics").status_code == 404
    assert client.head("/c/not-a-real-token/calendar.ics").status_code == 404


def calendar_type() -> str:
    from events.calendar import CONTENT_TYPE

    return CONTENT_TYPE


def test_declined_school_sees_the_event_as_declined_without_alarms(client, event, small_tree):
    from events.models import Invitation

    Invitation.objects.filter(event=event, bridge=small_tree["BS-S2"]).update(status=Invitation.Status.DECLINED)
    declined_body = feed_of(client, small_tree["BS-S2"])
    entry = only_event(icalendar.Calendar.from_ical(declined_body))
    assert str(entry["UID"]) == f"{event.uid}@diemcau"
    assert str(entry["TRANSP"]) == "TRANSPARENT"
    assert str(entry["X-MICROSOFT-CDO-BUSYSTATUS"]) == "FREE"
    assert entry.walk("VALARM") == []
    assert event.title in str(entry["SUMMARY"]) and str(entry["SUMMARY"]) != event.title
    assert str(entry["STATUS"]) == "CONFIRMED"  # the event still takes place; this school does not come
    assert not parse_vobject(declined_body).vevent.contents.get("valarm")
    assert [len(e.alarms) for e in parse_ics_py(declined_body).events] == [0]
    assert next(iter(parse_ics_py(declined_body).events)).transparent is True

    # The school that still comes keeps its reminders.
    coming = only_event(icalendar.Calendar.from_ical(feed_of(client, small_tree["BS-S1"])))
    assert str(coming["TRANSP"]) == "OPAQUE" and len(coming.walk("VALARM")) == 2
    assert str(coming["SUMMARY"]) == event.title


# --- Cancelling: METHOD:CANCEL to every invited bridge with an address ---------------------------

@pytest.fixture
def mailed_event(event, small_tree):
    from events.models import Invitation

    for code, address in (("BS-S1", "bs1@example.edu.vn"), ("BS-S2", "bs2@example.edu.vn")):
        small_tree[code].email = address
        small_tree[code].save()
    Invitation.objects.create(event=event, bridge=small_tree["TN-S1"])  # no address
    Invitation.objects.filter(event=event, bridge=small_tree["BS-S2"]).update(status=Invitation.Status.DECLINED)
    return event


def calendar_parts(message):
    import email

    parsed = email.message_from_bytes(message.message().as_bytes())
    return [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]


def test_cancel_page_asks_then_mails_method_cancel(client, organizer, mailed_event, small_tree):
    from django.core import mail

    from core.models import AuditEntry, Job
    from events.calendar import invitation_request_ics
    from events.models import Invitation

    event = mailed_event
    request_entry = only_event(icalendar.Calendar.from_ical(invitation_request_ics(
        Invitation.objects.select_related("event__host", "bridge").get(event=event, bridge=small_tree["BS-S1"]))))
    client.force_login(organizer)
    url = reverse("events:cancel", args=[event.pk])
    detail = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert url in detail
    page = client.get(url)
    assert page.status_code == 200
    assert "METHOD:CANCEL" in page.content.decode() and not mail.outbox
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED

    response = client.post(url, follow=True)
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    # Both bridges with an address, the one that declined included; the one without none.
    assert sorted(m.to[0] for m in mail.outbox) == ["bs1@example.edu.vn", "bs2@example.edu.vn"]
    for message in mail.outbox:
        assert event.title in message.subject
        parts = calendar_parts(message)
        assert len(parts) == 1 and parts[0].get_param("method") == "CANCEL"
        assert parts[0].get_filename() == "invite.ics"
        body = parts[0].get_payload(decode=True)
        assert_rfc5545_lines(body)
        cal = icalendar.Calendar.from_ical(body)
        assert str(cal["METHOD"]) == "CANCEL"
        entry = only_event(cal)
        assert str(entry["UID"]) == str(request_entry["UID"])
        assert entry["SEQUENCE"] > request_entry["SEQUENCE"]
        assert entry["SEQUENCE"] == event.sequence
        assert str(entry["STATUS"]) == "CANCELLED"
        assert str(entry["ORGANIZER"]).startswith("mailto:")
        assert str(entry["ATTENDEE"]) == f"mailto:{message.to[0]}"
        assert entry.walk("VALARM") == []
        vevent = parse_vobject(body).vevent
        assert vevent.uid.value == str(request_entry["UID"]) and vevent.status.value == "CANCELLED"
        assert int(vevent.sequence.value) == event.sequence
        parsed = next(iter(parse_ics_py(body).events))
        assert parsed.uid == str(request_entry["UID"]) and parsed.status == "CANCELLED"
    job = Job.objects.get(kind="events.cancellation_emails")
    assert job.status == Job.Status.DONE and job.result["sent"] == 2 and job.result["without_email"] == 1
    assert AuditEntry.objects.filter(action="event.status", details__to="cancelled").count() == 1
    sent = AuditEntry.objects.get(action="event.cancellations_sent")
    assert sent.actor == organizer and sent.details["sent"] == 2
    # The page now shows the job; a second cancel changes nothing and mails nobody.
    assert f'data-job-id="{job.pk}"' in client.get(url).content.decode()
    client.post(url)
    assert len(mail.outbox) == 2 and Job.objects.filter(kind="events.cancellation_emails").count() == 1


def test_cancel_through_the_api_returns_the_mail_job(client, organizer, mailed_event):
    from django.core import mail

    client.force_login(organizer)
    response = client.post(f"/api/events/{mailed_event.pk}/cancel", content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled" and body["sequence"] > 0
    assert body["cancellation_job"]["kind"] == "events.cancellation_emails"
    assert body["cancellation_job"]["status"] == "done"
    assert len(mail.outbox) == 2
    again = client.post(f"/api/events/{mailed_event.pk}/cancel", content_type="application/json")
    assert again.status_code == 400 and again.json()["detail"]
    assert len(mail.outbox) == 2


def test_status_route_cancels_the_same_way(client, organizer, mailed_event):
    from django.core import mail

    client.force_login(organizer)
    response = client.post(f"/api/events/{mailed_event.pk}/status", {"status": "cancelled"},
                           content_type="application/json")
    assert response.status_code == 200
    assert sorted(m.to[0] for m in mail.outbox) == ["bs1@example.edu.vn", "bs2@example.edu.vn"]


def test_cancelling_a_draft_mails_nobody(english, organizer, small_tree, tiers):
    from django.core import mail

    small_tree["BS-S1"].email = "bs1@example.edu.vn"
    small_tree["BS-S1"].save()
    draft = make_event(small_tree, tiers, status=Event.Status.DRAFT)
    english.force_login(organizer)
    page = english.get(reverse("events:cancel", args=[draft.pk])).content.decode()
    assert "never published" in page and "METHOD:CANCEL" not in page
    english.post(reverse("events:cancel", args=[draft.pk]))
    assert Event.objects.get(pk=draft.pk).status == Event.Status.CANCELLED
    assert not mail.outbox


def test_only_organizers_cancel(client, make_user, mailed_event, small_tree):
    from bridges.models import Role

    client.force_login(make_user("bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"]))
    assert client.get(reverse("events:detail", args=[mailed_event.pk])).status_code == 200
    url = reverse("events:cancel", args=[mailed_event.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert client.post(f"/api/events/{mailed_event.pk}/cancel", content_type="application/json").status_code == 403
    assert Event.objects.get(pk=mailed_event.pk).status == Event.Status.PUBLISHED


def test_organizer_is_named_after_the_letters_issuer(client, event, settings):
    from events.services import letters

    settings.INVITATION_ISSUER = "Sở Giáo dục và Đào tạo"
    letters.save_letter(event, {"issuer": "UBND tỉnh Quảng Ngãi"})
    entry = only_event(parse(client.get(f"/events/{event.pk}.ics")))
    assert str(entry["ORGANIZER"].params["CN"]) == "UBND tỉnh Quảng Ngãi"
