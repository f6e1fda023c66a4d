"""The school console as one app: one token rule and one event rule for every route, every read and
write an /api/console/ operation (documented), a page drawn from the sections the apps register."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from attendance.models import BridgeCheckIn, CheckInAttempt, ClientNonce, Launch
from attendance.services import rollcall
from bridges.services import rotate_console_link
from console.links import API_OPERATIONS, console_urls
from events import console_sections
from events.console_sections import ConsoleSection
from events.models import Event, Invitation, ReadinessTest
from schoolreports.models import ReportAnswer
from tests.attendance_support import make_event

pytestmark = pytest.mark.django_db
GOOD = {"rtt_ms": 40, "download_mbps": 20, "camera": "ok", "microphone": "ok", "jitsi_reachable": True}


@pytest.fixture
def env(small_tree):
    env = make_event(small_tree)
    env.roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ")
    env.token = env.school.console_token
    return env


def console_operations(client) -> list[tuple[str, str, dict]]:
    """(method, path template, operation) of every /api/console/ operation in the OpenAPI schema."""
    paths = client.get("/api/openapi.json").json()["paths"]
    return [(method.upper(), path, operation) for path, operations in paths.items()
            if path.startswith("/api/console/") for method, operation in operations.items()]


def plausible_body(env) -> dict:
    """A body each write would accept with a valid link (so only the link can be what refuses it)."""
    return {"event": env.event.pk, "event_id": env.event.pk, "nonce": "rotated-link-0001",
            "person_id": env.people[0].pk, "roll_call_id": env.roll_call.pk, "headcount": 3,
            "head_name": "Cô Lan", "reason": "Mất điện", "students_trained": 10, "classes_held": 1,
            "teachers_led": 1, **GOOD}


def test_every_console_operation_refuses_a_rotated_link_with_404(client, env):
    old = env.token
    rotate_console_link(env.school)
    operations = console_operations(client)
    assert len(operations) >= len(API_OPERATIONS) + 2  # launch has GET and POST; the follow-up answer
    for method, path, _operation in operations:
        url = path.replace("{token}", old).replace("{form_id}", "1")
        if method == "GET":
            resp = client.get(url)
        else:
            resp = client.post(url, json.dumps(plausible_body(env)), content_type="application/json")
        assert resp.status_code == 404, (method, path, resp.status_code)
        assert resp.json()["code"] == "invalid_link" and resp.json()["detail"], (method, path)
    # Nothing was written through the old link.
    assert not ClientNonce.objects.exists() and not BridgeCheckIn.objects.exists()
    assert not CheckInAttempt.objects.exists() and not ReadinessTest.objects.exists()
    assert not Launch.objects.exists() and not ReportAnswer.objects.exists()
    assert set(Invitation.objects.values_list("status", flat=True)) == {Invitation.Status.INVITED}
    # The new link works.
    env.school.refresh_from_db()
    assert client.get(f"/api/console/{env.school.console_token}/live").status_code == 200


def test_the_file_routes_refuse_a_rotated_link_with_the_invalid_page(client, env):
    old = env.token
    rotate_console_link(env.school)
    for name, args in (("console", []), ("console_followup", []), ("console_speedtest", []), ("console_qr", []),
                       ("console_calendar", []), ("console_invitation_pdf", [env.event.pk]),
                       ("console_certificates_zip", [])):
        resp = client.get(reverse(name, args=[old, *args]))
        assert resp.status_code == 404, name
        assert "bridges/console_invalid.html" in [t.name for t in resp.templates], name


def test_openapi_describes_every_console_operation(client):
    operations = console_operations(client)
    for method, path, operation in operations:
        assert operation.get("summary") and operation.get("description"), (method, path)
        assert "console" in operation["tags"], (method, path)
        assert "200" in operation["responses"] and "404" in operation["responses"], (method, path)
        token = next(p for p in operation["parameters"] if p["name"] == "token")
        assert token["in"] == "path" and token.get("description"), (method, path)
        if method == "POST" and not path.endswith("/launch"):
            assert "requestBody" in operation, (method, path)
    documented = {path for _method, path, _operation in operations}
    # Every URL the page hands its scripts is a documented operation.
    for url in console_urls("TOKEN")["api"].values():
        assert url.replace("/TOKEN/", "/{token}/") in documented, url


def test_writes_and_reads_use_the_one_event_rule(client, env, small_tree):
    """A console asking for an event its bridge is not part of gets nothing for it, whatever the route."""
    other = Event.objects.create(title="Sự kiện khác", host=small_tree["host"], status=Event.Status.PUBLISHED,
                                 starts_at=env.event.starts_at, ends_at=env.event.ends_at)
    token = env.token
    assert client.get(f"/api/console/{token}/live?event={other.pk}").json()["event"] is None
    assert client.get(f"/api/console/{token}/jitsi?event={other.pk}").status_code == 404
    refused = client.post(f"/api/console/{token}/confirm", {"event": other.pk}, content_type="application/json")
    assert refused.status_code == 404 and refused.json()["code"] == "not_on_console"
    tick = client.post(f"/api/console/{token}/checkin", {"nonce": "other-event-01", "event_id": other.pk},
                       content_type="application/json")
    assert tick.status_code == 409 and tick.json()["outcome"] == "not_invited"
    # Without ?event the console's current event, the same one the page shows.
    page = client.get(reverse("console", args=[token]))
    assert page.context["event"] == env.event
    assert client.get(f"/api/console/{token}/live").json()["event"]["id"] == env.event.pk


def _section_ids(html: str) -> list[str]:
    return re.findall(r'<section class="card[^"]*"[^>]*?\sid="([\w-]+)"', html)


def test_the_page_is_drawn_from_the_registered_sections_in_order(client, env):
    # A roll call is open (env): the launch-day screen puts the live sections first, the rest in their order
    # under "more" (tests/test_console_launch_day.py has the rule).
    html = client.get(reverse("console", args=[env.token])).content.decode()
    ids = _section_ids(html)
    expected = ["attendance-live", "launch-console", "event", "registration", "readiness", "contacts", "roster"]
    assert [i for i in ids if i in expected] == expected
    assert html.index('id="console-more"') < html.index('id="event"')
    # Any other day: the registered order, nothing folded.
    rollcall.close_roll_call(env.roll_call)
    Event.objects.filter(pk=env.event.pk).update(status=Event.Status.PUBLISHED,
                                                 starts_at=env.event.starts_at + timedelta(days=7),
                                                 ends_at=env.event.ends_at + timedelta(days=7))
    html = client.get(reverse("console", args=[env.token])).content.decode()
    expected = ["event", "registration", "readiness", "contacts", "launch-console", "attendance-live", "roster"]
    assert [i for i in _section_ids(html) if i in expected] == expected
    assert 'id="console-more"' not in html
    # The page's forms post to the console API, not to page routes.
    for operation in ("confirm", "decline", "contacts"):
        assert f'action="/api/console/{env.token}/{operation}" data-console-form="{operation}"' in html
    assert "js/console_forms.js" in html and 'id="console-urls"' in html


def test_a_section_is_left_out_when_its_context_says_so(client, env, monkeypatch):
    seen = []

    def hidden(bridge, event, token):
        seen.append((bridge, event, token))
        return None

    monkeypatch.setitem(console_sections._SECTIONS, "test-hidden",
                        ConsoleSection("test-hidden", 1, "events/console/_contacts.html", hidden))
    # Order 5: before the programme (10). The follow-up card, shown whatever its app would decide.
    monkeypatch.setitem(console_sections._SECTIONS, "test-shown",
                        ConsoleSection("test-shown", 5, "followups/_console_followup.html",
                                       lambda bridge, event, token: {"pending": [], "overdue": []}))
    html = client.get(reverse("console", args=[env.token])).content.decode()
    assert seen == [(env.school, env.event, env.token)]
    assert html.count('id="contacts"') == 1  # only the real one, at its place
    ids = _section_ids(html)
    assert ids.index("followup") < ids.index("event") < ids.index("contacts")
    assert f'href="/c/{env.token}/followup/"' in html  # the console gave the section its URLs


def test_a_cancelled_event_stays_visible_but_takes_no_answer(client, small_tree):
    env = make_event(small_tree, status=Event.Status.PUBLISHED)
    Event.objects.filter(pk=env.event.pk).update(status=Event.Status.CANCELLED)
    token = env.school.console_token
    page = client.get(reverse("console", args=[token]) + f"?event={env.event.pk}")
    assert page.context["event"] == env.event
    html = page.content.decode()
    assert "ev-cancelled" in html and 'data-console-form="confirm"' not in html
    resp = client.post(f"/api/console/{token}/confirm", {"event": env.event.pk}, content_type="application/json")
    assert resp.status_code == 404
    assert Invitation.objects.get(event=env.event, bridge=env.school).status == Invitation.Status.INVITED


def test_confirm_answers_with_the_message_the_page_shows(client, env):
    resp = client.post(f"/api/console/{env.token}/confirm", {"event": env.event.pk}, content_type="application/json")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "confirmed" and body["status_label"] and body["message"]
    closed = Event.objects.filter(pk=env.event.pk)
    closed.update(status=Event.Status.ENDED)
    refused = client.post(f"/api/console/{env.token}/decline", {}, content_type="application/json")
    assert refused.status_code == 404  # an ended event is no longer the console's
