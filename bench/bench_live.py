"""Live attendance under a province's load, end to end on a real server over loopback.

For each setup (SQLite with one server process; PostgreSQL + Redis with two worker processes when
both answer) bench.server starts uvicorn with its own database and the bench settings
(bench/live_settings.py adds the bare /bench/insert endpoint; production URLs do not have it).
A child process seeds the province (614 bridges; 18,000 teachers, 30 per school), a live event with
every bridge invited, and an organizer. Then, with client load in separate processes:

1. a listener process connects the 614 consoles (/ws/console/<token>/, heartbeats every 15 s) and 20
   organizer boards (/ws/board/<event>/) and notes when each board first shows each bridge's count;
2. replay: the organizer opens a roll call over the API and wrk (C, one thread, pinned to one core with
   taskset; bench.wrk_load) checks 18,000 teachers in through POST /api/attendance/qr/<code>/checkin over
   5 minutes, shaped like a hall of phones (replay_plan: a rush in the first minute or two, stragglers
   after). Each check-in is prepared in advance by a child on the server's database: the code the
   console shows at the teacher's planned time and the page token the teacher page would carry, signed
   as of that time (the page load itself is not replayed). REPLAY_LUA sends each at its planned time,
   each on a connection of its own (a phone's), at most REPLAY_CONNECTIONS waiting for an answer at once.
   Every sender shares 127.0.0.1, so bench/live_settings.py lifts the teacher page's per-address limits
   (attendance.services.throttle); the write path is measured;
3. burst: a second roll call, every teacher again, as fast as 64 keep-alive wrk connections go;
4. yardstick: as many POSTs to /bench/insert (one row) with the same client and concurrency;
5. (one process only) 5,000 idle console websockets held by another client process.

Check-in latency is wrk's: from the request written to its answer read (wrk --latency). Accepted
check-ins are the CheckIn rows counted in the database afterwards. Board latency is the time from the
server's write of a check-in (CheckIn.received_at, read from the database after the run; the server
and the listener read the same machine clock) to the moment a board first shows the bridge's count
including it (at the listener); every one of the 20 boards counts.
Memory: the server's RSS (all its processes) sampled every 100 ms; per connection is the RSS growth
while the connections were opened, divided by their number.

    .venv/bin/python -m bench.run --only live [--quick]
"""

from __future__ import annotations

import asyncio
import json
import math
import multiprocessing
import os
import random
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil

from bench.server import Server
from bench.wrk_load import ALL_ANSWERED, CLIENT_CORE, checkin_lines, missing, wrk

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "bench-organizer"
PASSWORD = "bench-Organizer-2030"  # noqa: S105 - a throw-away account in a throw-away database
BOARDS = 20
CONCURRENCY = 64  # burst and yardstick: keep-alive connections
REPLAY_CONNECTIONS = CONCURRENCY * 4  # replay: phones waiting for an answer at once, at most
PREPARE_SECONDS = 10  # and 0.5 ms a line (the child took 3.3 s for 18,000): its start, Django's setup, signing
LATE_MS = 100  # a replayed check-in sent later than this after its planned time: all connections were busy
SIZES = {
    # teachers per school over 600 schools; replay seconds; bare inserts; idle websockets
    False: {"teachers_per_school": 30, "replay": 300, "bare": 6000, "idle": 5000},
    True: {"teachers_per_school": 2, "replay": 10, "bare": 1200, "idle": 1000},
}
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


# --- children on the server's database (python -m bench.bench_live prepare|lines|commits ...) ----

def _prepare(out: str, teachers_per_school: int) -> None:
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bridges.models import Bridge, Person, Role, Tier
    from demo.seeding import seed_bridges
    from events.models import Event, Invitation, Session

    seed_bridges(schools=600, teachers_per_school=teachers_per_school)
    now = timezone.now()
    host = Bridge.objects.get(tier__role=Tier.Role.HOST)
    event = Event.objects.create(title="Lễ phát động và tập huấn (bench)", host=host, status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=6))
    session = Session.objects.create(event=event, title="Tập huấn", starts_at=event.starts_at, ends_at=event.ends_at,
                                     counts_for_completion=True)
    Invitation.objects.bulk_create([Invitation(event=event, bridge=b, status=Invitation.Status.CONFIRMED)
                                    for b in Bridge.objects.all()])
    user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    Role.objects.create(user=user, kind=Role.Kind.ORGANIZER)
    Path(out).write_text(json.dumps({
        "event_id": event.pk, "session_id": session.pk,
        "consoles": list(Bridge.objects.order_by("path").values_list("pk", "console_token")),
        "teachers": list(Person.objects.order_by("pk").values_list("bridge_id", "teacher_id")),
    }))


