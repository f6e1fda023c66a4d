"""The teacher endpoints' fast ASGI path answers as the Django routes do (attendance/fast_path.py).

Each scenario runs twice on the same database, once through config.asgi.application (where the fast
path answers) and once through Django's own ASGI handler (the ninja routes), each on a roll call of its
own; statuses and bodies must agree, apart from what differs by nature (tokens, times, ids).
"""

import asyncio
import json
import uuid

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.db.models import Count

from attendance.models import CheckIn, CheckInAttempt
from attendance.services import qr, rollcall
from tests.attendance_support import make_event, screen_code

pytestmark = pytest.mark.django_db(transaction=True)

VARYING = {"page_token", "roll_call_id", "at", "closes_at", "bridge_id"}


def apps():
    from config.asgi import application, django_asgi_app

    return {"fast": application, "django": django_asgi_app}


async def call(app, method, path, *, body=None, headers=None):
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.request(method, path, content=body, headers=headers or {})
    kind = response.headers.get("content-type", "")
    return response.status_code, response.json() if kind.startswith("application/json") else response.text, kind


def scrub(body):
    if isinstance(body, dict):
        return {key: ("…" if key in VARYING else scrub(value)) for key, value in body.items()}
    return body




async def run_steps(app, roll_call, school, people, language="vi"):
    code = await sync_to_async(qr.current_token)(roll_call, school.pk)
    base = f"/api/attendance/qr/{code}"
    answers = []
    status, page, kind = await call(app, "GET", base)
    answers.append(("page", status, page, kind))
    token = page["page_token"]
    first = {"nonce": str(uuid.uuid4()), "page_token": token, "identifier": people[0].teacher_id}
    for name, body in [
        ("by identifier", first),
        ("the same nonce again", first),
        ("a second person on the spent page", {**first, "nonce": str(uuid.uuid4()), "identifier": people[1].teacher_id}),
        ("not JSON", b"{nope"),
        ("nested too deep", b"[" * 200 + b"]" * 200),
        ("not the schema", {"nonce": "x", "person_id": "abc"}),
        ("unknown identifier", {"nonce": str(uuid.uuid4()), "page_token": (await call(app, "GET", base))[1]["page_token"],
                                "identifier": "999999999999"}),
    ]:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        status, answer, kind = await call(app, "POST", base + "/checkin", body=raw,
                                          headers={"content-type": "application/json", "accept-language": language})
        answers.append((name, status, answer, kind))
    status, answer, kind = await call(app, "GET", "/api/attendance/qr/forged-code")
    answers.append(("forged code", status, answer, kind))
    return answers


# English as well as the default: the fast path switches to the teacher's language only to say why it
# refuses, and must say it in that language as Django does.
@pytest.mark.parametrize("language", ["vi", "en"])
def test_both_ways_answer_alike(small_tree, language):
    env = make_event(small_tree)
    results = {}
    for way, app in apps().items():
        roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ")
        # Each way gets its own roll call and its own teachers' rows; close it after, so the next can open.
        results[way] = asyncio.run(run_steps(app, roll_call, env.school, env.people, language))
        rollcall.close_roll_call(roll_call)
    fast, django = results["fast"], results["django"]
    assert [step[0] for step in fast] == [step[0] for step in django]
    for (name, status, body, kind), (_n, d_status, d_body, d_kind) in zip(fast, django, strict=True):
        assert status == d_status, name
        assert scrub(body) == scrub(d_body), name
        assert kind.startswith("application/json") and d_kind.startswith("application/json"), name
    refusal = {name: body for name, _s, body, _k in fast}["not JSON"]
    assert refusal["detail"] == ("The request was not sent in the expected form." if language == "en"
                                 else "Yêu cầu không được gửi đúng định dạng.")
    statuses = {name: status for name, status, _body, _kind in fast}
    assert statuses == {"page": 200, "by identifier": 201, "the same nonce again": 201,
                        "a second person on the spent page": 409, "not JSON": 400, "nested too deep": 400, "not the schema": 422,
                        "unknown identifier": 404, "forged code": 403}
    # One row per way: the same rules wrote the same rows.
    assert CheckIn.objects.filter(person=env.people[0]).count() == 2
    per_roll_call = sorted(CheckInAttempt.objects.filter(roll_call__isnull=False).values_list("roll_call_id")
                           .annotate(n=Count("id"))
                           .values_list("n", flat=True))
    assert len(per_roll_call) == 2 and per_roll_call[0] == per_roll_call[1]


