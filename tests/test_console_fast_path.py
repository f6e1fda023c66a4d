"""The console writes' fast ASGI path answers as the Django routes do (console/fast_path.py, issue 13).

The same sequence of requests runs twice on one database: through config.asgi.application (where the
fast path answers, called over httpx's ASGI transport) and through Django's test client (the ninja
routes), each way for a school of its own (its rows, its nonces). Statuses and bodies must agree, apart
from what differs by nature (ids, times, the school's and its teachers' names).
"""

import asyncio
import json
import re
import uuid

import httpx
import pytest
from django.core.signals import request_started
from django.test import Client

from attendance.models import BridgeCheckIn, CheckIn
from attendance.services import rollcall
from core.models import AuditEntry
from events.models import Invitation
from tests.attendance_support import make_event

pytestmark = pytest.mark.django_db(transaction=True)

VARYING = {"bridge_id", "roll_call_id", "person_id", "checked_in_at", "headcount_at", "at", "undo_until"}


def fast_app():
    from config.asgi import application

    return application


async def fast_call(method, path, *, body=b"", headers=None, base_url="http://testserver"):
    transport = httpx.ASGITransport(app=fast_app(), client=("10.1.2.3", 5000))
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        response = await client.request(method, path, content=body, headers=headers or {})
    kind = response.headers.get("content-type", "")
    return response.status_code, response.json() if kind.startswith("application/json") else response.text


def fast_post(path, body, headers):
    return asyncio.run(fast_call("POST", path, body=body, headers=headers))


def django_post(path, body, headers):
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
             if name != "content-type"}
    response = Client(REMOTE_ADDR="10.1.2.3").post(path, body, content_type=headers.get("content-type", ""), **extra)
    return response.status_code, response.json()


class CountDjangoRequests:
    """How many requests entered Django's handler (its request_started signal) while in the block."""

    def __enter__(self):
        self.count = 0
        request_started.connect(self._started)
        return self

    def _started(self, **kwargs):
        self.count += 1

    def __exit__(self, *exc):
        request_started.disconnect(self._started)


def steps(school, roll_call, idle_school):
    """(name, path, raw body, language) for one way, with nonces of its own."""
    token, people = school.console_token, list(school.people.order_by("pk"))
    base = f"/api/console/{token}"

    def body(**data):
        return json.dumps(data).encode()

    checkin = body(nonce=str(uuid.uuid4()), method="button")
    tick = body(nonce=str(uuid.uuid4()), roll_call_id=roll_call.pk, person_id=people[0].pk)
    return [
        ("check-in", base + "/checkin", checkin, "vi"),
        ("the same nonce again", base + "/checkin", checkin, "vi"),
        ("headcount", base + "/headcount", body(nonce=str(uuid.uuid4()), headcount=2), "vi"),
        ("tick", base + "/tick", tick, "vi"),
        ("the tick's nonce again", base + "/tick", tick, "vi"),
        ("untick", base + "/untick", body(nonce=str(uuid.uuid4()), roll_call_id=roll_call.pk, person_id=people[0].pk),
         "en"),
        ("untick of someone not ticked", base + "/untick",
         body(nonce=str(uuid.uuid4()), roll_call_id=roll_call.pk, person_id=people[1].pk), "vi"),
        ("invalid token", "/api/console/no-such-token/checkin", checkin, "vi"),
        ("invalid token, bad JSON", "/api/console/no-such-token/tick", b"{nope", "en"),
        ("bad JSON", base + "/checkin", b"{nope", "vi"),
        ("nested too deep", base + "/headcount", b"[" * 200 + b"]" * 200, "vi"),
        ("not an object", base + "/tick", b"[1, 2]", "en"),
        ("empty body", base + "/checkin", b"", "vi"),
        ("no nonce", base + "/checkin", body(method="button"), "vi"),
        ("tick without a person", base + "/tick", body(nonce=str(uuid.uuid4()), roll_call_id=roll_call.pk), "vi"),
        ("headcount without a number", base + "/headcount", body(nonce=str(uuid.uuid4())), "en"),
        ("oversize body", base + "/checkin", body(nonce=str(uuid.uuid4()), pad="x" * 9000), "vi"),
        ("no current event", f"/api/console/{idle_school.console_token}/checkin", body(nonce=str(uuid.uuid4())),
         "vi"),
    ]


def run(way, sequence):
    post = fast_post if way == "fast" else django_post
    return [(name, *post(path, raw, {"content-type": "application/json", "accept-language": language}))
            for name, path, raw, language in sequence]


def scrub(value, names):
    if isinstance(value, dict):
        return {key: "…" if key in VARYING else scrub(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, names) for item in value]
    if isinstance(value, str):
        for name, placeholder in names.items():
            value = value.replace(name, placeholder)
        return re.sub(r"\b\d{1,2}:\d{2}\b", "hh:mm", value)  # "ticked at 23:25": the ways may straddle a minute
    return value


def names_of(school):
    names = {school.name: "<school>"}
    names.update({person.full_name: f"<person {n}>" for n, person in enumerate(school.people.order_by("pk"))})
    return names


