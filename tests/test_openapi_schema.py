"""/api/openapi.json is a valid OpenAPI document that says the truth about every operation.

The schema is checked by a real validator (openapi-spec-validator), then read as a client would: every
operation described in sentences, one tag, a schema (or a file's content type) for every answer, no
component name given to two schemas. Then every operation is called through the Django test client, by
callers who should be refused (not logged in, an account without a role, a read-only official, a school
console with a wrong link, an organizer asking for objects that do not exist or sending a broken body),
and each status it answers must be one the schema declares, refusals in the one error body. Operations
added later are covered without editing this test.
"""

import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bridges.models import Role
from events.models import AgendaItem, Event, Invitation, JitsiRoom, Session

ERROR_KEYS = {"detail", "code", "errors", "fields"}
METHODS = {"get", "post", "put", "patch", "delete"}
# A verification answers what it found (valid, revoked, unknown, malformed, slow down), not a refusal.
VERIFICATION = "/api/training/verify/"
BINARY = {"type": "string", "format": "binary"}


@pytest.fixture
def api_schema(client):
    return client.get("/api/openapi.json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def test_the_schema_is_valid_openapi(api_schema):
    from openapi_spec_validator import validate

    validate(api_schema)  # raises with the first error found
    assert api_schema["openapi"].startswith("3.1")


def test_every_operation_is_described_in_its_own_sentences(api_schema):
    missing, seen = [], {}
    for method, path, operation in _operations(api_schema):
        text = (operation.get("description") or "").strip()
        name = f"{method.upper()} {path}"
        if len(text.split()) < 10 or not text.endswith((".", ")")) or text == operation.get("summary"):
            missing.append(f"{name}: {text!r}")
        elif text in seen:
            missing.append(f"{name} repeats the description of {seen[text]}")
        seen.setdefault(text, name)
    assert not missing, "\n".join(missing)


def test_each_operation_has_exactly_one_tag(api_schema):
    wrong = [f"{method.upper()} {path}: {operation.get('tags')}" for method, path, operation in _operations(api_schema)
             if len(operation.get("tags") or []) != 1]
    assert not wrong, "\n".join(wrong)


def test_every_answer_has_a_schema_or_a_content_type(api_schema):
    bare = []
    for method, path, operation in _operations(api_schema):
        for status, response in operation["responses"].items():
            if status == "204":
                assert not response.get("content"), f"{method.upper()} {path}: 204 has no body"
                continue
            content = response.get("content") or {}
            if not content or not all(media.get("schema") for media in content.values()):
                bare.append(f"{method.upper()} {path} {status}")
    assert not bare, "answers without a schema:\n" + "\n".join(bare)


def test_files_are_binary_with_their_content_type(api_schema):
    served = set()
    for method, path, operation in _operations(api_schema):
        for status, response in operation["responses"].items():
            for media_type, media in (response.get("content") or {}).items():
                if media_type != "application/json":
                    assert media["schema"] == BINARY, f"{method.upper()} {path} {status} {media_type}"
                    served.add(media_type)
    assert {"application/pdf", "text/calendar", "application/zip", "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= served


def test_refusals_are_declared_where_they_happen(api_schema):
    """401 wherever a session is required, and the one error body for every declared refusal."""
    wrong = []
    for method, path, operation in _operations(api_schema):
        responses = operation["responses"]
        if operation.get("security") and "401" not in responses:
            wrong.append(f"{method.upper()} {path}: needs a session but declares no 401")
        if re.search(r"{\w+}", path) and "404" not in responses and not path.startswith("/api/attendance/qr/"):
            wrong.append(f"{method.upper()} {path}: names an object but declares no 404")
        for status, response in responses.items():
            ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            if status.startswith("4") and not path.startswith(VERIFICATION) and not ref.endswith("/ErrorOut"):
                wrong.append(f"{method.upper()} {path} {status}: {ref or 'no schema'}")
    assert not wrong, "\n".join(wrong)


def test_no_component_name_is_given_to_two_schemas():
    from config.api import api

    assert api.get_openapi_schema().clashes == set()


def test_the_clash_check_sees_two_schemas_with_one_name():
    """The check above is only worth something if it sees a clash: two different classes named alike."""
    from ninja import Schema

    from core.openapi import DocumentedAPI

    def named(fields: dict):
        return type("Same", (Schema,), {"__annotations__": fields, "__module__": __name__})

    first, second = named({"a": int}), named({"b": str})
    api = DocumentedAPI(urls_namespace="clash-check")

    @api.get("/one", response=first)
    def one(request):
        return {"a": 1}

    @api.get("/two", response=second)
    def two(request):
        return {"b": "x"}

    assert api.get_openapi_schema(path_prefix="").clashes == {"Same"}


# --- every operation, called --------------------------------------------------------------------------

def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _sample(schema: dict, components: dict):
    """A value that fits `schema` (required properties only): enough for the request to reach the view."""
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if _resolve(o, components).get("type") != "null"] or schema[key]
            return _sample(options[0], components)
    if "allOf" in schema:
        return _sample(schema["allOf"][0], components)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: _sample(prop, {**components, **schema.get("$defs", {})})
                for name, prop in schema.get("properties", {}).items() if name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer" or kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date-time":
        return timezone.now().isoformat()
    if schema.get("format") == "date":
        return "1990-01-02"
    if schema.get("format") == "binary":
        return SimpleUploadedFile("danh-sach.csv", "Mã,Tên\n".encode(), content_type="text/csv")
    return "x"


@pytest.fixture
def world(small_tree, organizer, make_user, settings, tmp_path):
    """A published event with one of everything an operation's path can name, and the callers."""
    from attendance.models import RollCall
    from followups import services as followup_services
    from followups.models import FollowUpForm

    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    event = Event.objects.create(title="Tập huấn chuyển đổi số", kind=Event.Kind.TRAINING,
                                 status=Event.Status.PUBLISHED, host=small_tree["host"],
                                 starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=3))
    session = Session.objects.create(event=event, title="Phiên 1", starts_at=event.starts_at, ends_at=event.ends_at)
    item = AgendaItem.objects.create(session=session, title="Khai mạc", starts_at=event.starts_at,
                                     ends_at=event.starts_at + timedelta(minutes=10))
    room = JitsiRoom.objects.create(event=event, name="phong-1", label="Phòng 1")
    school = small_tree["BS-S1"]
    Invitation.objects.create(event=event, bridge=school, room=room)
    roll_call = RollCall.objects.create(session=session, label="Đầu buổi", opened_at=now - timedelta(hours=1),
                                        closes_at=now - timedelta(minutes=50))
    form = FollowUpForm.objects.create(event=event, title="Báo cáo nhân rộng", deadline=now + timedelta(days=9))
    followup_services.link_round(form)  # answered on its engine round, as an opened one is
    values = {"event_id": event.pk, "session_id": session.pk, "item_id": item.pk, "room_name": room.name,
              "bridge_code": school.code, "code": school.code, "roll_call_id": roll_call.pk, "form_id": form.pk,
              "person_id": school.people.first().pk, "certificate_id": 1, "job_id": 1, "bridge_id": school.pk,
              "round_id": 999999, "key": "khong-co", "token": school.console_token, "attachment_id": 999999,
              "field_key": "bien_ban"}
    missing = {**values, "event_id": 999999, "session_id": 999999, "item_id": 999999, "room_name": "khong-co",
               "bridge_code": "KHONG-CO", "code": "KHONG-CO", "roll_call_id": 999999, "form_id": 999999,
               "person_id": 999999, "certificate_id": 999999, "job_id": 999999, "bridge_id": 999999,
               "token": "khong-co-" * 5}
    return {"values": values, "missing": missing, "organizer": organizer,
            "nobody": make_user("khong-vai-tro"), "official": make_user("quan-chuc", Role.Kind.OFFICIAL)}