def test_other_requests_go_to_django(small_tree):
    async def main():
        app = apps()["fast"]
        healthz = await call(app, "GET", "/healthz")
        wrong_method = await call(app, "PUT", "/api/attendance/qr/abc/checkin", body=b"{}",
                                  headers={"content-type": "application/json"})
        return healthz, wrong_method

    healthz, wrong_method = asyncio.run(main())
    assert healthz[0] == 200
    assert wrong_method[0] == 405  # Django's answer, not the fast path's


def test_a_bad_host_is_left_to_django(small_tree):
    async def main():
        transport = httpx.ASGITransport(app=apps()["fast"])
        async with httpx.AsyncClient(transport=transport, base_url="http://evil.example") as client:
            return await client.get("/api/attendance/qr/abc")

    response = asyncio.run(main())
    assert response.status_code == 400  # DisallowedHost, as for every other URL


def test_an_oversized_body_is_refused_without_reading_it_all(small_tree):
    async def main():
        return await call(apps()["fast"], "POST", "/api/attendance/qr/abc/checkin", body=b"x" * 40_000,
                          headers={"content-type": "application/json"})

    status, body, _kind = asyncio.run(main())
    assert status == 413 and body["code"] == "too_large"


def test_second_factor_by_name_through_the_fast_path(small_tree):
    env = make_event(small_tree)
    roll_call = rollcall.open_roll_call(env.session, label="Theo tên")
    person = env.people[1]

    async def main():
        app = apps()["fast"]
        code = await sync_to_async(qr.current_token)(roll_call, env.school.pk)
        base = f"/api/attendance/qr/{code}"
        page = (await call(app, "GET", base))[1]
        body = {"nonce": str(uuid.uuid4()), "page_token": page["page_token"], "person_id": person.pk,
                "birth_year": str(person.birth_date.year),
                "second_factor": await sync_to_async(screen_code)(roll_call, env.school)}
        return await call(app, "POST", base + "/checkin", body=json.dumps(body).encode(),
                          headers={"content-type": "application/json"})

    status, body, _kind = asyncio.run(main())
    assert status == 201 and body["ok"], body
    assert "full_name" not in body and person.full_name not in json.dumps(body, ensure_ascii=False)
    assert CheckIn.objects.filter(roll_call=roll_call, person=person).count() == 1


def test_check_ins_arriving_together_are_written_together(small_tree):
    from attendance.fast_path import CHECKINS
    from bridges.models import Person

    env = make_event(small_tree)
    roll_call = rollcall.open_roll_call(env.session, label="Cùng lúc")
    Person.objects.bulk_create([Person(bridge=env.school, full_name=f"Giáo viên {n}", teacher_id=f"0480{n:08d}")
                                for n in range(60)])
    teachers = list(env.school.people.filter(full_name__startswith="Giáo viên ").values_list("teacher_id", flat=True))

    async def main():
        app = apps()["fast"]
        code = await sync_to_async(qr.current_token)(roll_call, env.school.pk)
        base = f"/api/attendance/qr/{code}"
        pages = [(await call(app, "GET", base))[1]["page_token"] for _ in teachers]
        batches = CHECKINS.batches
        answers = await asyncio.gather(*(
            call(app, "POST", base + "/checkin", headers={"content-type": "application/json"},
                 body=json.dumps({"nonce": str(uuid.uuid4()), "page_token": page, "identifier": teacher}).encode())
            for page, teacher in zip(pages, teachers, strict=True)))
        return answers, CHECKINS.batches - batches

    answers, batches = asyncio.run(main())
    assert [status for status, _body, _kind in answers] == [201] * len(teachers)
    assert batches < len(teachers)  # they waited for each other
    assert CheckIn.objects.filter(roll_call=roll_call).count() == len(teachers)  # each exactly once