def test_both_ways_answer_alike(small_tree):
    env = make_event(small_tree)
    roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ")
    schools = {"fast": small_tree["BS-S1"], "django": small_tree["BS-S2"]}
    idle = {"fast": small_tree["TN-S1"], "django": small_tree["TN-S2"]}
    Invitation.objects.filter(bridge__in=idle.values()).delete()  # no current or upcoming event for these

    results = {}
    for way in ("fast", "django"):
        with CountDjangoRequests() as django_requests:
            results[way] = run(way, steps(schools[way], roll_call, idle[way]))
        if way == "fast":
            assert django_requests.count == 0  # no request went through Django's handler
        else:
            assert django_requests.count == len(results[way])

    fast, django = results["fast"], results["django"]
    for (name, status, body), (_n, d_status, d_body) in zip(fast, django, strict=True):
        assert status == d_status, name
        assert scrub(body, names_of(schools["fast"])) == scrub(d_body, names_of(schools["django"])), name

    answers = {name: (status, body) for name, status, body in fast}
    assert {name: status for name, (status, _body) in answers.items()} == {
        "check-in": 201, "the same nonce again": 201, "headcount": 200, "tick": 201, "the tick's nonce again": 201,
        "untick": 200, "untick of someone not ticked": 409, "invalid token": 404, "invalid token, bad JSON": 404,
        "bad JSON": 400, "nested too deep": 400, "not an object": 400, "empty body": 400, "no nonce": 400,
        "tick without a person": 400, "headcount without a number": 400, "oversize body": 400,
        "no current event": 409}
    first, again = answers["check-in"][1], answers["the same nonce again"][1]
    assert first["outcome"] == "accepted" and first["replayed"] is False
    assert again == {**first, "replayed": True}  # the first answer, again
    assert answers["the tick's nonce again"][1] == {**answers["tick"][1], "replayed": True}
    assert answers["invalid token"][1]["code"] == answers["invalid token, bad JSON"][1]["code"] == "invalid_link"
    assert answers["no current event"][1]["outcome"] == answers["no current event"][1]["code"] == "no_event"
    assert answers["untick"][1]["message"].startswith("The tick of ")  # in the language asked for
    assert "Giáo viên BS10" in answers["untick"][1]["message"]

    # One row per way for each repeated nonce; the writes' audit rows, as the services record them.
    for school in schools.values():
        assert BridgeCheckIn.objects.filter(bridge=school, event=env.event).count() == 1
        assert not CheckIn.objects.filter(roll_call=roll_call, person__bridge=school).exists()  # ticked, undone
        actions = list(AuditEntry.objects.filter(actor_label__contains=school.code).values_list("action", flat=True))
        assert sorted(actions) == ["attendance.bridge_checkin", "attendance.headcount", "attendance.tick",
                                   "attendance.tick_undone"], actions


def test_other_requests_go_to_django(small_tree):
    token = small_tree["BS-S1"].console_token

    async def main():
        live = await fast_call("GET", f"/api/console/{token}/live")
        wrong_method = await fast_call("PUT", f"/api/console/{token}/checkin", body=b"{}",
                                       headers={"content-type": "application/json"})
        trailing_slash = await fast_call("POST", f"/api/console/{token}/checkin/", body=b"{}")
        another_write = await fast_call("POST", f"/api/console/{token}/launch")
        bad_host = await fast_call("POST", f"/api/console/{token}/checkin", body=b"{}", base_url="http://evil.example")
        return live, wrong_method, trailing_slash, another_write, bad_host

    with CountDjangoRequests() as django_requests:
        live, wrong_method, trailing_slash, another_write, bad_host = asyncio.run(main())
    assert django_requests.count == 5
    assert live[0] == 200 and live[1]["bridge"]["code"] == "BS-S1"
    assert wrong_method[0] == 405
    assert trailing_slash[0] == 404
    assert another_write[0] == 403  # no event to launch: the route's own refusal
    assert bad_host[0] == 400  # DisallowedHost, as for every other URL


def test_a_body_past_djangos_upload_limit_is_left_to_django(small_tree, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    path = f"/api/console/{small_tree['BS-S1'].console_token}/checkin"
    body = json.dumps({"nonce": str(uuid.uuid4()), "pad": "x" * 30_000}).encode()
    with CountDjangoRequests() as django_requests:
        fast = asyncio.run(fast_call("POST", path, body=body, headers={"content-type": "application/json"}))
    assert django_requests.count == 1
    django = Client().post(path, body, content_type="application/json")
    assert fast[0] == django.status_code == 400  # Django's RequestDataTooBig, not the write's refusal
    assert not BridgeCheckIn.objects.exists()


def test_a_tick_through_the_fast_path_tells_the_boards(small_tree):
    from channels.layers import get_channel_layer

    from attendance import live

    env = make_event(small_tree)
    roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ")

    async def main():
        layer = get_channel_layer()
        board = await layer.new_channel()
        await layer.group_add(live.changes_group(env.event.pk), board)  # where the event's boards listen
        body = json.dumps({"nonce": str(uuid.uuid4()), "roll_call_id": roll_call.pk, "person_id": env.people[0].pk})
        answer = await fast_call("POST", f"/api/console/{env.school.console_token}/tick", body=body.encode(),
                                 headers={"content-type": "application/json"})
        message = await asyncio.wait_for(layer.receive(board), timeout=5)
        await layer.group_discard(live.changes_group(env.event.pk), board)
        return answer, message

    (status, _body), message = asyncio.run(main())
    assert status == 201
    assert message["type"] == "bridges.changed" and message["bridge_ids"] == [env.school.pk]
