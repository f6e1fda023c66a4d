"""Scale-out: two ASGI worker processes on PostgreSQL + Redis. A check-in handled by one process
reaches a board connected to the other.

Real parts only: a database created and migrated for this test, two uvicorn processes, a websocket
client and HTTP requests over loopback. Skipped (with the reason) unless DATABASE_URL points to a
reachable PostgreSQL and REDIS_URL to a reachable Redis.
"""

import asyncio
import json
import os
import urllib.request
import uuid

import pytest

from tests.board_support import ServerProcess, manage, server_env

pytestmark = pytest.mark.services

SEED = r"""
import json
from datetime import timedelta
from django.utils import timezone
from attendance.models import RollCall
from attendance.services import qr
from bridges.models import Bridge, Person, Tier
from events.models import Event, Invitation, Session
from tests.board_support import organizer_session

# The migration created the usual tiers (bridges 0002); the seed uses them.
host_tier = Tier.objects.get(code="host")
district_tier = Tier.objects.get(code="district")
school_tier = Tier.objects.get(code="school")
host = Bridge.objects.create(code="IOC", name="IOC", tier=host_tier)
district = Bridge.objects.create(code="BS", name="Bình Sơn", tier=district_tier, parent=host)
school = Bridge.objects.create(code="BS-S1", name="Trường 1", tier=school_tier, parent=district)
teacher = Person.objects.create(bridge=school, full_name="Giáo viên A", teacher_id="0900000001")
now = timezone.now()
event = Event.objects.create(title="Scale-out", host=host, status="live", starts_at=now - timedelta(minutes=5),
                             ends_at=now + timedelta(hours=1))
session = Session.objects.create(event=event, title="S", starts_at=event.starts_at, ends_at=event.ends_at)
Invitation.objects.create(event=event, bridge=school, status="confirmed")
roll_call = RollCall.objects.create(session=session, label="R1", opened_at=now, closes_at=now + timedelta(minutes=10),
                                    window_seconds=60)
session_key = organizer_session()
print(json.dumps({"event": event.pk, "school": school.pk, "token": school.console_token, "session": session_key,
                  "teacher": teacher.teacher_id, "qr": qr.current_token(roll_call, school.pk)}))
"""


def services_or_skip() -> tuple[str, str]:
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        pytest.skip("scale-out needs DATABASE_URL (PostgreSQL) and REDIS_URL set, as `make test-services` does")
    from tests.services_available import main as available

    if available(database_url, redis_url) != 0:
        pytest.skip("PostgreSQL or Redis does not answer (see the line above)")
    return database_url, redis_url


@pytest.fixture
def scaleout_database():
    import psycopg

    database_url, redis_url = services_or_skip()
    base, _name = database_url.rsplit("/", 1)
    name = f"diemcau_scaleout_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = server_env(DATABASE_URL=f"{base}/{name}", REDIS_URL=redis_url)
    try:
        manage("migrate", "--noinput", env=env)
        seeded = json.loads(manage("shell", "-c", SEED, env=env).strip().splitlines()[-1])
        yield env, seeded
    finally:
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",  # noqa: S310
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310 - loopback test server
        return resp.status, json.loads(resp.read())


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - loopback test server
        return json.loads(resp.read())


async def frame_with_tile(ws, bridge_id: int, predicate, timeout: float) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=max(0.01, deadline - loop.time())))
        tile = next((t for t in frame.get("tiles", []) if t["id"] == bridge_id), None)
        if frame.get("type") == "delta" and tile is not None and predicate(tile, frame):
            return frame


def test_a_check_in_on_one_worker_reaches_a_board_on_the_other(scaleout_database):
    from websockets.asyncio.client import connect

    env, seeded = scaleout_database
    worker_a, worker_b = ServerProcess(env), ServerProcess(env)
    try:
        worker_a.wait_ready()
        worker_b.wait_ready()

        async def scenario():
            headers = {"Cookie": f"sessionid={seeded['session']}"}
            url = f"ws://127.0.0.1:{worker_a.port}/ws/board/{seeded['event']}/"
            async with connect(url, additional_headers=headers, origin=f"http://127.0.0.1:{worker_a.port}") as ws:
                hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
                assert hello["type"] == "hello"
                await asyncio.sleep(0.3)  # the worker's coalescer has joined the Redis group

                status, body = await asyncio.to_thread(
                    post_json, f"{worker_b.url}/api/console/{seeded['token']}/checkin", {"nonce": uuid.uuid4().hex})
                assert status == 201, body
                frame = await frame_with_tile(ws, seeded["school"], lambda t, f: t["checked_in"], timeout=3)
                assert frame["counters"]["total"]["checked_in"] == 1

                # The phone loads its page on worker A and checks in on worker B: one signed page token.
                page = await asyncio.to_thread(get_json, f"{worker_a.url}/api/attendance/qr/{seeded['qr']}")
                status, body = await asyncio.to_thread(
                    post_json, f"{worker_b.url}/api/attendance/qr/{seeded['qr']}/checkin",
                    {"nonce": uuid.uuid4().hex, "identifier": seeded["teacher"], "page_token": page["page_token"]})
                assert status == 201, body
                frame = await frame_with_tile(ws, seeded["school"], lambda t, f: sum(t["present"].values()) == 1,
                                              timeout=3)
                assert sum(frame["counters"]["total"]["present"].values()) == 1

        asyncio.run(scenario())
    finally:
        worker_a.stop()
        worker_b.stop()
