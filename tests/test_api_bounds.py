"""Bad input never reaches a 500 (issue 15): ids and numbers past 64 bits, page sizes, nesting, lone surrogates,
missing objects. Each case was a 500 (or a 9 MB answer) before; each is now a 4xx in the one error body."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from attendance.models import RollCall
from core.pagination import MAX_OFFSET, MAX_PAGE
from events.models import Event, Invitation, Session

ERROR_KEYS = {"detail", "code", "errors", "fields"}
HUGE = 2**64  # past SQLite's and PostgreSQL's 64-bit integers
DEEP = "[" * 5000 + "]" * 5000  # past Python's recursion limit: a RecursionError, not a ValueError


@pytest.fixture(autouse=True)
def in_english(client, settings):
    """Messages matched in English: the API answers in the language the request chose."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def api(client, organizer):
    client.force_login(organizer)
    client.raise_request_exception = False  # a 500 must show as a 500 here, not as an exception
    return client


@pytest.fixture
def training(small_tree):
    now = timezone.now()
    event = Event.objects.create(title="Tập huấn", kind=Event.Kind.TRAINING, status=Event.Status.LIVE,
                                 host=small_tree["host"], starts_at=now - timedelta(hours=1),
                                 ends_at=now + timedelta(hours=2))
    session = Session.objects.create(event=event, title="Phiên 1", starts_at=event.starts_at, ends_at=event.ends_at)
    Invitation.objects.create(event=event, bridge=small_tree["BS-S1"])
    RollCall.objects.create(session=session, label="Đầu buổi", opened_at=now - timedelta(minutes=50),
                            closes_at=now - timedelta(minutes=45))
    return event


def refused(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) >= ERROR_KEYS and body["detail"]
    return body


def test_limit_and_offset_past_their_caps_are_422_naming_the_parameter(api, small_tree):
    for query in ({"limit": HUGE}, {"limit": 100000}, {"limit": MAX_PAGE + 1}, {"offset": HUGE},
                  {"offset": MAX_OFFSET + 1}, {"limit": 0}):
        body = refused(api.get("/api/bridges/", query), 422)
        assert list(body["fields"]) == list(query), body
    page = api.get("/api/bridges/", {"limit": MAX_PAGE, "offset": MAX_OFFSET})
    assert page.status_code == 200 and page.json()["items"] == []
    assert len(api.get("/api/bridges/", {"limit": MAX_PAGE}).json()["items"]) == 7  # the whole small tree


def test_every_paged_operation_documents_the_caps(api):
    schema = api.get("/api/openapi.json").json()
    paged = 0
    for path, item in schema["paths"].items():
        for operation in item.values():
            params = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if "limit" in params:
                paged += 1
                assert params["limit"]["maximum"] == MAX_PAGE and params["limit"]["minimum"] == 1, path
                assert params["offset"]["maximum"] == MAX_OFFSET and params["offset"]["minimum"] == 0, path
    assert paged >= 7


def test_every_operation_with_ids_past_64_bits_answers_4xx(api, small_tree):
    """Each id in every path is 2**64: Django's lookups match nothing (a 404); nothing reaches the database."""
    schema = api.get("/api/openapi.json").json()
    server_errors = []
    for path, item in schema["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        if not names:
            continue
        operation = item.get("get") or next(iter(item.values()))
        integers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"
                    and p["schema"].get("type") == "integer"}
        url = path
        for name in names:
            url = url.replace(f"{{{name}}}", str(HUGE) if name in integers else "x" * 43)
        for method in item:
            body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
            response = getattr(api, method)(url, **body)
            if response.status_code >= 500:
                server_errors.append(f"{method.upper()} {path} -> {response.status_code}")
            elif response.status_code >= 400 and not path.startswith("/api/training/verify/"):  # a verdict
                assert set(response.json()) >= ERROR_KEYS, f"{method.upper()} {path}"
    assert not server_errors, "\n".join(server_errors)


def test_a_number_past_64_bits_in_a_body_is_refused_before_the_database(api, small_tree):
    body = {"title": "Lễ phát động", "host": "IOC", "starts_at": "2030-01-01T08:00:00+07:00",
            "ends_at": "2030-01-01T10:00:00+07:00", "expected_participants": HUGE}
    answer = refused(api.post("/api/events/", data=json.dumps(body), content_type="application/json"), 400)
    assert answer["detail"] == "A number in the request is too large (at most 19 digits)."
    assert not Event.objects.exists()


@pytest.mark.parametrize("raw, message", [
    (DEEP, "The request nests values too deeply (at most 32 levels)."),
    ('{"title": ' * 40 + '1' + '}' * 40, "The request nests values too deeply (at most 32 levels)."),
    ('{"title": "\\ud800"}', "The request contains text that cannot be stored (a NUL character or a lone "
                             "surrogate, \\ud800–\\udfff)."),
    ('{"title": "a\\u0000b"}', "The request contains text that cannot be stored (a NUL character or a lone "
                               "surrogate, \\ud800–\\udfff)."),
    ('{"title": NaN}', "The request was not sent in the expected form."),
    ('{"title": 1e999}', "A number in the request is too large (at most 19 digits)."),
])
def test_json_bodies_are_bounded_on_api_routes(api, small_tree, raw, message):
    answer = refused(api.post("/api/events/", data=raw, content_type="application/json"), 400)
    assert answer["detail"] == message
    assert not Event.objects.exists()


def test_json_bodies_are_bounded_on_console_routes(client, training, small_tree):
    client.raise_request_exception = False
    token = small_tree["BS-S1"].console_token
    for raw in (DEEP, '{"phone": "\\ud800"}', f'{{"n": {HUGE}}}'):
        answer = refused(client.post(f"/api/console/{token}/contacts", data=raw, content_type="application/json"), 400)
        assert answer["code"] == "invalid"
    # A write the console queues: still an answer, never a 500 (the service records the invalid attempt).
    tick = client.post(f"/api/console/{token}/tick", data=DEEP, content_type="application/json")
    assert tick.status_code < 500


def test_the_jitsi_webhook_refuses_deep_json_with_400(client, settings):
    client.raise_request_exception = False
    settings.JITSI_WEBHOOK_SECRET = "test-webhook-secret"
    for raw in (DEEP, '{"event_name": "\\udfff"}'):
        response = client.post("/events/jitsi/webhook/events/room/created", data=raw, content_type="application/json",
                               headers={"Authorization": "Bearer test-webhook-secret"})
        assert response.status_code == 400, response.content[:200]


def test_clearing_an_override_that_does_not_exist_is_a_404(api, training, small_tree):
    person = small_tree["BS-S1"].people.first()
    missing = refused(api.post(f"/api/training/events/{training.pk}/overrides",
                               data={"person_id": person.pk, "eligible": None, "reason": "Nhầm"},
                               content_type="application/json"), 404)
    assert missing["code"] == "not_found"
    # A teacher of a school that is not invited is no teacher of this training: 404, nothing written.
    outsider = small_tree["TN-S2"].people.first()
    refused(api.post(f"/api/training/events/{training.pk}/overrides",
                     data={"person_id": outsider.pk, "eligible": True, "reason": "Có mặt"},
                     content_type="application/json"), 404)
    from training.models import Override

    assert not Override.objects.exists()
    done = api.post(f"/api/training/events/{training.pk}/overrides",
                    data={"person_id": person.pk, "eligible": True, "reason": "Có mặt"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["override"] is True
    cleared = api.post(f"/api/training/events/{training.pk}/overrides",
                       data={"person_id": person.pk, "eligible": None, "reason": "Nhầm"}, content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["override"] is False
