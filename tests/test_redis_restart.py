"""Redis restarted in the middle of a roll call (issue 13): no check-in lost, the board back within 5 s.

Real parts only: a redis-server of this test's own on a free port (never the machine's 6379), a
PostgreSQL database created and migrated for it, uvicorn on loopback with REDIS_URL at that Redis, a
board on /ws/board/<event>/ that behaves as static/js/board.js does (hello, then the snapshot over HTTP;
a gap in `seq` or `resync` reloads it; a closed socket reconnects after 1 s), and teachers checking in
through the real endpoints (page load for the single-use page token, then the check-in).

Redis is killed (SIGKILL, nothing saved: it comes back empty, its groups and queued messages gone)
after the first teachers; more check in while it is down, each must be accepted; it is started again;
the board must show what the database holds within 5 s, and check-ins after that must reach it as
they happen (the process joined its groups again), not only through the periodic full refresh.
"""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import httpx
import pytest

from tests.board_support import ServerProcess, free_port, manage, server_env

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
pytestmark = [
    pytest.mark.services,
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(REDIS_SERVER), reason="redis-server is not installed"),
]

TEACHERS = 60  # per address and roll call the teacher page lets 90 a minute through (throttle)
BACK_WITHIN = 5.0

SEED = r"""
import json, time
from datetime import timedelta
from django.utils import timezone
from attendance.models import RollCall
from attendance.services import qr
from bridges.models import Bridge, Person, Tier
from events.models import Event, Invitation, Session
from tests.board_support import organizer_session

host = Bridge.objects.create(code="IOC", name="IOC", tier=Tier.objects.get(code="host"))
district = Bridge.objects.create(code="BS", name="Bình Sơn", tier=Tier.objects.get(code="district"), parent=host)
schools = [Bridge.objects.create(code=f"BS-S{i}", name=f"Trường {i}", tier=Tier.objects.get(code="school"),
                                 parent=district) for i in (1, 2)]
teachers = []
for n in range(TEACHERS):
    school = schools[n % 2]
    person = Person.objects.create(bridge=school, full_name=f"Giáo viên {n}", teacher_id=f"09{n:08d}")
    teachers.append([school.pk, person.teacher_id])
now = timezone.now()
event = Event.objects.create(title="Redis restart", host=host, status="live", starts_at=now - timedelta(minutes=5),
                             ends_at=now + timedelta(hours=1))
session = Session.objects.create(event=event, title="S", starts_at=event.starts_at, ends_at=event.ends_at)
for school in schools:
    Invitation.objects.create(event=event, bridge=school, status="confirmed")
roll_call = RollCall.objects.create(session=session, label="R1", opened_at=now, closes_at=now + timedelta(minutes=15),
                                    window_seconds=60)
session_key = organizer_session()
first = qr.window_index(roll_call, now)
codes = {str(s.pk): {str(w): qr.make_token(roll_call, s.pk, w) for w in range(first, first + 6)} for s in schools}
print(json.dumps({"event": event.pk, "roll_call": roll_call.pk, "session": session_key, "teachers": teachers,
                  "codes": codes, "window_seconds": roll_call.window_seconds}))
""".replace("TEACHERS", str(TEACHERS))


