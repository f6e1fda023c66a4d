"""The organizer's flow end to end over HTTP at province scale (614 bridges), and the demo event."""

import io
import json

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridges.models import Bridge, Tier
from bridges.tree import assign_paths_after_bulk_create
from demo import events as demo_event
from events.models import AgendaItem, Event, Invitation, ReadinessTest

pytestmark = pytest.mark.django_db
DISTRICTS = 13
SCHOOLS = 600


@pytest.fixture
def province(tiers):
    """Quảng Ngãi's shape: the host, 13 districts, 600 schools = 614 bridges, built in bulk."""
    host = Bridge.objects.create(code="QNG", name="Trung tâm IOC tỉnh", tier=tiers["host"])
    districts = Bridge.objects.bulk_create([
        Bridge(code=f"D{d:02d}", name=f"Phòng GD&ĐT huyện {d:02d}", tier=tiers["district"], parent=host)
        for d in range(1, DISTRICTS + 1)])
    assign_paths_after_bulk_create(districts)
    schools = Bridge.objects.bulk_create([
        Bridge(code=f"D{n % DISTRICTS + 1:02d}-S{n:03d}", name=f"Trường {n:03d}", tier=tiers["school"],
               parent=districts[n % DISTRICTS], head_phone=f"0905{n:06d}", email=f"s{n}@example.vn")
        for n in range(SCHOOLS)])
    assign_paths_after_bulk_create(schools)
    assert Bridge.objects.count() == 614
    return {"host": host, "districts": districts, "schools": schools}


@pytest.mark.services
def test_organizer_flow_end_to_end(client, organizer, province):
    client.force_login(organizer)
    # 1. The event, its sessions and agenda, typed in Vietnam time.
    resp = client.post(reverse("events:create"), {
        "title": "Lễ phát động phong trào chuyển đổi số", "kind": "launch", "host": "QNG",
        "starts_at": "15/12/2026 08:00", "ends_at": "15/12/2026 11:30", "description": "Trực tuyến"})
    event = Event.objects.get()
    assert resp.status_code == 302
    for title, start, end, counts in (("Lễ phát động", "08:00", "08:45", ""), ("Tập huấn", "09:00", "11:30", "on")):
        resp = client.post(reverse("events:session_create", args=[event.pk]), {
            "new-session-title": title, "new-session-day": "15/12/2026", "new-session-start": start,
            "new-session-end": end, "new-session-counts_for_completion": counts})
        assert resp.status_code == 302
    ceremony, training = event.sessions.order_by("starts_at")
    for start, end, title, kind in (("08:00", "08:10", "Khai mạc", "opening"),
                                    ("08:10", "08:25", "Phát biểu của lãnh đạo UBND tỉnh", "speech"),
                                    ("08:25", "08:30", "Nghi thức phát động", "launch")):
        prefix = f"agenda-{ceremony.pk}"
        resp = client.post(reverse("events:agenda_create", args=[event.pk, ceremony.pk]), {
            f"{prefix}-start": start, f"{prefix}-end": end, f"{prefix}-title": title, f"{prefix}-kind": kind})
        assert resp.status_code == 302, resp.context["form"].errors if resp.context else resp
    assert AgendaItem.objects.filter(session=ceremony, kind="launch").count() == 1
    assert training.counts_for_completion and not ceremony.counts_for_completion
    client.post(reverse("events:groups", args=[event.pk]),
                {f"tier_{province['host'].tier_id}": "Lãnh đạo tỉnh", f"tier_{province['schools'][0].tier_id}": "Giáo viên"})
    assert client.post(reverse("events:status", args=[event.pk]), {"status": "published"}).status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED

    # 2. Invite every bridge of the province; inviting again changes nothing.
    resp = client.post(reverse("events:invite", args=[event.pk]), {"mode": "all"})
    assert resp.status_code == 302 and event.invitations.count() == 614
    client.post(reverse("events:invite", args=[event.pk]), {"mode": "subtree", "root": "D01"})
    assert event.invitations.count() == 614
    resp = client.post(reverse("events:invite", args=[event.pk]), {"mode": "list", "codes": "D01-S000\nNOPE-1\n"})
    assert resp.status_code == 200 and "NOPE-1" in " ".join(resp.context["problems"])

    # 3. A school opens its console, confirms, and records a readiness test.
    school = Bridge.objects.get(code="D01-S000")
    page = client.get(reverse("console", args=[school.console_token]))
    assert page.status_code == 200 and event.title in page.content.decode()
    client.post(reverse("api:console_confirm", kwargs={"token": school.console_token}), {"event": event.pk},
                content_type="application/json")
    resp = client.post(reverse("api:console_readiness", kwargs={"token": school.console_token}), json.dumps({
        "event": event.pk, "rtt_ms": 35.0, "download_mbps": 24.5, "camera": "ok", "microphone": "ok",
        "jitsi_reachable": True}), content_type="application/json")
    assert resp.status_code == 200 and resp.json()["ok"] is True
    other = Bridge.objects.get(code="D02-S001")
    client.post(reverse("api:console_readiness", kwargs={"token": other.console_token}), json.dumps({
        "event": event.pk, "rtt_ms": 35.0, "download_mbps": 0.9, "camera": "ok", "microphone": "ok",
        "jitsi_reachable": True}), content_type="application/json")

    # 4. The readiness page counts it, in a number of queries that does not grow with the bridges.
    with CaptureQueriesContext(connection) as queries:
        resp = client.get(reverse("events:readiness", args=[event.pk]))
    assert resp.status_code == 200
    assert len(queries) <= 15, len(queries)
    summary = resp.context["summary"]
    assert summary.totals.total == 614 and summary.totals.tested_ok == 1 and summary.totals.problem == 1
    assert summary.totals.invited == 612 and len(summary.not_confirmed) == 612
    rows = {row.code: row for row in summary.rows}
    assert len(rows) == DISTRICTS + 1  # the districts, plus the host on its own row
    assert rows["D01"].tested_ok == 1 and rows["D02"].problem == 1
    assert summary.problems[0]["code"] == "D02-S001" and summary.problems[0]["phone"] == "0905000001"
    html = resp.content.decode()
    assert 'href="tel:0905000001"' in html
    # The invitations list shows the new statuses too.
    listing = client.get(reverse("events:invitations", args=[event.pk]) + "?status=tested_ok")
    assert [inv.bridge.code for inv in listing.context["page"]] == ["D01-S000"]


