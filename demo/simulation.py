"""A simulated event day driven against a running server, for the demo (`manage.py simulate_day`).

Consoles connect over websockets (/ws/console/<token>/), send heartbeats, check their bridge in and
type headcounts; some drop out and come back. An organizer (logged in over HTTP) opens three roll
calls through the API; teachers check in through the real teacher endpoint with the bridge's current
QR code, at a pace shaped like a hall full of phones: a rush in the first minutes, stragglers after.

The plan (who does what when, in simulated seconds) is made first and is deterministic for a seed;
the driver plays it `speed` times faster. The database is read only to learn the invited bridges,
their rosters, the sessions, and (like the console's QR endpoint) to sign QR codes; every write goes
through the server.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import connect as ws_connect

from attendance.models import RollCall
from attendance.services import qr
from attendance.services.teacher_checkin import DEVICE_COOKIE
from events import participation
from events.models import Event, Invitation, Session

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CONNECT_WINDOW = 600          # consoles come online over the ten minutes before the start
FIRST_ROLL_CALL = 700
ROLL_CALL_SECONDS = 300       # each roll call is open five minutes
ROLL_CALL_GAP = 900           # a quarter of an hour of programme between roll calls
ROLL_CALL_LABELS = ("Đầu buổi", "Giữa buổi", "Cuối buổi")
HEARTBEAT_SECONDS = 15
MAX_IN_FLIGHT = 48


class SimulationError(Exception):
    pass


@dataclass
class BridgePlan:
    bridge_id: int
    code: str
    token: str
    connect_at: float
    checkin_at: float | None
    headcount_at: float | None
    headcount: int
    drop_at: float | None = None
    back_at: float | None = None
    teachers: list[tuple[int, str]] = field(default_factory=list)  # (person id, teacher id)


@dataclass
class Arrival:
    at: float
    roll_call: int
    bridge_id: int
    person_id: int
    teacher_id: str
    tick: bool


@dataclass
class Plan:
    event_id: int
    bridges: list[BridgePlan]
    roll_call_sessions: list[int]
    arrivals: list[Arrival]

    @property
    def end(self) -> float:
        return roll_call_opens(len(self.roll_call_sessions) - 1) + ROLL_CALL_SECONDS + 60


def roll_call_opens(index: int) -> float:
    return FIRST_ROLL_CALL + index * (ROLL_CALL_SECONDS + ROLL_CALL_GAP)


def make_plan(event: Event, *, seed: int = 2022, teacher_share: float = 1.0, drop_share: float = 0.1,
              max_bridges: int | None = None) -> Plan:
    rng = random.Random(seed)
    invitations = list(
        Invitation.objects.filter(event=event).exclude(status=Invitation.Status.DECLINED)
        .select_related("bridge").order_by("bridge__path")
    )[:max_bridges]
    bridges = []
    for invitation in invitations:
        bridge = invitation.bridge
        confirmed = participation.is_confirmed(invitation.status)
        # Confirmed bridges nearly all come; the ones that never answered mostly do not.
        if rng.random() > (0.97 if confirmed else 0.35):
            continue
        connect_at = rng.uniform(0, CONNECT_WINDOW)
        checkin_at = connect_at + rng.uniform(10, 150) if rng.random() < 0.93 else None
        teachers = list(bridge.people.order_by("pk").values_list("pk", "teacher_id"))
        plan = BridgePlan(
            bridge_id=bridge.pk, code=bridge.code, token=bridge.console_token, connect_at=connect_at,
            checkin_at=checkin_at, headcount_at=checkin_at + rng.uniform(20, 240) if checkin_at else None,
            headcount=max(1, round(len(teachers) * rng.uniform(0.85, 1.05))) if teachers else rng.randint(5, 30),
            teachers=[t for t in teachers if t[1]],
        )
        if rng.random() < drop_share:
            plan.drop_at = rng.uniform(connect_at + 60, roll_call_opens(2) + ROLL_CALL_SECONDS)
            plan.back_at = plan.drop_at + rng.uniform(20, 120)
        bridges.append(plan)
    sessions = list(Session.objects.filter(event=event).order_by("starts_at", "pk").values_list("pk", flat=True))
    if not sessions:
        raise SimulationError("the event has no session to hold roll calls")
    roll_call_sessions = [sessions[0], sessions[-1], sessions[-1]]
    arrivals = []
    for index in range(len(roll_call_sessions)):
        opens = roll_call_opens(index)
        for plan in bridges:
            for person_id, teacher_id in plan.teachers:
                if rng.random() > 0.95 * teacher_share:
                    continue
                # A rush once the QR is on screen, then stragglers: most within two minutes.
                delay = min(ROLL_CALL_SECONDS - 5, rng.lognormvariate(4.0, 0.6))
                arrivals.append(Arrival(opens + delay, index, plan.bridge_id, person_id, teacher_id,
                                        tick=rng.random() < 0.05))
    arrivals.sort(key=lambda a: a.at)
    return Plan(event.pk, bridges, roll_call_sessions, arrivals)


def check_loopback(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK:
        raise SimulationError(f"simulate_day drives a server on this machine only (127.0.0.1/localhost), not {url}")
    return url.rstrip("/")


def _reason(resp: httpx.Response) -> str:
    """A refusal's code as the API names it (core.errors.Refused), else its HTTP status."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    code = body.get("code") or body.get("outcome") if isinstance(body, dict) else None
    return f"{resp.status_code} {code}" if code else str(resp.status_code)


