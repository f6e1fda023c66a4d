"""The school console: confirming, contacts, the readiness test (over the console's API), the ping
websocket; reminders and readiness pages."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.urls import reverse

from bridges.models import Bridge, Role
from bridges.services import rotate_console_link
from core.models import AuditEntry
from events import services
from events.models import Event, Invitation, ReadinessTest
from events.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
GOOD = {"rtt_ms": 42.5, "download_mbps": 18.2, "camera": "ok", "microphone": "ok", "jitsi_reachable": True}


@pytest.fixture
def event(small_tree):
    start = datetime(2026, 12, 10, 8, 0, tzinfo=TZ)
    event = services.create_event(title="Lễ phát động", host=small_tree["host"], starts_at=start,
                                  ends_at=start.replace(hour=11, minute=30))
    services.add_session(event, title="Lễ phát động", starts_at=start, ends_at=start.replace(minute=45))
    services.set_status(event, Event.Status.PUBLISHED)
    services.invite_bridges(event, Bridge.objects.all())
    return event


def console(bridge, name="console"):
    return reverse(name, args=[bridge.console_token])


def api(client, bridge, operation, body=None, token=None):
    """POST to /api/console/<token>/<operation> as the console page's forms and scripts do."""
    url = reverse(f"api:console_{operation}", kwargs={"token": token or bridge.console_token})
    data = body if isinstance(body, str | bytes) else json.dumps(body or {})
    return client.post(url, data, content_type="application/json")


def post_readiness(client, bridge, payload, event=None):
    body = payload if isinstance(payload, str | bytes) else {**payload, **({"event": event.pk} if event else {})}
    return api(client, bridge, "readiness", body)