class RedisServer:
    """A redis-server of this test's own: no persistence, so a restart comes back empty."""

    def __init__(self):
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="diemcau-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> float:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.folder, "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return time.monotonic()
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer within 10 s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)  # this test's own process, by its id
            self.process.wait(timeout=5)

    def remove(self) -> None:
        self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_base() -> str:
    url = os.environ.get("DATABASE_URL", "")
    base = url.rsplit("/", 1)[0] if url.startswith(("postgres://", "postgresql://")) else \
        "postgres://postgres@127.0.0.1:5432"
    try:
        import psycopg

        with psycopg.connect(base + "/postgres", connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {base}: {exc}")
    return base


@pytest.fixture
def setup():
    import psycopg

    base = postgres_base()
    name = f"diemcau_redis_restart_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    redis_server = RedisServer()
    redis_server.start()
    env = server_env(DATABASE_URL=f"{base}/{name}", REDIS_URL=redis_server.url)
    server = None
    try:
        manage("migrate", "--noinput", env=env)
        seeded = json.loads(manage("shell", "-c", SEED, env=env).strip().splitlines()[-1])
        server = ServerProcess(env).wait_ready()
        yield server, redis_server, seeded, f"{base}/{name}"
    finally:
        if server is not None:
            server.stop()
        redis_server.remove()
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def in_database(database_url: str, roll_call: int) -> dict[int, int]:
    """Check-ins per bridge as the database holds them, and refuses a teacher counted twice."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT bridge_id, person_id FROM attendance_checkin WHERE roll_call_id = %s",
                            [roll_call]).fetchall()
    people = [person for _bridge, person in rows]
    assert len(people) == len(set(people)), "a teacher is in the database twice"
    counts: dict[int, int] = {}
    for bridge, _person in rows:
        counts[bridge] = counts.get(bridge, 0) + 1
    return counts


class Board:
    """What static/js/board.js keeps of a board: each bridge's count at the roll call."""

    def __init__(self, url: str, event: int, session: str, roll_call: int):
        self.url, self.event, self.roll_call = url, event, roll_call
        self.cookie = {"Cookie": f"sessionid={session}"}
        self.present: dict[int, int] = {}
        self.connects = 0
        self.snapshots = 0
        self.task: asyncio.Task | None = None

    def counts(self) -> dict[int, int]:
        return {bridge: n for bridge, n in self.present.items() if n}

    async def snapshot(self, http: httpx.AsyncClient, path: str) -> None:
        resp = await http.get(path, headers=self.cookie)
        resp.raise_for_status()
        self.snapshots += 1
        self.apply(resp.json()["tiles"])

    def apply(self, tiles: list[dict]) -> None:
        for tile in tiles:
            self.present[tile["id"]] = tile["present"].get(str(self.roll_call), 0)

    async def run(self) -> None:
        from websockets.asyncio.client import connect

        ws_url = "ws" + self.url[4:] + f"/ws/board/{self.event}/"
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as http:
            while True:
                try:
                    async with connect(ws_url, additional_headers=self.cookie, origin=self.url,
                                       open_timeout=10) as ws:
                        self.connects += 1
                        seq = None
                        async for raw in ws:
                            frame = json.loads(raw)
                            if frame.get("type") == "hello":
                                seq = frame["seq"]
                                await self.snapshot(http, frame["snapshot_url"])
                                snapshot_url = frame["snapshot_url"]
                            elif frame.get("type") == "delta" and seq is not None:
                                gap, seq = frame["seq"] != seq + 1, frame["seq"]
                                if gap or frame.get("resync"):
                                    await self.snapshot(http, snapshot_url)
                                else:
                                    self.apply(frame["tiles"])
                except Exception:  # noqa: S110 - closed or refused: reconnect after 1 s, as the page does
                    pass
                await asyncio.sleep(1.0)


async def wait_for(board: Board, expected: dict[int, int], timeout: float) -> float:
    """Seconds until the board shows exactly `expected`; fails past the timeout."""
    started = time.monotonic()
    while board.counts() != expected:
        if time.monotonic() - started > timeout:
            pytest.fail(f"the board shows {board.counts()}, the database {expected}, after {timeout:.0f} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def check_in(http: httpx.AsyncClient, seeded: dict, bridge: int, teacher: str) -> int:
    window = str(int(time.time()) // seeded["window_seconds"])
    code = seeded["codes"][str(bridge)][window]
    page = await http.get(f"/api/attendance/qr/{code}")
    assert page.status_code == 200, page.text
    resp = await http.post(f"/api/attendance/qr/{code}/checkin",
                           json={"nonce": uuid.uuid4().hex, "identifier": teacher,
                                 "page_token": page.json()["page_token"]})
    return resp.status_code


def test_check_ins_and_the_board_survive_a_redis_restart(setup):
    server, redis_server, seeded, database_url = setup
    roll_call = seeded["roll_call"]
    teachers = [tuple(t) for t in seeded["teachers"]]
    thirds = [teachers[:20], teachers[20:40], teachers[40:]]

    async def scenario():
        board = Board(server.url, seeded["event"], seeded["session"], roll_call)
        board.task = asyncio.create_task(board.run())
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            try:
                while board.snapshots == 0:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.3)  # the coalescer has joined the group
                accepted = 0
                for bridge, teacher in thirds[0]:
                    assert await check_in(http, seeded, bridge, teacher) == 201
                    accepted += 1
                await wait_for(board, in_database(database_url, roll_call), BACK_WITHIN)

                redis_server.kill()
                for bridge, teacher in thirds[1]:
                    # The commit is the truth: Redis away never fails a check-in.
                    assert await check_in(http, seeded, bridge, teacher) == 201
                    accepted += 1
                connects_before = board.connects

                await asyncio.to_thread(redis_server.start)
                caught_up = await wait_for(board, in_database(database_url, roll_call), BACK_WITHIN)

                for bridge, teacher in thirds[2]:
                    assert await check_in(http, seeded, bridge, teacher) == 201
                    accepted += 1
                live_again = await wait_for(board, in_database(database_url, roll_call), BACK_WITHIN)
            finally:
                board.task.cancel()
        return accepted, caught_up, live_again, connects_before, board.connects

    accepted, caught_up, live_again, connects_before, connects = asyncio.run(scenario())
    counts = in_database(database_url, roll_call)
    assert sum(counts.values()) == accepted == TEACHERS
    assert caught_up < BACK_WITHIN and live_again < BACK_WITHIN
    # The board rode it out on its socket (no crash closed it); a reconnect would also have resynced it.
    assert connects == connects_before == 1, f"the board reconnected {connects - 1} times"
    print(f"board equal to the database {caught_up:.2f} s after Redis was back; "
          f"later check-ins on it within {live_again:.2f} s")


def test_the_teacher_page_limits_let_requests_through_while_the_cache_is_away(settings):
    """The rate limits count in Redis when REDIS_URL is set; a Redis that does not answer (a closed port
    here, a real client) lets the check-in through rather than failing it."""
    from django.core.cache import cache

    from attendance.services import throttle
    from core import redis_outage

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}
    settings.ATTENDANCE_CHECKIN_RATES = ("1/m",)  # the setting changed: Django's cache handler starts afresh
    with pytest.raises(redis_outage.ERRORS):
        cache.add("probe", 1)  # the cache is away indeed: django-ratelimit alone would raise this
    for _ in range(3):  # past "1/m": nothing is counted, nothing refused
        throttle.check_in_allowed("203.0.113.5", 1, "page", device="d")
        throttle.count_answer("203.0.113.5", 1, "page", ok=True, device="d")
        throttle.count_answer("203.0.113.5", 1, "page", ok=False, device="d")
    throttle.search_allowed("203.0.113.5", 1, "page")