def _lines(out: str, roll_call_id: int, plan_file: str) -> None:
    """wrk's lines for a phase, "planned epoch ms TAB path TAB body" (0: at once), in the plan's order.
    plan_file: {"start": epoch seconds or null, "plan": [[seconds after start or null, bridge, teacher]]}."""
    import django

    django.setup()
    from attendance.models import RollCall
    from attendance.services import qr

    roll_call = RollCall.objects.get(pk=roll_call_id)
    given = json.loads(Path(plan_file).read_text())
    start = given["start"] or time.time()
    # A scheduled teacher loads the page (code of that time, page token signed then) and sends at once; a
    # burst's pages are signed late enough to stay fresh (qr.PAGE_SECONDS) through a burst of ~6 minutes.
    scans = [(bridge, teacher, start + at, start + at) if at is not None
             else (bridge, teacher, start, start + qr.PAGE_SECONDS - 10) for at, bridge, teacher in given["plan"]]
    due = [0 if at is None else round((start + at) * 1000) for at, _b, _t in given["plan"]]
    lines = checkin_lines(roll_call, scans)
    Path(out).write_text("".join(f"{ms}\t{line}\n" for ms, line in zip(due, lines, strict=True)))


def _commits(out: str, roll_call_id: int) -> None:
    """The roll call's check-ins as the server wrote them: [[bridge, received_at epoch seconds]]."""
    import django

    django.setup()
    from attendance.models import CheckIn

    rows = CheckIn.objects.filter(roll_call_id=roll_call_id).values_list("bridge_id", "received_at")
    Path(out).write_text(json.dumps([[bridge, received.timestamp()] for bridge, received in rows]))