def _url(path: str, values: dict) -> str:
    names = re.findall(r"{(\w+)}", path)
    unknown = [name for name in names if name not in values]
    assert not unknown, f"{path}: give the probe a value for {unknown} in the `world` fixture"
    return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)


def _call(client, method: str, url: str, operation: dict, components: dict, body: str | None = None):
    content = (operation.get("requestBody") or {}).get("content", {})
    if "application/json" in content and body is None:
        body = json.dumps(_sample(content["application/json"]["schema"], components), default=str)
    if "multipart/form-data" in content and body is None:
        form = _sample(content["multipart/form-data"]["schema"], components)
        return getattr(client, method)(url, data=form)
    if body is not None:
        return getattr(client, method)(url, data=body, content_type="application/json")
    return getattr(client, method)(url)


def test_every_status_an_operation_answers_is_declared(client, api_schema, world):
    components = api_schema["components"]["schemas"]
    undeclared, checked = [], 0
    callers = [("not logged in", None, "values"), ("no role", world["nobody"], "values"),
               ("official", world["official"], "values"), ("organizer, missing objects", world["organizer"], "missing")]
    for who, user, values in callers:
        client.logout()
        if user is not None:
            client.force_login(user)
        for method, path, operation in _operations(api_schema):
            if path.startswith("/api/console/") and values == "values":
                continue  # the console's own probes are below: a real link would write as the school
            url = _url(path, world[values])
            bodies = [None]
            if user is world["organizer"] and operation.get("requestBody"):
                bodies += ["{\"broken", json.dumps({"_": [1]})]  # unparseable; every required value missing
            for body in bodies:
                response = _call(client, method, url, operation, components, body)
                checked += 1
                status = str(response.status_code)
                name = f"{who}: {method.upper()} {path}" + (f" body {body}" if body else "")
                if status not in operation["responses"]:
                    undeclared.append(f"{name} -> {status} (declared {sorted(operation['responses'])})")
                    continue
                _check_body(response, operation["responses"][status], path, name, undeclared)
    assert checked > 250
    assert not undeclared, "\n".join(undeclared)


def test_every_console_status_is_declared_too(client, api_schema, world):
    """The console's operations called with the school's real link (answers as the school) and a wrong one."""
    components = api_schema["components"]["schemas"]
    undeclared = []
    for values in ("values", "missing"):
        for method, path, operation in _operations(api_schema):
            if not path.startswith("/api/console/"):
                continue
            for body in (None, "{\"broken") if method != "get" else (None,):
                response = _call(client, method, _url(path, world[values]), operation, components, body)
                status = str(response.status_code)
                name = f"{values}: {method.upper()} {path}" + (" broken body" if body else "")
                if status not in operation["responses"]:
                    undeclared.append(f"{name} -> {status} (declared {sorted(operation['responses'])})")
                    continue
                _check_body(response, operation["responses"][status], path, name, undeclared)
    assert not undeclared, "\n".join(undeclared)


def _check_body(response, declared: dict, path: str, name: str, wrong: list) -> None:
    media_type = (response.get("Content-Type") or "").split(";")[0].strip()
    if response.status_code == 204:
        return
    if media_type not in (declared.get("content") or {}):
        wrong.append(f"{name} -> {response.status_code} {media_type}, declared {sorted(declared.get('content', {}))}")
    elif response.status_code >= 400 and not path.startswith(VERIFICATION):
        missing = ERROR_KEYS - set(json.loads(response.content))
        if missing:
            wrong.append(f"{name} -> {response.status_code} without {sorted(missing)}")