class TestConsole:
    def test_console_shows_the_event_and_confirms(self, client, event, small_tree):
        school = small_tree["BS-S1"]
        page = client.get(console(school))
        assert page.status_code == 200 and "Lễ phát động" in page.content.decode()
        resp = api(client, school, "confirm", {"event": event.pk})
        assert resp.status_code == 200 and resp.json()["status"] == "confirmed" and resp.json()["message"]
        invitation = Invitation.objects.get(event=event, bridge=school)
        assert invitation.status == Invitation.Status.CONFIRMED and invitation.responded_at is not None
        entry = AuditEntry.objects.get(action="console.confirm")
        assert entry.actor_label == "console:BS-S1" and entry.actor is None

    def test_readiness_results_set_the_status(self, client, event, small_tree):
        school = small_tree["BS-S1"]
        ok = post_readiness(client, school, GOOD, event)
        assert ok.status_code == 200 and ok.json()["ok"] is True
        invitation = Invitation.objects.get(event=event, bridge=school)
        assert invitation.status == Invitation.Status.TESTED_OK
        bad = post_readiness(client, school, {**GOOD, "download_mbps": 0.8, "camera": "not_allowed",
                                              "jitsi_reachable": False}, event)
        assert bad.status_code == 200 and bad.json()["ok"] is False and len(bad.json()["problems"]) == 3
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.PROBLEM and invitation.problem
        test = invitation.readiness_tests.order_by("-at", "-id").first()
        assert test.download_mbps == 0.8 and test.camera_ok is False and test.at is not None
        assert sorted(p["code"] for p in test.problems) == ["camera", "download", "jitsi"]

    @pytest.mark.parametrize("payload", [
        "not json", b"\xff\xfe", "[1, 2]",
        {**GOOD, "rtt_ms": "fast"}, {**GOOD, "rtt_ms": -5}, {**GOOD, "download_mbps": 1e12},
        {**GOOD, "rtt_ms": True}, {**GOOD, "camera": "yes"}, {**GOOD, "jitsi_reachable": "maybe"},
        {**GOOD, "extra": 1}, {k: v for k, v in GOOD.items() if k != "rtt_ms"},
        '{"rtt_ms": NaN, "download_mbps": 3, "camera": "ok", "microphone": "ok", "jitsi_reachable": true}',
        json.dumps({**GOOD, "padding": "x" * 5000}),
    ])
    def test_garbage_results_are_refused_and_change_nothing(self, client, event, small_tree, payload):
        school = small_tree["BS-S1"]
        resp = post_readiness(client, school, payload, event if isinstance(payload, dict) else None)
        assert resp.status_code == 400 and resp.json()["detail"]
        assert ReadinessTest.objects.count() == 0
        assert Invitation.objects.get(event=event, bridge=school).status == Invitation.Status.INVITED

    def test_rotated_link_is_refused_everywhere(self, client, event, small_tree):
        school = small_tree["BS-S2"]
        old = school.console_token
        rotate_console_link(school)
        for name in ("console", "console_speedtest"):
            resp = client.get(reverse(name, args=[old]))
            assert resp.status_code == 404
        assert "bridges/console_invalid.html" in [t.name for t in client.get(reverse("console", args=[old])).templates]
        confirm = api(client, school, "confirm", {"event": event.pk}, token=old)
        assert confirm.status_code == 404 and confirm.json()["code"] == "invalid_link"
        assert api(client, school, "readiness", {**GOOD, "event": event.pk}, token=old).status_code == 404
        assert Invitation.objects.get(event=event, bridge=school).status == Invitation.Status.INVITED
        assert ReadinessTest.objects.count() == 0
        assert client.get(console(school)).status_code == 200  # the new link works

    def test_contacts_are_validated_and_normalized(self, client, event, small_tree):
        school = small_tree["TN-S1"]
        # As the page's form sends it: every field, as text.
        bad = api(client, school, "contacts", {
            "event": event.pk, "head_name": "Nguyễn Văn A", "head_phone": "12345", "email": "not-an-email",
            "expected_participants": "-3"})
        assert bad.status_code == 400
        assert {"head_phone", "email", "expected_participants"} <= set(bad.json()["fields"])
        school.refresh_from_db()
        assert school.head_name == "" and school.head_phone == "0905000000"
        good = api(client, school, "contacts", {
            "event": event.pk, "head_name": "  Nguyễn   Văn A ", "head_phone": "+84 905 123 456",
            "tech_phone": "0255 3822 123", "email": "THCS@Example.vn", "expected_participants": "42"})
        assert good.status_code == 200 and good.json()["expected_participants"] == 42
        school.refresh_from_db()
        invitation = Invitation.objects.get(event=event, bridge=school)
        assert (school.head_name, school.head_phone, school.tech_phone, school.email) == (
            "Nguyễn Văn A", "0905123456", "02553822123", "thcs@example.vn")
        assert invitation.expected_participants == 42
        entry = AuditEntry.objects.get(action="console.contacts")
        assert entry.actor_label == "console:TN-S1" and "0905123456" not in json.dumps(entry.details)

    def test_decline_with_reason_then_change_of_mind(self, client, event, small_tree):
        school = small_tree["TN-S2"]
        assert api(client, school, "decline", {"event": event.pk, "reason": "Mất điện"}).status_code == 200
        invitation = Invitation.objects.get(event=event, bridge=school)
        assert invitation.status == Invitation.Status.DECLINED and invitation.decline_reason == "Mất điện"
        assert api(client, school, "decline", {"event": event.pk, "reason": "x" * 301}).status_code == 400
        api(client, school, "confirm", {"event": event.pk})
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.CONFIRMED and invitation.decline_reason == ""

    def test_speedtest_sends_incompressible_uncached_bytes(self, client, event, small_tree):
        resp = client.get(console(small_tree["BS-S1"], "console_speedtest") + "?bytes=50000")
        assert resp.status_code == 200 and len(resp.content) == 50000
        assert "no-store" in resp["Cache-Control"] and resp["Content-Type"] == "application/octet-stream"
        huge = client.get(console(small_tree["BS-S1"], "console_speedtest") + "?bytes=999999999")
        assert len(huge.content) == 10_000_000

    def test_console_api_confirm_and_readiness(self, client, event, small_tree):
        token = small_tree["BS-S2"].console_token
        state = client.get(f"/api/console/{token}/").json()
        assert state["bridge_code"] == "BS-S2" and state["invitations"][0]["event_id"] == event.pk
        assert client.post(f"/api/console/{token}/confirm", {}, content_type="application/json").json()[
            "status"] == "confirmed"
        resp = client.post(f"/api/console/{token}/readiness", {**GOOD, "rtt_ms": 900},
                           content_type="application/json")
        assert resp.status_code == 200 and resp.json()["status"] == "problem"
        garbage = client.post(f"/api/console/{token}/readiness", {**GOOD, "download_mbps": -1},
                              content_type="application/json")
        assert garbage.status_code == 400 and ReadinessTest.objects.count() == 1

    def test_draft_events_are_not_on_the_console(self, client, small_tree):
        start = datetime(2026, 12, 20, 8, 0, tzinfo=TZ)
        draft = services.create_event(title="Bản nháp", host=small_tree["host"], starts_at=start,
                                      ends_at=start.replace(hour=10))
        services.invite_bridges(draft, [small_tree["BS-S1"]])
        html = client.get(console(small_tree["BS-S1"])).content.decode()
        assert "Bản nháp" not in html