def test_a_failing_batch_fails_its_callers_and_the_next_batch_runs():
    from core.async_batch import AsyncBatcher

    calls = []

    def write(items):
        calls.append(list(items))
        if "bad" in items:
            raise ValueError("no")
        return [ValueError(f"refused {item}") if item == "refused" else item.upper() for item in items]

    batcher = AsyncBatcher(write)

    async def main():
        good = await batcher.submit("a")
        results = await asyncio.gather(batcher.submit("bad"), batcher.submit("b"), return_exceptions=True)
        refused = await asyncio.gather(batcher.submit("refused"), return_exceptions=True)
        after = await batcher.submit("c")
        return good, results, refused, after

    good, results, refused, after = asyncio.run(main())
    assert good == "A" and after == "C"
    assert all(isinstance(r, ValueError) for r in results)  # one batch, failed together
    assert isinstance(refused[0], ValueError) and "refused" in str(refused[0])


def test_under_load_a_batch_waits_for_those_arriving_with_it_and_a_lone_item_never_waits():
    """core.async_batch's `gather`: a batch about to start with more than one item waiting waits that long,
    and what arrives meanwhile joins it; a single item is written at once."""
    import time

    from core.async_batch import AsyncBatcher

    sizes = []

    def write(items):
        sizes.append(len(items))
        return items

    batcher = AsyncBatcher(write, gather=0.5)

    async def main():
        started = time.monotonic()
        alone = await batcher.submit("alone")
        alone_took = time.monotonic() - started
        together = [asyncio.ensure_future(batcher.submit(n)) for n in range(2)]
        await asyncio.sleep(0.1)  # the batch of two is gathering
        later = [asyncio.ensure_future(batcher.submit(n)) for n in range(2, 6)]
        return alone, alone_took, await asyncio.gather(*together, *later)

    alone, alone_took, answers = asyncio.run(main())
    assert alone == "alone" and alone_took < 0.25
    assert answers == [0, 1, 2, 3, 4, 5]
    assert sizes == [1, 6]


@pytest.mark.parametrize("way", ["fast", "django"])
def test_phones_behind_one_address_are_told_apart_by_their_device_cookie(small_tree, way, settings):
    """A staff room's phones share the school's address and, often, one browser string: the teacher page's
    device cookie is what tells them apart, on the API as on the page. Past the flag's threshold only the
    check-ins from one device are flagged."""
    from attendance.services.teacher_checkin import DEVICE_COOKIE, same_client_flag_after
    from bridges.models import Person

    env = make_event(small_tree)
    roll_call = rollcall.open_roll_call(env.session, label="Phòng giáo viên")
    many = same_client_flag_after() + 2
    Person.objects.bulk_create([Person(bridge=env.school, full_name=f"Giáo viên {n}", teacher_id=f"0490{n:08d}")
                                for n in range(2 * many)])
    teachers = list(env.school.people.filter(teacher_id__startswith="0490").order_by("teacher_id")
                    .values_list("teacher_id", flat=True))
    browser = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"

    async def main():
        app = apps()[way]
        code = await sync_to_async(qr.current_token)(roll_call, env.school.pk)
        base = f"/api/attendance/qr/{code}"
        for index, teacher in enumerate(teachers):
            # The first half: a phone each; the second half: all from one phone.
            device = f"phone-{index}" if index < many else "shared-phone"
            headers = {"user-agent": browser, "cookie": f"{DEVICE_COOKIE}={device}"}
            page = (await call(app, "GET", base, headers=headers))[1]["page_token"]
            status, body, _kind = await call(app, "POST", base + "/checkin", headers={
                **headers, "content-type": "application/json"},
                body=json.dumps({"nonce": str(uuid.uuid4()), "page_token": page, "identifier": teacher}).encode())
            assert status == 201, body

    asyncio.run(main())
    flagged = set(CheckIn.objects.filter(roll_call=roll_call, same_client=True)
                  .values_list("person__teacher_id", flat=True))
    assert flagged and flagged <= set(teachers[many:])