@dataclass
class Counters:
    connected: int = 0
    connects: int = 0
    drops: int = 0
    checkins: int = 0
    headcounts: int = 0
    teacher_ok: int = 0
    ticks_ok: int = 0
    refused: int = 0
    errors: int = 0
    # Why, counted: the answer's code (or HTTP status) per refusal, the exception's name per error; the end
    # of the day prints them, so a refused check-in says whether a roll call had closed or a limit held.
    reasons: Counter = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)


class Console:
    """One bridge's console socket: heartbeats, and writes answered by acks."""

    def __init__(self, driver: Driver, plan: BridgePlan):
        self.driver, self.plan = driver, plan
        self.ws = None
        self.task: asyncio.Task | None = None
        self.acks: dict[str, asyncio.Future] = {}

    async def open(self) -> None:
        url = self.driver.ws_base + f"/ws/console/{self.plan.token}/"
        self.ws = await ws_connect(url, origin=self.driver.base, open_timeout=20, ping_interval=None)
        self.task = asyncio.create_task(self._read())
        self.driver.counters.connected += 1
        self.driver.counters.connects += 1

    async def close(self) -> None:
        for waiter in self.acks.values():
            if not waiter.done():
                waiter.set_result(None)
        self.acks.clear()
        if self.ws is not None:
            ws, self.ws = self.ws, None
            await ws.close()
            self.driver.counters.connected -= 1
        if self.task is not None:
            self.task.cancel()

    async def _read(self) -> None:
        last_beat = time.monotonic()
        try:
            while self.ws is not None:
                try:
                    raw = await asyncio.wait_for(self.ws.recv(), timeout=HEARTBEAT_SECONDS)
                except TimeoutError:
                    raw = None
                if time.monotonic() - last_beat >= HEARTBEAT_SECONDS and self.ws is not None:
                    last_beat = time.monotonic()
                    await self.ws.send('{"type":"heartbeat"}')
                if raw is None:
                    continue
                message = json.loads(raw)
                waiter = self.acks.pop(message.get("nonce") or "", None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(message)
        except Exception:  # noqa: S110 - the socket went away; close() or a reconnect follows
            pass

    async def write(self, kind: str, **data) -> dict | None:
        if self.ws is None:
            return None
        nonce = uuid.uuid4().hex
        waiter = asyncio.get_running_loop().create_future()
        self.acks[nonce] = waiter
        await self.ws.send(json.dumps({"type": kind, "nonce": nonce, "event_id": self.driver.plan.event_id,
                                       "client_time": int(time.time() * 1000), **data}))
        try:
            return await asyncio.wait_for(waiter, timeout=10)
        except TimeoutError:
            self.acks.pop(nonce, None)
            return None


class Driver:
    def __init__(self, plan: Plan, *, base_url: str, username: str, password: str, speed: float,
                 max_seconds: float, out):
        self.plan, self.base, self.speed, self.out = plan, check_loopback(base_url), speed, out
        self.ws_base = "ws" + self.base[4:]
        self.username, self.password = username, password
        self.max_seconds = max_seconds
        self.counters = Counters()
        self.consoles: dict[int, Console] = {}
        self.roll_calls: dict[int, RollCall] = {}
        self.http = httpx.AsyncClient(base_url=self.base, timeout=30,
                                      limits=httpx.Limits(max_connections=MAX_IN_FLIGHT))
        self.slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self.t0 = 0.0
        # Each school's phones come from an address of their own, as behind a school's NAT: the teacher
        # page's rate limits are per address and roll call (attendance.services.throttle).
        self.phones: dict[int, httpx.AsyncClient] = {}

    def sim_now(self) -> float:
        return (time.monotonic() - self.t0) * self.speed

    async def until(self, sim_at: float) -> None:
        delay = sim_at / self.speed - (time.monotonic() - self.t0)
        if delay > 0:
            await asyncio.sleep(delay)

    # --- organizer --------------------------------------------------------------------------------

    async def login(self) -> None:
        page = await self.http.get("/accounts/login/")
        csrf = self.http.cookies.get("csrftoken") or ""
        resp = await self.http.post("/accounts/login/", data={
            "username": self.username, "password": self.password, "csrfmiddlewaretoken": csrf,
        }, headers={"Referer": self.base + "/accounts/login/"})
        if page.status_code != 200 or "sessionid" not in self.http.cookies or resp.status_code != 302:
            raise SimulationError(f"could not log in as {self.username!r} (HTTP {page.status_code}/{resp.status_code}): "
                                  "check --user/--password")

    async def organizer_post(self, path: str, body: dict | None = None) -> httpx.Response:
        return await self.http.post(path, json=body or {}, headers={"X-CSRFToken": self.http.cookies.get("csrftoken", "")})

    async def run_roll_call(self, index: int) -> None:
        opens = roll_call_opens(index)
        await self.until(opens)
        real_minutes = max(1, min(240, int(ROLL_CALL_SECONDS / self.speed / 60 * 3) + 2))
        resp = await self.organizer_post(f"/api/attendance/events/{self.plan.event_id}/rollcalls", {
            "session_id": self.plan.roll_call_sessions[index], "label": ROLL_CALL_LABELS[index], "minutes": real_minutes,
        })
        if resp.status_code != 201:
            self.say(f"roll call {ROLL_CALL_LABELS[index]!r} not opened: {resp.status_code} {resp.text[:200]}")
            self.counters.errors += 1
            return
        roll_call_id = resp.json()["id"]
        self.roll_calls[index] = await asyncio.to_thread(RollCall.objects.get, pk=roll_call_id)
        self.say(f"roll call {ROLL_CALL_LABELS[index]!r} opened")
        pending = set()
        for arrival in (a for a in self.plan.arrivals if a.roll_call == index):
            await self.until(arrival.at)
            # A slow server holds the schedule back instead of piling up requests.
            await self.slots.acquire()
            task = asyncio.create_task(self.arrive(arrival))
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
        await self.until(opens + ROLL_CALL_SECONDS)
        await self.organizer_post(f"/api/attendance/rollcalls/{roll_call_id}/close")
        self.say(f"roll call {ROLL_CALL_LABELS[index]!r} closed")

    async def run_roll_calls(self) -> None:
        # One after the other: the server allows one open roll call per event.
        for index in range(len(self.plan.roll_call_sessions)):
            await self.run_roll_call(index)

    # --- teachers -------------------------------------------------------------------------------------

    def phones_of(self, bridge_id: int) -> httpx.AsyncClient:
        """The school's phones: one client from a loopback address of the school's own (127.77.x.y; Linux
        routes all of 127/8 to the loopback interface), so each school is one NAT address, as in life."""
        client = self.phones.get(bridge_id)
        if client is None:
            index = len(self.phones)
            address = f"127.77.{index // 250}.{index % 250 + 1}"
            transport = httpx.AsyncHTTPTransport(local_address=address, limits=httpx.Limits(max_connections=8))
            client = self.phones[bridge_id] = httpx.AsyncClient(base_url=self.base, timeout=30, transport=transport)
        return client

    async def arrive(self, arrival: Arrival) -> None:
        try:
            await self._arrive(arrival)
        finally:
            self.slots.release()

    async def _arrive(self, arrival: Arrival) -> None:
        console = self.consoles.get(arrival.bridge_id)
        if console is None or console.ws is None:
            return  # the screen with the QR is not up: this teacher waits for the next roll call
        roll_call = self.roll_calls[arrival.roll_call]
        try:
            if arrival.tick:
                answer = await console.write("tick", roll_call_id=roll_call.pk, person_id=arrival.person_id)
                ok = answer is not None and answer.get("status") in (200, 201)
                self.counters.ticks_ok += ok
                why = "tick: no answer" if answer is None else f"tick: {answer.get('outcome') or answer.get('status')}"
            else:
                # As a phone does: load the page (a single-use page token), then check in with it.
                code = qr.current_token(roll_call, arrival.bridge_id)
                phones = self.phones_of(arrival.bridge_id)
                # Each teacher's own phone: its device id (as the teacher page sets it) tells it from the
                # colleagues' behind the school's one address, as in a staff room.
                device = {"Cookie": f"{DEVICE_COOKIE}=sim-{arrival.person_id}"}
                page = await phones.get(f"/api/attendance/qr/{code}", headers=device)
                ok = page.status_code == 200
                why = f"page: {_reason(page)}"
                if ok:
                    resp = await phones.post(f"/api/attendance/qr/{code}/checkin", json={
                        "nonce": uuid.uuid4().hex, "identifier": arrival.teacher_id,
                        "page_token": page.json()["page_token"]}, headers=device)
                    ok = resp.status_code in (200, 201)
                    why = f"check-in: {_reason(resp)}"
                self.counters.teacher_ok += ok
            self.counters.refused += not ok
            if not ok:
                self.counters.reasons[why] += 1
        except (httpx.HTTPError, OSError) as exc:
            self.counters.errors += 1
            self.counters.reasons[f"error: {type(exc).__name__}"] += 1

    # --- consoles -------------------------------------------------------------------------------------

    async def run_console(self, plan: BridgePlan) -> None:
        await self.until(plan.connect_at)
        console = self.consoles[plan.bridge_id] = Console(self, plan)
        try:
            await console.open()
            steps = sorted(
                [(at, name) for at, name in ((plan.checkin_at, "checkin"), (plan.headcount_at, "headcount"),
                                             (plan.drop_at, "drop")) if at is not None]
            )
            for at, name in steps:
                await self.until(at)
                if name == "checkin":
                    self.counters.checkins += (await console.write("checkin")) is not None
                elif name == "headcount":
                    self.counters.headcounts += (await console.write("headcount", headcount=plan.headcount)) is not None
                else:
                    self.counters.drops += 1
                    await console.close()
                    await self.until(plan.back_at)
                    await console.open()
            await self.until(self.plan.end)
        except (OSError, TimeoutError) as exc:
            self.counters.errors += 1
            self.say(f"console {plan.code}: {exc}")

    # --- the day --------------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.out(f"[{time.monotonic() - self.t0:6.1f}s] {text}")

    async def report(self) -> None:
        while True:
            await asyncio.sleep(2)
            c = self.counters
            self.say(f"consoles online {c.connected}/{len(self.plan.bridges)} · bridges checked in {c.checkins} · "
                     f"teachers checked in {c.teacher_ok} (+{c.ticks_ok} ticked) · drops {c.drops} · "
                     f"refused {c.refused} · errors {c.errors}")

    async def run(self) -> Counters:
        await self.login()
        self.t0 = time.monotonic()
        self.say(f"{len(self.plan.bridges)} consoles, {len(self.plan.arrivals)} teacher check-ins over "
                 f"{len(self.plan.roll_call_sessions)} roll calls, speed ×{self.speed:g}: about "
                 f"{self.plan.end / self.speed / 60:.1f} minutes")
        reporter = asyncio.create_task(self.report())
        work = [self.run_console(p) for p in self.plan.bridges]
        work.append(self.run_roll_calls())
        try:
            await asyncio.wait_for(asyncio.gather(*work), timeout=self.max_seconds)
        except TimeoutError:
            self.say(f"stopped after {self.max_seconds:.0f} s (--max-minutes)")
        finally:
            reporter.cancel()
            await asyncio.gather(*(c.close() for c in self.consoles.values()), return_exceptions=True)
            await self.http.aclose()
            await asyncio.gather(*(c.aclose() for c in self.phones.values()), return_exceptions=True)
        self.say("done")
        return self.counters
