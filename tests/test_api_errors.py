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
