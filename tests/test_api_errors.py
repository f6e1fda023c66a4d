"""One error type, one error body: every refusal of the API answers {detail, code, errors, fields}."""

import pytest

from events.models import Event

ERROR_KEYS = {"detail", "code", "errors", "fields"}
# The public verification answers every code, a bad one included, with what a verification says
# (valid / revoked / unknown / malformed / slow down): that is its result, not a refusal of the request.
VERIFICATION = "/api/training/verify/"


@pytest.fixture
def api_schema(client):
    return client.get("/api/openapi.json").json()


def test_every_error_response_in_the_schema_is_the_one_error_body(api_schema):
    wrong = []
    for path, operations in api_schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("4"):
                    continue
                ref = str(response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", ""))
                if ref.endswith("/VerifyOut") and path.startswith(VERIFICATION):
                    continue
                if ref and not ref.endswith("/ErrorOut"):
                    wrong.append(f"{method.upper()} {path} {status}: {ref}")
    assert not wrong, "\n".join(wrong)
    assert set(api_schema["components"]["schemas"]["ErrorOut"]["properties"]) == ERROR_KEYS


def test_a_service_refusal_a_validation_error_forbidden_and_not_found_share_the_body(client, small_tree, organizer,
                                                                                     make_user):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    event = Event.objects.create(title="Tập huấn", status=Event.Status.LIVE, host=small_tree["host"],
                                 starts_at=now, ends_at=now + timedelta(hours=2))
    client.force_login(organizer)
    refused = client.get(f"/api/attendance/events/{event.pk}/report", {"district": "KHONG-CO"})
    assert refused.status_code == 400 and set(refused.json()) == ERROR_KEYS
    assert refused.json()["code"] == "report_refused" and refused.json()["detail"]
    invalid = client.post(f"/api/events/{event.pk}/sessions", data={"title": "", "starts_at": now.isoformat(),
                                                                    "ends_at": now.isoformat()},
                          content_type="application/json")
    assert invalid.status_code == 400 and set(invalid.json()) == ERROR_KEYS and invalid.json()["errors"]
    missing = client.get("/api/events/999999")
    assert missing.status_code == 404 and set(missing.json()) == ERROR_KEYS
    client.force_login(make_user("quan-chuc", "official"))
    forbidden = client.post(f"/api/events/{event.pk}/sessions", data={}, content_type="application/json")
    assert forbidden.status_code in (403, 422)
    denied = client.post(f"/api/events/{event.pk}/status", data={"status": "ended"}, content_type="application/json")
    assert denied.status_code == 403 and set(denied.json()) == ERROR_KEYS and denied.json()["code"] == "forbidden"


def test_not_logged_in_an_unreadable_body_and_invalid_input_share_the_body(client, organizer):
    """django-ninja's own refusals, answered before a view runs, come in the same body (config/api.py)."""
    anonymous = client.get("/api/events/")
    assert anonymous.status_code == 401 and set(anonymous.json()) == ERROR_KEYS
    assert anonymous.json()["code"] == "not_logged_in" and anonymous.json()["detail"] == "Hãy đăng nhập để dùng chức năng này."
    client.force_login(organizer)
    unreadable = client.post("/api/events/", data="{", content_type="application/json")
    assert unreadable.status_code == 400 and set(unreadable.json()) == ERROR_KEYS
    assert unreadable.json()["detail"] == "Yêu cầu không được gửi đúng định dạng."
    invalid = client.post("/api/events/", data={"title": 1}, content_type="application/json")
    assert invalid.status_code == 422 and set(invalid.json()) == ERROR_KEYS and invalid.json()["code"] == "invalid_input"
    assert set(invalid.json()["fields"]) == {"title", "host", "starts_at", "ends_at"}
    assert any(line.startswith("host: ") for line in invalid.json()["errors"])
    query = client.get("/api/events/", {"limit": "mười"})
    assert query.status_code == 422 and list(query.json()["fields"]) == ["limit"]


def test_the_schema_declares_what_django_ninja_answers_before_a_view(api_schema):
    create = api_schema["paths"]["/api/events/"]["post"]["responses"]
    assert {"400", "401", "422"} <= set(create)
    public = api_schema["paths"]["/api/events/{event_id}/calendar.ics"]["get"]["responses"]
    assert "401" not in public, "a public operation needs no session"
