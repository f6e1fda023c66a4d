"""Events, sessions and agenda: the rules on times and status, the organizer pages and the API."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from bridges.models import Role
from core.models import AuditEntry
from events import services
from events.models import AgendaItem, Event, Session

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def event(small_tree):
    event = services.create_event(title="Lễ phát động", host=small_tree["host"], starts_at=at(10, 8),
                                  ends_at=at(10, 11, 30))
    ceremony = services.add_session(event, title="Lễ phát động", starts_at=at(10, 8), ends_at=at(10, 8, 45))
    services.add_session(event, title="Tập huấn", starts_at=at(10, 9), ends_at=at(10, 11, 30),
                         counts_for_completion=True)
    services.add_agenda_item(ceremony, title="Khai mạc", starts_at=at(10, 8), ends_at=at(10, 8, 10), kind="opening")
    services.add_agenda_item(ceremony, title="Nghi thức phát động", starts_at=at(10, 8, 25),
                             ends_at=at(10, 8, 30), kind="launch")
    event.refresh_from_db()
    return event


def snapshot(event):
    event.refresh_from_db()
    return (event.title, event.starts_at, event.ends_at, event.status, event.sequence,
            list(Session.objects.filter(event=event).values_list("title", "starts_at", "ends_at")),
            list(AgendaItem.objects.filter(session__event=event).values_list("title", "starts_at", "ends_at")))


class TestRules:
    def test_event_ending_before_it_starts_is_refused(self, small_tree):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            services.create_event(title="X", host=small_tree["host"], starts_at=at(10, 9), ends_at=at(10, 8))
        assert Event.objects.count() == 0

    def test_session_outside_its_event_changes_nothing(self, event):
        from django.core.exceptions import ValidationError

        before = snapshot(event)
        with pytest.raises(ValidationError):
            services.add_session(event, title="Buổi chiều", starts_at=at(10, 13), ends_at=at(10, 15))
        with pytest.raises(ValidationError):
            services.update_event(event, {"ends_at": at(10, 10)})  # the training would stick out
        assert snapshot(event) == before

    def test_overlapping_agenda_is_refused(self, event):
        from django.core.exceptions import ValidationError

        ceremony = event.sessions.get(title="Lễ phát động")
        before = snapshot(event)
        with pytest.raises(ValidationError) as refused:
            services.add_agenda_item(ceremony, title="Phát biểu", starts_at=at(10, 8, 5), ends_at=at(10, 8, 20))
        assert "Khai mạc" in str(refused.value)
        with pytest.raises(ValidationError):  # outside its session
            services.add_agenda_item(ceremony, title="Muộn", starts_at=at(10, 8, 40), ends_at=at(10, 9))
        item = ceremony.agenda.get(title="Khai mạc")
        with pytest.raises(ValidationError):
            services.update_agenda_item(item, {"ends_at": at(10, 8, 26)})
        assert snapshot(event) == before

    def test_calendar_sequence_goes_up_with_visible_changes_only(self, event):
        sequence = event.sequence
        services.update_event(event, {"kind": Event.Kind.TRAINING})
        event.refresh_from_db()
        assert event.sequence == sequence
        services.update_event(event, {"title": "Lễ phát động (đổi giờ)", "starts_at": at(10, 7, 30)})
        event.refresh_from_db()
        assert event.sequence == sequence + 1
        services.set_status(event, Event.Status.PUBLISHED)
        event.refresh_from_db()
        assert event.sequence == sequence + 2

    def test_status_moves_only_forward(self, event):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            services.set_status(event, Event.Status.LIVE)  # draft cannot go live without publishing
        services.set_status(event, Event.Status.PUBLISHED)
        services.set_status(event, Event.Status.LIVE)
        services.set_status(event, Event.Status.ENDED)
        with pytest.raises(ValidationError):
            services.set_status(event, Event.Status.CANCELLED)
        with pytest.raises(ValidationError):  # an ended event is not edited any more
            services.update_event(event, {"title": "Khác"})
        assert AuditEntry.objects.filter(action="event.status").count() == 3


class TestPages:
    def test_organizer_builds_an_event_in_local_time(self, client, organizer, small_tree):
        client.force_login(organizer)
        resp = client.post(reverse("events:create"), {
            "title": "  Tập huấn   chuyển đổi số ", "kind": "training", "host": "IOC",
            "starts_at": "10/12/2026 08:00", "ends_at": "10/12/2026 11:30",
        })
        event = Event.objects.get()
        assert resp.status_code == 302 and event.title == "Tập huấn chuyển đổi số"
        assert event.starts_at == at(10, 8)  # 08:00 in Vietnam is stored as 01:00 UTC
        resp = client.post(reverse("events:session_create", args=[event.pk]), {
            "new-session-title": "Tập huấn", "new-session-day": "10/12/2026", "new-session-start": "09:00",
            "new-session-end": "11:30", "new-session-counts_for_completion": "on"})
        session = event.sessions.get()
        assert resp.status_code == 302 and session.counts_for_completion and session.ends_at == at(10, 11, 30)
        resp = client.post(reverse("events:agenda_create", args=[event.pk, session.pk]), {
            f"agenda-{session.pk}-start": "09:00", f"agenda-{session.pk}-end": "09:45",
            f"agenda-{session.pk}-title": "Nội dung 1", f"agenda-{session.pk}-speaker": "Sở GD&ĐT",
            f"agenda-{session.pk}-kind": "training"})
        assert resp.status_code == 302 and session.agenda.get().starts_at == at(10, 9)
        page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
        assert "10/12/2026" in page and "09:00–09:45" in page and "Nội dung 1" in page

    def test_bad_times_on_the_page_show_a_message_and_change_nothing(self, client, organizer, event):
        client.force_login(organizer)
        before = snapshot(event)
        resp = client.post(reverse("events:edit", args=[event.pk]), {
            "title": event.title, "kind": event.kind, "host": "IOC",
            "starts_at": "10/12/2026 12:00", "ends_at": "10/12/2026 09:00"})
        assert resp.status_code == 200 and resp.context["form"].non_field_errors()
        session = event.sessions.get(title="Tập huấn")
        resp = client.post(reverse("events:session_edit", args=[event.pk, session.pk]), {
            "title": "Tập huấn", "day": "10/12/2026", "start": "09:00", "end": "12:00"})
        assert resp.status_code == 200 and resp.context["form"].non_field_errors()
        ceremony = event.sessions.get(title="Lễ phát động")
        resp = client.post(reverse("events:agenda_create", args=[event.pk, ceremony.pk]), {
            f"agenda-{ceremony.pk}-start": "08:05", f"agenda-{ceremony.pk}-end": "08:15",
            f"agenda-{ceremony.pk}-title": "Chồng giờ", f"agenda-{ceremony.pk}-kind": "speech"})
        assert resp.status_code == 200 and "Khai mạc" in str(resp.context["form"].non_field_errors())
        assert snapshot(event) == before

    def test_only_organizers_edit(self, client, make_user, small_tree, event):
        official = make_user("official", Role.Kind.OFFICIAL)
        client.force_login(official)
        assert client.get(reverse("events:list")).status_code == 200
        assert client.get(reverse("events:detail", args=[event.pk])).status_code == 404  # a draft is not shown
        services.set_status(event, Event.Status.PUBLISHED)
        assert client.get(reverse("events:detail", args=[event.pk])).status_code == 200
        assert client.post(reverse("events:edit", args=[event.pk]), {}).status_code == 403
        assert client.post(reverse("events:status", args=[event.pk]), {"status": "live"}).status_code == 403

    def test_participant_groups_per_tier(self, client, organizer, tiers, event):
        client.force_login(organizer)
        client.post(reverse("events:groups", args=[event.pk]), {
            f"tier_{tiers['school'].pk}": "Toàn thể giáo viên", f"tier_{tiers['host'].pk}": "Lãnh đạo tỉnh"})
        assert dict(event.participant_groups.values_list("tier__code", "description")) == {
            "school": "Toàn thể giáo viên", "host": "Lãnh đạo tỉnh"}


class TestApi:
    def test_create_event_session_and_agenda(self, client, organizer, small_tree):
        client.force_login(organizer)
        resp = client.post("/api/events/", {"title": "Hội nghị", "kind": "conference", "host": "IOC",
                                            "starts_at": "2026-12-10T08:00:00", "ends_at": "2026-12-10T11:00:00"},
                           content_type="application/json")
        assert resp.status_code == 201, resp.content
        event_id = resp.json()["id"]
        assert Event.objects.get().starts_at == at(10, 8)  # no zone given: read as Vietnam time
        resp = client.post(f"/api/events/{event_id}/sessions", {
            "title": "Phiên 1", "starts_at": "2026-12-10T08:00:00+07:00", "ends_at": "2026-12-10T09:00:00+07:00"},
            content_type="application/json")
        assert resp.status_code == 201
        session_id = resp.json()["id"]
        ok = client.post(f"/api/events/{event_id}/sessions/{session_id}/agenda", {
            "title": "Khai mạc", "starts_at": "2026-12-10T08:00:00", "ends_at": "2026-12-10T08:30:00",
            "kind": "opening"}, content_type="application/json")
        assert ok.status_code == 201
        clash = client.post(f"/api/events/{event_id}/sessions/{session_id}/agenda", {
            "title": "Trùng", "starts_at": "2026-12-10T08:15:00", "ends_at": "2026-12-10T08:45:00"},
            content_type="application/json")
        assert clash.status_code == 400 and clash.json()["errors"]
        backwards = client.patch(f"/api/events/{event_id}", {"ends_at": "2026-12-10T07:00:00"},
                                 content_type="application/json")
        assert backwards.status_code == 400
        assert client.post(f"/api/events/{event_id}/status", {"status": "published"},
                           content_type="application/json").status_code == 200
        detail = client.get(f"/api/events/{event_id}").json()
        assert detail["status"] == "published" and detail["sessions"][0]["agenda"][0]["title"] == "Khai mạc"
        assert AgendaItem.objects.count() == 1

    def test_openapi_documents_events_and_console(self, client, organizer):
        paths = client.get("/api/openapi.json").json()["paths"]
        for path in ("/api/events/", "/api/events/{event_id}/invite", "/api/events/{event_id}/readiness",
                     "/api/console/{token}/readiness", "/api/console/{token}/confirm"):
            assert path in paths, path

    def test_officials_cannot_create(self, client, make_user, small_tree):
        client.force_login(make_user("official", Role.Kind.OFFICIAL))
        resp = client.post("/api/events/", {"title": "X", "host": "IOC", "starts_at": "2026-12-10T08:00:00",
                                            "ends_at": "2026-12-10T09:00:00"}, content_type="application/json")
        assert resp.status_code == 403 and Event.objects.count() == 0


def test_times_are_shown_in_vietnam_time(client, organizer, event):
    client.force_login(organizer)
    html = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "08:25–08:30" in html  # the launch moment, local time
    assert event.starts_at.astimezone(ZoneInfo("UTC")).hour == 1  # stored aware: 08:00 +07:00