def _child(server: Server, *args: str) -> None:
    env = {**server.env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    proc = subprocess.run([sys.executable, "-m", "bench.bench_live", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {args[0]} failed:\n{proc.stderr[-3000:]}")


# --- client processes -----------------------------------------------------------------------------

def _listener(url: str, event_id: int, cookie: str, consoles: list, conn) -> None:
    """Consoles and boards; returns {(roll call, bridge): [(first time seen, count), ...]} per board."""
    from websockets.asyncio.client import connect

    ws_url = "ws" + url[4:]

    async def console(token: str, sockets: list, stop: asyncio.Event, slots: asyncio.Semaphore):
        async with slots:
            ws = await connect(f"{ws_url}/ws/console/{token}/", origin=url, open_timeout=60, ping_interval=None,
                               max_size=None)
        sockets.append(ws)
        try:
            while not stop.is_set():
                try:
                    await asyncio.wait_for(ws.recv(), timeout=15)
                except TimeoutError:
                    await ws.send('{"type":"heartbeat"}')
        except Exception:  # noqa: S110 - closed at the end
            pass

    transit: list[float] = []  # frame computed on the server -> parsed here
    dropped = []  # boards the server closed before the end (too slow to keep up)

    async def board(records: dict, ready: list, stop: asyncio.Event):
        ws = await connect(f"{ws_url}/ws/board/{event_id}/", origin=url, additional_headers={"Cookie": cookie},
                           open_timeout=60, ping_interval=None, max_size=None)
        ready.append(ws)
        try:
            async for raw in ws:
                now = time.time()
                frame = json.loads(raw)
                if "generated_at" in frame:
                    transit.append(now - frame["generated_at"] / 1000)
                for tile in frame.get("tiles", ()):
                    for rc, n in tile["present"].items():
                        seen = records.setdefault((int(rc), tile["id"]), [])
                        if not seen or n > seen[-1][1]:
                            seen.append((now, n))
        except Exception:  # noqa: S110 - closed at the end
            pass
        if not stop.is_set():
            dropped.append(time.time())

    async def main():
        stop = asyncio.Event()
        sockets, boards = [], []
        records = [dict() for _ in range(BOARDS)]
        slots = asyncio.Semaphore(100)
        console_tasks = [asyncio.create_task(console(token, sockets, stop, slots)) for _bridge, token in consoles]
        while len(sockets) < len(consoles):
            await asyncio.sleep(0.1)
            failed = [t for t in console_tasks if t.done() and t.exception()]
            if failed:
                raise failed[0].exception()
        board_tasks = [asyncio.create_task(board(records[i], boards, stop)) for i in range(BOARDS)]
        while len(boards) < BOARDS:
            await asyncio.sleep(0.1)
        conn.send({"consoles": len(sockets), "boards": len(boards)})
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
        await asyncio.sleep(1.5)  # the last frames
        stop.set()
        for ws in sockets + boards:
            await ws.close()
        for task in console_tasks + board_tasks:
            task.cancel()
        conn.send({"boards": [{f"{rc}:{b}": seen for (rc, b), seen in r.items()} for r in records],
                   "transit": transit, "dropped": len(dropped)})

    asyncio.run(main())


def _idle(url: str, consoles: list, count: int, conn) -> None:
    """Hold `count` idle console websockets (several per bridge) until told to stop."""
    from websockets.asyncio.client import connect

    ws_url = "ws" + url[4:]

    async def main():
        sockets, failures = [], 0
        slots = asyncio.Semaphore(200)

        async def one(token):
            nonlocal failures
            async with slots:
                try:
                    sockets.append(await connect(f"{ws_url}/ws/console/{token}/", origin=url, open_timeout=120,
                                                 ping_interval=None))
                except Exception:
                    failures += 1

        started = time.monotonic()
        await asyncio.gather(*(one(consoles[i % len(consoles)][1]) for i in range(count)))
        conn.send({"open": len(sockets), "failed": failures, "seconds": time.monotonic() - started})
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        still_open = sum(1 for ws in sockets if ws.state.name == "OPEN")
        for ws in sockets:
            await ws.close()
        conn.send({"still_open": still_open})

    asyncio.run(main())


REPLAY_LUA = r"""
-- Lines "planned epoch ms TAB path TAB body" in planned order (0: at once); args: the file, "close" or "keep".
-- delay() runs before each request of a connection: it claims the next planned time and waits for it;
-- request() sends the earliest unsent line. So the n-th request leaves at the n-th planned time, or as
-- soon as a connection is free when every one is busy (counted as late). With "close" every request
-- closes its connection and wrk opens a new one (a phone's): no connection idles past the server's
-- keep-alive timeout while it waits.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } bench_timeval;
int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

local due, paths, cookies, bodies = {}, {}, {}, {}
local claimed, sent, answered = 0, 0, 0
local headers = {["Content-Type"] = "application/json"}
statuses, late, latest_ms = {}, 0, 0  -- globals: done() reads them through thread:get

init = function(args)
  for line in io.lines(args[1]) do
    local at, path, cookie, body = line:match("^(%d+)\t([^\t]+)\t([^\t]*)\t(.*)$")
    due[#due + 1], paths[#paths + 1], cookies[#cookies + 1], bodies[#bodies + 1] = tonumber(at), path, cookie, body
  end
  if args[2] == "close" then headers["Connection"] = "close" end
end

delay = function()
  if claimed >= #due then return 3600000 end  -- every line claimed: wait for the last answers
  claimed = claimed + 1
  return math.max(0, math.floor(due[claimed] - now_ms()))
end

request = function()
  if claimed == 0 then  -- wrk's own check of the script (script_verify_request), before any connection
    headers["Cookie"] = cookies[1]
    return wrk.format("POST", paths[1], headers, bodies[1])
  end
  sent = math.min(sent + 1, #due)
  if due[sent] > 0 then
    local behind = now_ms() - due[sent]
    if behind > LATE_MS then late = late + 1 end
    if behind > latest_ms then latest_ms = behind end
  end
  headers["Cookie"] = cookies[sent]  -- wrk.format copies the headers into the request it builds
  return wrk.format("POST", paths[sent], headers, bodies[sent])
end

response = function(status, headers, body)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if answered == #due then
    io.stderr:write("ALL_ANSWERED\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

done = function(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do io.write(string.format("STATUS %d %d\n", status, n)) end
    io.write(string.format("LATE %d %d\n", thread:get("late"), thread:get("latest_ms")))
  end
end
""".replace("LATE_MS", str(LATE_MS)).replace("ALL_ANSWERED", ALL_ANSWERED)


def drive(server: Server, name: str, lines: Path, *, connections: int, seconds: float, start: float | None = None,
          close: bool = False) -> dict:
    """wrk over prepared lines (REPLAY_LUA), from `start` (epoch seconds) when given; what it reports, with
    the answers' HTTP statuses and the sends behind the plan."""
    script = server.folder / "replay.lua"
    script.write_text(REPLAY_LUA)
    if start is not None:
        # Connections opened a second early; the first request waits for its planned time in delay().
        lead = start - 1 - time.time()
        if lead < 0:
            raise RuntimeError(f"{name}: its lines were ready {-lead:.1f} s after the plan's start; raise the lead")
        time.sleep(lead)
    began = time.time()
    outcome = wrk(server.url + "/", seconds=math.ceil(seconds), connections=connections, script=script,
                  args=(str(lines), "close" if close else "keep"), timeout=60)
    text = outcome.pop("stdout")
    outcome["began"] = began
    outcome["statuses"] = {int(code): int(n) for code, n in re.findall(r"^STATUS (\d+) (\d+)$", text, re.M)}
    late = re.search(r"^LATE (\d+) (\d+)$", text, re.M)
    outcome["late"], outcome["latest_ms"] = (int(late.group(1)), int(late.group(2))) if late else (0, 0)
    return outcome


def wrk_errors(outcome: dict) -> list[str]:
    """The answers that were not a success, and the sockets wrk lost."""
    errors = [f"HTTP {code}: {n} answers" for code, n in sorted(outcome["statuses"].items()) if code not in (200, 201)]
    errors += [f"wrk {kind} errors: {n}" for kind, n in outcome["socket_errors"].items() if n]
    return errors


class Child:
    """A client process with a pipe; started with spawn so it shares nothing with this one."""

    def __init__(self, target, *args):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child_conn = ctx.Pipe()
        self.process = ctx.Process(target=target, args=(*args, child_conn), daemon=True)
        self.process.start()

    def recv(self, timeout: float):
        if not self.conn.poll(timeout):
            self.process.terminate()
            raise RuntimeError(f"{self.process.name} gave no answer within {timeout:.0f}s")
        return self.conn.recv()

    def join(self):
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()


# --- measuring ----------------------------------------------------------------------------------------

def server_rss_mb(server: Server) -> float:
    try:
        root = psutil.Process(server.process.pid)
        total = root.memory_info().rss + sum(c.memory_info().rss for c in root.children(recursive=True))
    except psutil.NoSuchProcess:
        return 0.0
    return total / 1024 / 1024


def settled_rss_mb(server: Server, seconds: float = 2.0) -> float:
    time.sleep(seconds)
    return server_rss_mb(server)


def server_cpu_seconds(server: Server) -> float:
    try:
        root = psutil.Process(server.process.pid)
        processes = [root, *root.children(recursive=True)]
        return sum(sum(p.cpu_times()[:2]) for p in processes)
    except psutil.NoSuchProcess:
        return 0.0


def wait_until_quiet(server: Server, busy_below: float = 0.1, timeout: float = 300.0) -> float:
    """Wait until the server uses less than `busy_below` of a core over a second (it has finished
    what the previous phase left, e.g. recording thousands of closed connections). Returns the wait."""
    started = time.monotonic()
    before = server_cpu_seconds(server)
    while time.monotonic() - started < timeout:
        time.sleep(1.0)
        now = server_cpu_seconds(server)
        if now - before < busy_below:
            break
        before = now
    return time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def board_latencies(commits: list, boards: list[dict], roll_call_id: int) -> list[float]:
    """For each check-in the server wrote ([bridge, received_at]) and each board: from the write to when the
    board first showed the bridge's count including it."""
    by_bridge: dict[int, list[float]] = {}
    for bridge, written in commits:
        by_bridge.setdefault(bridge, []).append(written)
    latencies = []
    for records in boards:
        for bridge, writes in by_bridge.items():
            seen = records.get(f"{roll_call_id}:{bridge}", [])
            for k, written in enumerate(sorted(writes), start=1):
                shown = next((t for t, n in seen if n >= k), None)
                if shown is not None:
                    latencies.append(max(0.0, shown - written))
    return latencies


def sustained_rate(commits: list, start: float) -> float:
    """Check-ins written per second from the plan's start to the last write."""
    if len(commits) < 2:
        return 0.0
    return len(commits) / max(1e-9, max(t for _b, t in commits) - start)


def peak_rate(commits: list, window: float = 5.0) -> float:
    times = sorted(t for _b, t in commits)
    best, start = 0, 0
    for end in range(len(times)):
        while times[end] - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best / window


def replay_plan(teachers: list, seconds: float, seed: int = 18000) -> list:
    """When each teacher scans: a rush once the QR is on screen, most within the first two fifths."""
    rng = random.Random(seed)
    scale = seconds / 300
    plan = [(min(seconds - 1, rng.lognormvariate(4.0, 0.6) * scale), bridge, teacher) for bridge, teacher in teachers]
    return sorted(plan)


# --- one setup ---------------------------------------------------------------------------------------

def open_roll_call(client, event_id: int, session_id: int, label: str, minutes: int) -> int:
    resp = client.post(f"/api/attendance/events/{event_id}/rollcalls",
                       json={"session_id": session_id, "label": label, "minutes": minutes, "window_seconds": 60})
    if resp.status_code != 201:
        raise RuntimeError(f"opening a roll call: HTTP {resp.status_code} {resp.text[:300]}")
    return resp.json()["id"]


def close_roll_call(client, roll_call_id: int) -> None:
    client.post(f"/api/attendance/rollcalls/{roll_call_id}/close")


def scenario(name: str, *, workers: int, quick: bool, database_url: str | None = None,
             redis_url: str | None = None, idle: bool = True, log=print) -> dict:
    size = SIZES[quick]
    out: dict = {"name": name}
    with Server(workers=workers, database_url=database_url, redis_url=redis_url, jobs_mode="inline",
                env={"DJANGO_SETTINGS_MODULE": "bench.live_settings"}) as server:
        seed_file = server.folder / "seed.json"
        started = time.monotonic()
        _child(server, "prepare", str(seed_file), str(size["teachers_per_school"]))
        seed = json.loads(seed_file.read_text())
        log(f"   [{name}] seeded {len(seed['consoles'])} bridges, {len(seed['teachers'])} teachers "
            f"in {time.monotonic() - started:.0f}s")
        client = server.client(USERNAME, PASSWORD)
        client.get(f"/attendance/events/{seed['event_id']}/board/")  # warm the code paths
        cookie = f"sessionid={client.cookies['sessionid']}"

        if idle:
            # First, on a fresh heap: later phases leave freed memory that new sockets would reuse.
            base = settled_rss_mb(server, 1.0)
            holder = Child(_idle, server.url, seed["consoles"], size["idle"])
            opened = holder.recv(600)
            held = settled_rss_mb(server, 5.0)
            holder.conn.send("stop")
            still = holder.recv(120)
            holder.join()
            still["settle_seconds"] = wait_until_quiet(server)
            out["idle"] = {**opened, **still, "rss_before": base, "rss_held": held,
                           "per_connection_kb": (held - base) * 1024 / max(1, opened["open"])}
            log(f"   [{name}] idle: {opened['open']} open ({opened['failed']} failed), {still['still_open']} "
                f"still open after {5:.0f}s; RSS {base:.0f} -> {held:.0f} MB; server busy "
                f"{still['settle_seconds']:.0f}s recording their close")
        before = settled_rss_mb(server, 1.0)
        listener = Child(_listener, server.url, seed["event_id"], cookie, seed["consoles"])
        ready = listener.recv(180)
        after = settled_rss_mb(server)
        connections = ready["consoles"] + ready["boards"]
        out.update(connections=connections, rss_before=before, rss_connected=after,
                   per_connection_kb=(after - before) * 1024 / connections)
        log(f"   [{name}] {ready['consoles']} consoles + {ready['boards']} boards connected; "
            f"RSS {before:.0f} -> {after:.0f} MB")

        teachers = [tuple(t) for t in seed["teachers"]]
        phases = {}
        for phase, label in (("replay", "Đầu buổi"), ("burst", "Giữa buổi")):
            roll_call = open_roll_call(client, seed["event_id"], seed["session_id"], label, minutes=30)
            replay = phase == "replay"
            # The replay's lines name the codes and page tokens of their planned times: the plan starts
            # once the child has surely written them.
            start = time.time() + PREPARE_SECONDS + len(teachers) / 2000 if replay else None
            plan = replay_plan(teachers, size["replay"]) if replay else [(None, b, t) for b, t in teachers]
            plan_file, lines = server.folder / f"plan-{phase}.json", server.folder / f"wrk-{phase}.txt"
            plan_file.write_text(json.dumps({"start": start, "plan": plan}))
            prepared = time.monotonic()
            _child(server, "lines", str(lines), str(roll_call), str(plan_file))
            prepared = time.monotonic() - prepared
            outcome = drive(server, phase, lines, connections=REPLAY_CONNECTIONS if replay else CONCURRENCY,
                            seconds=size["replay"] + 300 if replay else 900, start=start, close=replay)
            close_roll_call(client, roll_call)
            commits_file = server.folder / f"commits-{phase}.json"
            _child(server, "commits", str(commits_file), str(roll_call))
            commits = json.loads(commits_file.read_text())
            errors = wrk_errors(outcome)
            out.setdefault("errors", []).extend(f"{phase}: {e}" for e in errors)
            phases[phase] = (roll_call, len(plan), start or outcome["began"], outcome, commits)
            log(f"   [{name}] {phase}: {len(commits)}/{len(plan)} accepted in {outcome['seconds']:.1f} s (lines "
                f"prepared in {prepared:.1f} s), wrk p50/p99 {outcome['p50_ms']}/{outcome['p99_ms']} ms, "
                f"{outcome['late']} sent > {LATE_MS} ms late" + "".join(f"\n      {e}" for e in errors))

        bare_lines = server.folder / "wrk-bare.txt"
        bare_lines.write_text("0\t/bench/insert\t\t{}\n" * size["bare"])
        bare = drive(server, "bare", bare_lines, connections=CONCURRENCY, seconds=900)
        out.setdefault("errors", []).extend(f"bare: {e}" for e in wrk_errors(bare))
        bare_ok = sum(n for code, n in bare["statuses"].items() if code == 200)
        out["bare_rate"] = bare_ok / bare["seconds"] if bare["seconds"] else 0.0
        out["bare_errors"] = size["bare"] - bare_ok
        log(f"   [{name}] bare insert: {out['bare_rate']:.0f}/s")

        if out.get("errors"):
            out["server_log"] = server.log_tail(80)
        listener.conn.send("stop")
        heard = listener.recv(300)
        listener.join()
        boards = heard["boards"]
        out["frames"] = len(heard["transit"]) // BOARDS
        out["boards_dropped"] = heard["dropped"]
        out["transit_p50_ms"] = percentile(heard["transit"], 50) * 1000
        out["transit_p99_ms"] = percentile(heard["transit"], 99) * 1000
        log(f"   [{name}] frames per board {out['frames']}; server frame -> board parsed p50/p99 "
            f"{out['transit_p50_ms']:.0f}/{out['transit_p99_ms']:.0f} ms; boards dropped {out['boards_dropped']}")
        for phase, (roll_call, sent, start, outcome, commits) in phases.items():
            latencies = board_latencies(commits, boards, roll_call)
            accepted = len(commits)
            out[phase] = {
                "sent": sent, "accepted": accepted, "seconds": outcome["seconds"],
                "rate": sustained_rate(commits, start) if phase == "replay" else accepted / outcome["seconds"],
                "peak_rate": peak_rate(commits), "http_p50_ms": outcome["p50_ms"], "http_p99_ms": outcome["p99_ms"],
                "late": outcome["late"], "latest_ms": outcome["latest_ms"],
                "board_p50_ms": percentile(latencies, 50) * 1000, "board_p99_ms": percentile(latencies, 99) * 1000,
                "board_samples": len(latencies), "board_expected": accepted * BOARDS,
            }

        out["peak_rss_mb"] = server.peak_rss_mb
    return out


# --- PostgreSQL + Redis --------------------------------------------------------------------------------

def services_reason() -> str | None:
    try:
        import psycopg
        import redis

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"PostgreSQL ({PG_ADMIN_URL}) or Redis ({REDIS_URL}) not reachable: {exc}"
    return None


class PostgresDatabase:
    def __init__(self):
        self.name = f"diemcau_bench_live_{uuid.uuid4().hex[:8]}"
        self.url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.name

    def __enter__(self):
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc):
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- report ------------------------------------------------------------------------------------------

def figures_for(result: dict, label: str, quick: bool) -> list[dict]:
    teachers = result["replay"]["sent"]
    replay, burst = result["replay"], result["burst"]
    ratio = burst["rate"] / result["bare_rate"] if result["bare_rate"] else 0.0
    figs = [
        {"name": f"{label}: replay, check-ins accepted (CheckIn rows)", "value": f"{replay['accepted']:,} of {teachers:,}",
         "target": "every one once", "ok": replay["accepted"] == teachers},
        {"name": f"{label}: replay of {teachers:,} check-ins over {SIZES[quick]['replay']} s, sustained",
         "value": round(replay["rate"], 1), "unit": "check-ins/s"},
        {"name": f"{label}: replay, busiest 5 s", "value": round(replay["peak_rate"], 1), "unit": "check-ins/s"},
        {"name": f"{label}: replay, check-in latency p50 (wrk)", "value": replay["http_p50_ms"], "unit": "ms"},
        {"name": f"{label}: replay, check-in latency p99 (wrk)", "value": replay["http_p99_ms"], "unit": "ms",
         "target": "< 300 ms", "ok": replay["http_p99_ms"] is not None and replay["http_p99_ms"] < 300},
        {"name": f"{label}: replay, sent > {LATE_MS} ms behind the plan ({REPLAY_CONNECTIONS} connections busy)",
         "value": f"{replay['late']:,} (latest {replay['latest_ms']:,} ms)"},
        {"name": f"{label}: replay, board latency from the server's write p50", "value": round(replay["board_p50_ms"]),
         "unit": "ms"},
        {"name": f"{label}: replay, board latency from the server's write p99", "value": round(replay["board_p99_ms"]),
         "unit": "ms", "target": "< 1000 ms", "ok": replay["board_p99_ms"] < 1000},
        {"name": f"{label}: burst ({CONCURRENCY} connections), check-ins", "value": round(burst["rate"], 1),
         "unit": "check-ins/s"},
        {"name": f"{label}: burst, check-in latency p50 / p99 (wrk)",
         "value": f"{burst['http_p50_ms']} / {burst['http_p99_ms']}", "unit": "ms"},
        {"name": f"{label}: burst, board latency from the server's write p50 / p99",
         "value": f"{burst['board_p50_ms']:.0f} / {burst['board_p99_ms']:.0f}", "unit": "ms"},
        {"name": f"{label}: bare Django insert, same client (wrk)", "value": round(result["bare_rate"], 1),
         "unit": "requests/s"},
        {"name": f"{label}: check-in burst / bare insert", "value": f"{ratio:.0%}", "target": ">= 70 %",
         "ok": ratio >= 0.7},
        {"name": f"{label}: server memory, peak (all processes)", "value": result["peak_rss_mb"], "unit": "MB"},
    ]
    if "idle" not in result:
        # After the idle phase the heap holds the memory its 5,000 sockets freed: new connections reuse
        # it and the growth says nothing (it even came out negative). The idle figure below stands.
        figs.append({"name": f"{label}: memory per live connection ({result['connections']} consoles + boards)",
                     "value": round(result["per_connection_kb"], 1), "unit": "KB"})
    if "idle" in result:
        idle = result["idle"]
        figs += [
            {"name": f"{label}: idle console websockets held", "value": idle["still_open"],
             "target": f">= {SIZES[quick]['idle']:,}" + ("" if not quick else " (quick: 1,000; full run: 5,000)"),
             "ok": idle["still_open"] >= SIZES[quick]["idle"]},
            {"name": f"{label}: memory per idle websocket", "value": round(idle["per_connection_kb"], 1), "unit": "KB"},
            {"name": f"{label}: after the idle websockets closed, server busy recording it", "value":
             round(idle["settle_seconds"]), "unit": "s"},
        ]
    return figs


def run(quick: bool) -> dict:
    title = "Live attendance: 614 consoles, 20 boards, 18,000-teacher roll call" + (" (quick)" if quick else "")
    command = ("check-ins by wrk through POST /api/attendance/qr/<code>/checkin on uvicorn over loopback, boards on "
               "/ws/board/<event>/, consoles on /ws/console/<token>/ (see bench/bench_live.py).")
    if (why := missing()) is not None:
        return {"title": title, "command": command, "figures": [], "notes": f"Skipped: {why}."}
    notes = []
    sqlite = scenario("SQLite, 1 process", workers=1, quick=quick)
    figures = figures_for(sqlite, "SQLite, 1 process", quick)
    reason = "not in quick mode (`make bench` runs it)" if quick else services_reason()
    pg = None
    if reason is None:
        with PostgresDatabase() as database:
            pg = scenario("PostgreSQL + Redis, 2 processes", workers=2, quick=quick, database_url=database.url,
                          redis_url=REDIS_URL, idle=False)
        figures += figures_for(pg, "PostgreSQL + Redis, 2 processes", quick)
    else:
        notes.append(f"PostgreSQL + Redis part skipped: {reason}.")
    for result in filter(None, (sqlite, pg)):
        notes += [f"{result['name']}, first client errors or retries: {e}" for e in result.get("errors", [])[:3]]
        notes.append(f"{result['name']}: {result['frames']} frames per board; a frame reached the client "
                     f"{result['transit_p50_ms']:.0f} ms (p50) / {result['transit_p99_ms']:.0f} ms (p99) after the "
                     f"server read the database; boards closed by the server as too slow: {result['boards_dropped']}.")
        for phase in ("replay", "burst"):
            data = result[phase]
            if data["accepted"] != data["sent"]:
                notes.append(f"{result['name']}, {phase}: {data['sent'] - data['accepted']} check-ins not accepted.")
            if data["board_samples"] < data["board_expected"]:
                notes.append(f"{result['name']}, {phase}: boards showed {data['board_samples']:,} of "
                             f"{data['board_expected']:,} (check-in, board) pairs.")
    notes.append(
        f"Client load runs in separate processes on the same machine ({os.cpu_count()} cores shared with the "
        f"server): wrk (C, one thread, pinned to core {CLIENT_CORE} when taskset is there) for the replay, the burst "
        "and the yardstick, over check-ins prepared in advance (code and page token of each teacher's planned "
        "time; the page load is not replayed); a listener (consoles + boards, Python) and an idle-socket holder. "
        "Check-in latency is wrk's, request written to answer read; each replayed check-in comes on a new "
        "connection (a phone's; burst and yardstick keep theirs alive) and waits for a free one "
        f"when all {REPLAY_CONNECTIONS} are busy, which the 'behind the plan' figure counts. Board "
        "latency runs from the server's write of the check-in (CheckIn.received_at, read from the database "
        f"afterwards; same machine clock as the listener) and counts every one of the {BOARDS} boards for every "
        "accepted check-in; frames are coalesced per process every 250 ms, so about 125 ms of the median is the "
        "coalescing wait by design."
    )
    return {
        "title": title,
        "command": command,
        "figures": figures,
        "notes": "\n".join(f"- {n}" for n in notes),
    }


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        _prepare(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "lines":
        _lines(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "commits":
        _commits(sys.argv[2], int(sys.argv[3]))
    else:
        print(json.dumps(run(quick="--quick" in sys.argv), indent=2, ensure_ascii=False))
