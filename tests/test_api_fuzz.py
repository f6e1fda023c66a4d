"""Schemathesis against the whole API, in-process, on a small database: no 500, no answer outside its schema.

Every operation of /api/openapi.json is called with what Schemathesis derives from the schema: its
examples, the boundary values of the coverage phase (ids and limits past their maxima and past 64 bits,
empty and odd strings, wrong types, missing values), seeded random data valid and invalid; then stateful
sequences, each answer's values fed to the next call along the links Schemathesis infers from the schema.
The app is Django's WSGI handler in this process: the same URLconf, middleware and views the ASGI server
runs, sharing the test database and its transaction. The caller is an organizer (every operation open to
it), with a CSRF token on writes; the school console's operations are called with whatever token is
generated (an unknown link: their 404).

It fails on a 5xx, a status the operation does not declare, a content type it does not declare, and a
body that does not match the declared schema. Bounded: a fixed seed, FUZZ_EXAMPLES random examples per
operation (default 5), FUZZ_SCENARIOS stateful scenarios of at most 4 calls (default 5); about a minute
here. A deeper run: FUZZ_EXAMPLES=50 FUZZ_SCENARIOS=100 pytest tests/test_api_fuzz.py.
"""

import os
from collections import Counter
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
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 5))
SCENARIOS = int(os.environ.get("FUZZ_SCENARIOS", 5))
STEPS = 4
CSRF = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # 32 characters: a valid unmasked CSRF secret
# What this test is about: server errors and answers outside the schema. (Schemathesis' other checks judge
# policy, e.g. that a service may not refuse a schema-valid value with a 400; those refusals are ours.)
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance"]
SETTINGS = {"deadline": None, "database": None, "derandomize": True,
            "suppress_health_check": list(hypothesis.HealthCheck)}
calls = {"count": 0}
statuses: Counter = Counter()


def fuzz_config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "seed": SEED,
        "suppress-health-check": ["all"],
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True, "no-shrink": True},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "phases": {"examples": {"enabled": True},
                   # Boundary values of every parameter; not the same request with other HTTP methods.
                   "coverage": {"enabled": True, "unexpected-methods": [],
                                "generate-duplicate-query-parameters": False},
                   "fuzzing": {"enabled": True},
                   "stateful": {"enabled": True, "max-steps": STEPS}},
    })


class WithClientAddress:
    """Django's WSGI handler, given the REMOTE_ADDR a real server always sets (the test transport does not)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        return self.app(environ, start_response)


def load_schema():
    """The schema as the API object describes it (no request and no database at collection time), bound to
    Django's WSGI handler. (schemathesis.pytest.from_fixture would load it per test, but fails on pytest 9.)"""
    from django.core.wsgi import get_wsgi_application

    from config.api import api as ninja_api

    schema = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema(path_prefix="/api/"), config=fuzz_config())
    schema.app = WithClientAddress(get_wsgi_application())
    return schema


api = load_schema()
# The ids of the small world below, which the fuzzing draws in place of a generated path value about half the
# time: without them nearly every call would end in a 404 before reaching the view's work.
known: dict = {}


@api.hook
def flatmap_path_parameters(context, path_parameters):
    from hypothesis import strategies as st

    return st.fixed_dictionaries({name: st.sampled_from([value, known[name]]) if name in known else st.just(value)
                                  for name, value in (path_parameters or {}).items()})


@pytest.fixture
def fuzz_world(small_tree, organizer, client):
    """A tiny tree (small_tree: a host, two districts, four schools, twelve teachers), a training in progress
    with a session, a room, an invitation and an open roll call (their ids in `known`); the organizer's
    session cookie and CSRF token."""
    now = timezone.now()
    event = Event.objects.create(title="Tập huấn chuyển đổi số", kind=Event.Kind.TRAINING,
                                 status=Event.Status.LIVE, host=small_tree["host"],
                                 starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=3))
    session = Session.objects.create(event=event, title="Phiên 1", starts_at=event.starts_at, ends_at=event.ends_at)
    room = JitsiRoom.objects.create(event=event, name="phong-1", label="Phòng 1")
    Invitation.objects.create(event=event, bridge=small_tree["BS-S1"], room=room)
    roll_call = RollCall.objects.create(session=session, label="Đầu buổi", opened_at=now - timedelta(minutes=1),
                                        closes_at=now + timedelta(minutes=4))
    school = small_tree["BS-S1"]
    known.clear()
    known.update({"event_id": event.pk, "session_id": session.pk, "roll_call_id": roll_call.pk, "room_name": room.name,
                  "bridge_code": school.code, "code": school.code, "bridge_id": school.pk,
                  "person_id": school.people.first().pk, "token": school.console_token})
    client.force_login(organizer)
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF},
            # The in-process transport hands back the body as sent, undecoded, where an HTTP client would
            # undo a content coding: ask for none (the board snapshot's gzip is tested in test_board_counters).
            "headers": {"X-CSRFToken": CSRF, "Accept-Encoding": "identity"}}


@pytest.fixture
def in_process():
    # As Django's test client does: a finished request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@api.parametrize()
@hypothesis.settings(max_examples=EXAMPLES, **SETTINGS)
def test_no_operation_answers_500_or_outside_its_schema(case, fuzz_world, in_process):
    calls["count"] += 1
    response = case.call_and_validate(**fuzz_world)
    statuses[response.status_code] += 1


def test_stateful_sequences_answer_no_500_and_stay_within_the_schema(fuzz_world, in_process):
    class Organizer(api.as_state_machine()):
        def get_call_kwargs(self, case):
            calls["count"] += 1
            return fuzz_world

        def after_call(self, response, case):
            super().after_call(response, case)
            statuses[response.status_code] += 1

    before = calls["count"]
    Organizer.run(settings=hypothesis.settings(max_examples=SCENARIOS, stateful_step_count=STEPS, **SETTINGS))
    assert calls["count"] - before >= SCENARIOS  # every scenario made at least one call


def test_the_run_called_the_api(request):
    """Guard: the runs above did call the API, thousands of times (an empty run would pass silently)."""
    if request.session.testsfailed or calls["count"] == 0:
        pytest.skip("runs only after the two tests above, in the same session")
    print(f"\nschemathesis: {calls['count']} requests, by status {sorted(statuses.items())}")
    assert calls["count"] > 1000
    # Logged in and past CSRF: most answers are not 401/403, and some operations succeed.
    assert statuses[401] + statuses[403] < calls["count"] / 4 and sum(n for s, n in statuses.items() if s < 300) > 100