def test_import_list_invites_by_code(client, organizer, province):
    client.force_login(organizer)
    event = demo_like_event(province)
    upload = io.BytesIO("Mã điểm cầu,Tên\nD01-S000,Trường 000\nD02-S001,Trường 001\n".encode())
    upload.name = "ds.csv"
    resp = client.post(reverse("events:invite", args=[event.pk]), {"mode": "list", "file": upload})
    assert resp.status_code == 302
    assert sorted(event.invitations.values_list("bridge__code", flat=True)) == ["D01-S000", "D02-S001"]


def demo_like_event(province):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from events import services

    start = datetime(2026, 12, 15, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    return services.create_event(title="Tập huấn", host=province["host"], starts_at=start,
                                 ends_at=start.replace(hour=11))


def test_demo_event_is_realistic_and_idempotent(province):
    out = io.StringIO()
    event = demo_event.seed(out)
    assert event.status == Event.Status.PUBLISHED and event.title == demo_event.TITLE
    sessions = list(event.sessions.order_by("starts_at"))
    assert [s.title for s in sessions] == ["Lễ phát động", "Tập huấn kỹ năng số cho giáo viên"]
    assert [s.counts_for_completion for s in sessions] == [False, True]
    assert sessions[0].agenda.filter(kind="launch").count() == 1
    assert event.participant_groups.count() == Tier.objects.count()
    statuses = dict(event.invitations.values_list("status").annotate(n=Count("pk")))
    assert sum(statuses.values()) == 614
    assert 0.75 < statuses["tested_ok"] / 614 < 0.88
    assert statuses["problem"] > 20 and statuses["declined"] > 5 and statuses["invited"] > 30
    before = (Event.objects.count(), Invitation.objects.count(), ReadinessTest.objects.count(), statuses)
    demo_event.seed(io.StringIO())
    statuses_again = dict(event.invitations.values_list("status").annotate(n=Count("pk")))
    assert (Event.objects.count(), Invitation.objects.count(), ReadinessTest.objects.count(), statuses_again) == before
    assert "614 bridges invited" in out.getvalue()