@pytest.mark.django_db(transaction=True)
class TestPingWebsocket:
    async def _connect(self):
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/ping/")
        connected, _ = await communicator.connect()
        assert connected
        return communicator

    async def test_echo_after_a_valid_console_token(self, small_tree):
        communicator = await self._connect()
        await communicator.send_json_to({"type": "hello", "token": small_tree["BS-S1"].console_token})
        assert await communicator.receive_json_from() == {"type": "ready"}
        for n in range(3):
            await communicator.send_json_to({"type": "ping", "n": n, "t": 1234.5})
            assert await communicator.receive_json_from() == {"type": "pong", "n": n, "t": 1234.5}
        await communicator.disconnect()

    async def test_pings_without_a_token_are_refused(self, small_tree):
        communicator = await self._connect()
        await communicator.send_json_to({"type": "ping", "n": 0, "t": 1})
        assert (await communicator.receive_output())["type"] == "websocket.close"
        communicator = await self._connect()
        await communicator.send_json_to({"type": "hello", "token": "forged"})
        assert (await communicator.receive_output())["code"] == 4401

    async def test_oversized_messages_close_the_socket(self, small_tree):
        communicator = await self._connect()
        await communicator.send_json_to({"type": "hello", "token": small_tree["BS-S1"].console_token})
        await communicator.receive_json_from()
        await communicator.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * 5000}))
        closed = await communicator.receive_output()
        assert closed == {"type": "websocket.close", "code": 1009}


