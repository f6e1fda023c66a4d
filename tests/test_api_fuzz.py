"""Schemathesis against the whole API, in-process, on a small database: no 500, no answer outside its schema.

Every operation of /api/openapi.json is called with what Schemathesis derives from the schema: its
examples, the boundary values of the coverage phase (huge ids and limits, empty and over-long strings,
wrong types), seeded random data valid and invalid, then stateful sequences (an answer's ids fed to the
next call, links inferred from the schema). The app is Django's WSGI handler in this process (the same
URLconf, middleware and views the ASGI server runs; in-process, so the test database and its
transaction are shared), logged in as an organizer, with a CSRF token on writes.

It fails on a 5xx, on a status the operation does not declare, on a content type it does not declare,
and on a body that does not match the declared schema. Bounded: a fixed seed, few examples per
operation, a few stateful steps; well under a minute on this machine. Marked `slow`.
"""

from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from schemathesis.config import SchemathesisConfig

from attendance.models import RollCall
from events.models import Event, Invitation, JitsiRoom, Session

pytestmark = [pytest.mark.slow]

SEED = 15  # the number: a fixed seed, so a failure is found again by the same run
CSRF = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # 32 characters: a valid unmasked CSRF secret
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance"]


def fuzz_config(max_examples: int, steps: int) -> SchemathesisConfig:
    checks = {"enabled": False, **{name: {"enabled": True} for name in CHECKS}}
    generation = {"mode": "all", "max-examples": max_examples, "deterministic": True, "no-shrink": True}
    return SchemathesisConfig.from_dict({
        "seed": SEED,
        "suppress-health-check": ["all"],
        "generation": generation,
        "checks": checks,
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
                   "stateful": {"enabled": True, "max-steps": steps}},
    })


class WithClientAddress:
    """Django's WSGI handler, given the REMOTE_ADDR a real server always sets (the test transport does not)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        return self.app(environ, start_response)


@pytest.fixture
def fuzz_world(small_tree, organizer, client):
    """A tiny tree (small_tree), a training in progress with a session, a room, an invitation and an open
    roll call; the organizer's session cookie."""
    now = timezone.now()
    event = Event.objects.create(title="Tập huấn chuyển đổi số", kind=Event.Kind.TRAINING,
                                 status=Event.Status.LIVE, host=small_tree["host"],
                                 starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=3))
    session = Session.objects.create(event=event, title="Phiên 1", starts_at=event.starts_at, ends_at=event.ends_at)
    room = JitsiRoom.objects.create(event=event, name="phong-1", label="Phòng 1")
    Invitation.objects.create(event=event, bridge=small_tree["BS-S1"], room=room)
    RollCall.objects.create(session=session, label="Đầu buổi", opened_at=now - timedelta(minutes=1),
                            closes_at=now + timedelta(minutes=4))
    client.force_login(organizer)
    return {"event": event, "cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF}"}


@pytest.fixture
def in_process():
    # As Django's test client does: a finished request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def load_schema(*, max_examples: int, steps: int):
    """The schema as the API object describes it (no request, no database at collection time), bound to
    Django's WSGI handler."""
    from django.core.wsgi import get_wsgi_application

    from config.api import api as ninja_api

    schema = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema(path_prefix="/api/"),
                                            config=fuzz_config(max_examples, steps))
    schema.app = WithClientAddress(get_wsgi_application())
    return schema


api = load_schema(max_examples=4, steps=4)


def headers(world) -> dict:
    return {"Cookie": world["cookie"], "X-CSRFToken": CSRF}


@api.parametrize()
@hypothesis.settings(deadline=None, database=None, derandomize=True, max_examples=4)
def test_no_operation_answers_500_or_outside_its_schema(case, fuzz_world, in_process):
    case.call_and_validate(headers=headers(fuzz_world))