class TestReadinessPages:
    def _answers(self, client, event, small_tree):
        post_readiness(client, small_tree["BS-S1"], GOOD, event)
        post_readiness(client, small_tree["TN-S1"], {**GOOD, "microphone": "not_found"}, event)
        api(client, small_tree["TN-S2"], "decline", {"event": event.pk})

    def test_district_officer_sees_only_their_district(self, client, event, small_tree, make_user):
        self._answers(client, event, small_tree)
        officer = make_user("bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
        client.force_login(officer)
        resp = client.get(reverse("events:readiness", args=[event.pk]))
        summary = resp.context["summary"]
        assert [row.code for row in summary.rows] == ["BS"]
        assert summary.totals.total == 3 and summary.totals.tested_ok == 1  # BS, BS-S1, BS-S2
        html = resp.content.decode()
        assert "BS-S2" in html and "TN-S1" not in html and "TN-S2" not in html
        api = client.get(f"/api/events/{event.pk}/readiness").json()
        assert api["totals"]["total"] == 3 and {d["code"] for d in api["districts"]} == {"BS"}
        assert client.get(reverse("events:invitation_qr", args=[event.pk, "TN-S1"])).status_code == 403

    def test_organizer_sees_counts_per_district_and_phones(self, client, event, small_tree, organizer):
        self._answers(client, event, small_tree)
        client.force_login(organizer)
        resp = client.get(reverse("events:readiness", args=[event.pk]))
        summary = resp.context["summary"]
        rows = {row.code: row for row in summary.rows}
        assert rows["TN"].problem == 1 and rows["TN"].declined == 1 and rows["BS"].tested_ok == 1
        assert summary.totals.total == Bridge.objects.count()
        assert [row["code"] for row in summary.problems] == ["TN-S1"]
        assert 'href="tel:0905000000"' in resp.content.decode()

    def test_qr_code_of_the_console_link(self, client, event, small_tree, organizer, make_user):
        client.force_login(organizer)
        resp = client.get(reverse("events:invitation_qr", args=[event.pk, "BS-S1"]))
        assert resp.status_code == 200 and resp["Content-Type"] == "image/png"
        assert resp.content.startswith(b"\x89PNG") and "no-store" in resp["Cache-Control"]
        client.force_login(make_user("official", Role.Kind.OFFICIAL))
        assert client.get(reverse("events:invitation_qr", args=[event.pk, "BS-S1"])).status_code == 403

    def test_reminders_send_mail_and_are_audited(self, client, event, small_tree, make_user, settings):
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        Bridge.objects.filter(code__in=["BS-S1", "BS-S2", "TN-S1"]).update(email="truong@example.vn")
        officer = make_user("bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
        client.force_login(officer)
        resp = client.post(reverse("events:reminders", args=[event.pk]), {"which": "not_confirmed"})
        assert resp.status_code == 302
        # Only the officer's district: BS-S1 and BS-S2 have e-mail, BS (the district hall) has none.
        assert len(mail.outbox) == 2
        assert all(small_tree["BS-S1"].console_token in m.body or small_tree["BS-S2"].console_token in m.body
                   for m in mail.outbox)
        counts = dict(Invitation.objects.filter(event=event).values_list("bridge__code", "reminder_count"))
        assert counts["BS-S1"] == 1 and counts["BS-S2"] == 1 and counts["TN-S1"] == 0
        entry = AuditEntry.objects.get(action="event.remind")
        assert entry.actor == officer and entry.details["sent"] == 2 and entry.details["without_email"] == ["BS"]
        client.force_login(make_user("official", Role.Kind.OFFICIAL))
        assert client.post(reverse("events:reminders", args=[event.pk]), {"which": "not_confirmed"}).status_code == 403
        assert len(mail.outbox) == 2


class TestInviteApi:
    def test_invite_by_subtree_and_by_codes(self, client, organizer, small_tree):
        start = datetime(2026, 12, 20, 8, 0, tzinfo=TZ)
        event = services.create_event(title="Hội nghị", host=small_tree["host"], starts_at=start,
                                      ends_at=start.replace(hour=10))
        client.force_login(organizer)
        url = f"/api/events/{event.pk}/invite"
        resp = client.post(url, {"mode": "subtree", "root": "BS"}, content_type="application/json")
        assert resp.json() == {"created": 3, "already": 0}
        refused = client.post(url, {"mode": "selection", "codes": ["TN-S1", "XX-9"]}, content_type="application/json")
        assert refused.status_code == 400 and "XX-9" in " ".join(refused.json()["errors"])
        assert event.invitations.count() == 3
        resp = client.post(url, {"mode": "selection", "codes": ["TN-S1", "BS-S1"]}, content_type="application/json")
        assert resp.json() == {"created": 1, "already": 1}
        listing = client.get(f"/api/events/{event.pk}/invitations").json()
        assert listing["count"] == 4 and {item["bridge_code"] for item in listing["items"]} == {"BS", "BS-S1", "BS-S2", "TN-S1"}
        assert AuditEntry.objects.filter(action="event.invite").count() == 2


def test_speedtest_is_rate_limited_per_console(client, event, small_tree):
    url = console(small_tree["TN-S1"], "console_speedtest") + "?bytes=10"
    answers = [client.get(url).status_code for _ in range(21)]
    assert answers[:20] == [200] * 20 and answers[20] == 429
    assert client.get(console(small_tree["TN-S2"], "console_speedtest") + "?bytes=10").status_code == 200
