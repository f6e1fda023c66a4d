"""The teacher check-in measured against the floor, in requests per server CPU-second (issue 13).

One run, three kinds of request, alternating round by round on the same machine:

1. floor: bench/raw_asgi.py, an ASGI app that answers 200, under the same uvicorn: what no request can beat;
2. hello: /bench/hello, a JsonResponse through the project's whole ASGI stack and middleware chain;
3. check-in: POST /api/attendance/qr/<code>/checkin with valid, distinct teachers, fresh nonces and
   fresh single-use page tokens (made just before each round by a child on the server's database), so
   every request is one accepted check-in written with its attempt, nonce and page rows.

The server process is pinned to core 0 and the load generator, wrk (C, one thread, a Lua script reading
the prepared requests), to core 1. The server's CPU-seconds are read from /proc before and after each
round; the database server's (PostgreSQL) are counted apart. Figures are medians of the rounds.

    .venv/bin/python -m bench.run --only floor [--quick]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import psutil

from bench.bench_live import Child, PostgresDatabase, _child, _prepare, open_roll_call, services_reason
from bench.server import HOST, ROOT, Server, free_port
from bench.wrk_load import CLIENT_CORE, SERVER_CORE, checkin_lines, wrk

SIZES = {False: {"rounds": 3, "seconds": 10, "teachers_per_school": 60, "connections": 32},
         True: {"rounds": 3, "seconds": 4, "teachers_per_school": 14, "connections": 16}}
# The board fan-out's target (issue 13): with this many organizer boards connected, a check-in costs the
# server at most 1.1 times what it costs with none. Each round checks teachers in both ways.
BOARDS = 20
CLK_TCK = os.sysconf("SC_CLK_TCK")
BEFORE_AND_WHERE = ("Before this change (issue 13's own measure, same kind of run): 131-143 check-ins per server CPU-second through Django and django-ninja. Where a check-in's CPU goes now (bench/profile_checkin.py, yappi; in-process timings on PostgreSQL): the batch write is about 1.8 ms per teacher in batches of 8, 1.2 ms in batches of 16 and 0.7 ms in batches of 64 (Django's bulk_create of four rows a teacher and psycopg's client-side query building are most of it); admission and settling (the throttles' cache counters, the client key, the page token's signature) about 0.2 ms; parsing and answering on the event loop the rest. With 32 connections batches stay small. Since then the batch reads and writes without the ORM's compiler (core.bulk_sql: plain SELECTs of the columns used, COPY on PostgreSQL) and tells boards and consoles in one trip on the server's loop; bench/checkin_batch_cpu.py (in process, PostgreSQL, noisy machine) measured the batch write at 1.04 / 0.66 / 0.38 ms a teacher before and 0.41-0.55 / 0.27-0.35 / 0.17-0.18 after, in batches of 8 / 16 / 64. On 2026-12-03 the server's CPU was split by thread (/proc/<pid>/task, one check-in round at -c32): the writer thread (admission, the batch, settling) 0.73-1.0 ms per check-in, the event loop (uvicorn, parsing, answering) 0.30-0.42 ms, on a host whose raw floor ran at 16,000-29,000 answers per CPU-second. Since then the page token's signature is read once, a school's shared code is checked once per batch, the language is switched only where it changes, the input and page models are plain pydantic ones, cookies are parsed once by Django's parser, and a batch's notifications are not waited for: bench/checkin_batch_cpu.py, alternating the two trees, measured about 10 % less CPU per teacher in the batch (0.63-0.68 against 0.73-0.78 ms at 16), within this host's noise in the figures above. Since 2026-12-03 each prepared check-in carries its own device cookie (as each teacher's phone does); before, every check-in after the third came from one client and was flagged. On 2026-12-04, on a host about 1.7 times slower than the day before (raw floor 30,000-33,000 answers per CPU-second), the server's CPU per check-in was split by phase (thread CPU clocks around the batch's steps): in the writer thread, per check-in in batches of about 16, the reads 0.15 ms, the rules 0.11, the COPYs 0.10, the roll calls and their signatures 0.07, admission 0.11 (django-ratelimit's count, the page token's signature, the client key); on the event loop 0.22 ms (uvicorn, parsing, answering), and one PostgreSQL round trip cost the client about 0.1 ms of CPU. Then: uvicorn's access log, switched back on by Django's LOGGING under --no-access-log, is off again (a line per request); the batch reads in two round trips instead of eight; a body is walked by core.json_input only when its text could cross a bound; the teacher's language is switched only to refuse; only the headers read are decoded; a nonce's answer is no model instance. Alternating the two trees on that host (bench threads split, -c32, 12,000 check-ins a round, 2 rounds each, twice): 0.85-0.97 ms per check-in before, 0.78-0.87 after, the database's CPU the same. Then (2026-12-04, evening): a batch under load waits 1 ms for the check-ins arriving with it (batches of about 31 instead of 16 at -c32, where the writer's fixed cost was some 6 ms of CPU a batch), the three tables are written in one round trip with the ids read beforehand (the writer's waits per batch 17 -> 8), attempts are slots records, keyed hashes keep their derived keys, django-ratelimit's settings are written out (each missing one raised an AttributeError at every count), start-up objects are frozen out of the garbage collector, and the nonce and check-in indexes lead with their selective column (the database's CPU per check-in had grown 0.43 -> 0.79 ms over three rounds as PostgreSQL read every row of the roll call per batch; now flat at 0.32-0.38). Instructions per check-in for the whole server (bench/checkin_instructions.py, callgrind, deterministic; batches full under valgrind either way): 1.90M at the day's start, 1.42M after (the reads' key arrays written as literals, no longer quoted element by element by psycopg's regular expressions, took the last 3 %).")

CHECKIN_LUA = r"""
-- Each request is the next prepared check-in (path TAB cookie TAB body); the thread stops after the last answer.
-- wrk calls request() once before any connection to check the script (script_verify_request): that
-- first call is given the first line without counting it as sent.
local lines, i, answered, accepted, verified = {}, 0, 0, 0, false
init = function(args)
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
end
request = function()
  if verified then i = i + 1 end
  verified = true
  local line = lines[math.min(math.max(i, 1), #lines)]
  local path, cookie, body = line:match("^([^\t]+)\t([^\t]*)\t(.*)$")
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Cookie"] = cookie}, body)
end
response = function(status, headers, body)
  answered = answered + 1
  if status == 201 then accepted = accepted + 1 end
  if answered == #lines then
    -- wrk's main thread would sleep out its -d with the server idle (and counted): bench.wrk_load stops it
    io.stderr:write("ALL_ANSWERED\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end
done = function(summary, latency, requests)
  io.write(string.format("ANSWERED %d\n", summary.requests))
end
"""
# wrk's done() runs in another Lua state than the threads': the thread counts come back through the
# response lines above only as the summary's totals; accepted check-ins are counted in the database.


def _tokens(out: str, roll_call_id: int, start: int, count: int) -> None:
    """Prepared check-ins for teachers [start, start + count): path TAB JSON body, one per line."""
    import django

    django.setup()
    from attendance.models import RollCall
    from bridges.models import Person

    roll_call = RollCall.objects.get(pk=roll_call_id)
    teachers = Person.objects.order_by("pk").values_list("bridge_id", "teacher_id")[start:start + count]
    lines = checkin_lines(roll_call, [(bridge_id, teacher_id, None, None) for bridge_id, teacher_id in teachers])
    Path(out).write_text("\n".join(lines) + "\n")


def _accepted(out: str, roll_call_id: int) -> None:
    import django

    django.setup()
    from attendance.models import CheckIn

    Path(out).write_text(str(CheckIn.objects.filter(roll_call_id=roll_call_id).count()))


def _boards(url: str, event_id: int, cookie: str, count: int, conn) -> None:
    """A client process holding `count` organizer boards (/ws/board/<event>/): says "ready" once each has its
    first message, then counts the frames they receive until told to stop."""
    import asyncio

    from websockets.asyncio.client import connect

    async def main():
        frames, ready, sockets = [0], [], []

        async def board():
            ws = await connect(f"ws{url[4:]}/ws/board/{event_id}/", origin=url, additional_headers={"Cookie": cookie},
                               open_timeout=60, ping_interval=None, max_size=None)
            sockets.append(ws)
            await ws.recv()
            ready.append(ws)
            try:
                async for _raw in ws:
                    frames[0] += 1
            except Exception:  # noqa: S110 - closed at the end
                pass

        tasks = [asyncio.create_task(board()) for _ in range(count)]
        while len(ready) < count:
            await asyncio.sleep(0.1)
            failed = [t for t in tasks if t.done() and t.exception()]
            if failed:
                raise failed[0].exception()
        conn.send("ready")
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
        await asyncio.sleep(1.0)  # the last frames
        for ws in sockets:
            await ws.close()
        for task in tasks:
            task.cancel()
        conn.send({"frames": frames[0], "boards": len(sockets)})

    asyncio.run(main())


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for proc in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (OSError, psutil.NoSuchProcess):
            continue
    return total


def database_cpu_seconds() -> float:
    total = 0.0
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] and proc.info["name"].startswith("postgres"):
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                continue
    return total


def pin(pid: int, core: int) -> None:
    """Every thread of the process and its children (new threads inherit their creator's affinity)."""
    for proc in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        for task in Path(f"/proc/{proc.pid}/task").iterdir():
            try:
                os.sched_setaffinity(int(task.name), {core})
            except OSError:
                continue


class RawServer:
    """uvicorn serving bench/raw_asgi.py with the project's server flags."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.raw_asgi:app", "--host", HOST, "--port", str(self.port),
             "--log-level", "warning", "--no-access-log"], cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        import httpx

        for _ in range(100):
            try:
                httpx.get(self.url, timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("raw ASGI server did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)


def measure(quick: bool, log=print) -> dict:
    size = SIZES[quick]
    use_pg = services_reason() is None and os.environ.get("BENCH_FLOOR_DB", "postgresql") == "postgresql"
    label = "PostgreSQL" if use_pg else "SQLite"
    env = {"DJANGO_SETTINGS_MODULE": "bench.live_settings"}
    results = {"floor": [], "hello": [], "checkin": [], "checkin_boards": []}
    with tempfile.TemporaryDirectory() as tmp, (PostgresDatabase() if use_pg else nullcontext()) as pg, \
            RawServer() as raw, \
            Server(workers=1, database_url=pg.url if pg else None, env=env, jobs_mode="inline") as server:
        tmp = Path(tmp)
        _child(server, "prepare", str(tmp / "prep.json"), str(size["teachers_per_school"]))
        prep = json.loads((tmp / "prep.json").read_text())
        client = server.client("bench-organizer", "bench-Organizer-2030")
        cookie = f"sessionid={client.cookies['sessionid']}"
        roll_call = open_roll_call(client, prep["event_id"], prep["session_id"], "Floor", 120)
        pin(server.process.pid, SERVER_CORE)
        pin(raw.process.pid, SERVER_CORE)
        simple = tmp / "get.lua"
        simple.write_text("")
        checkin_lua = tmp / "checkin.lua"
        checkin_lua.write_text(CHECKIN_LUA)
        teachers = len(prep["teachers"])
        per_round = teachers // (2 * size["rounds"])  # distinct teachers for each check-in round, both kinds
        for number in range(size["rounds"]):
            for kind, url, pid in (("floor", raw.url + "/", raw.process.pid),
                                   ("hello", server.url + "/bench/hello", server.process.pid),
                                   ("checkin", server.url + "/", server.process.pid),
                                   ("checkin_boards", server.url + "/", server.process.pid)):
                args = ()
                script = simple
                holder = None
                if kind.startswith("checkin"):
                    slot = 2 * number + (kind == "checkin_boards")
                    lines = tmp / f"checkins-{slot}.txt"
                    _child_floor(server, "tokens", str(lines), str(roll_call), str(slot * per_round), str(per_round))
                    script, args = checkin_lua, (str(lines),)
                    before_rows = _count(server, tmp, roll_call)
                if kind == "checkin_boards":
                    # Connected (and their snapshots built) before the CPU is counted; on the client's core.
                    holder = Child(_boards, server.url, prep["event_id"], cookie, BOARDS)
                    if holder.recv(120) != "ready":
                        raise RuntimeError("the boards did not connect")
                    pin(holder.process.pid, CLIENT_CORE)
                time.sleep(1.0)
                cpu0, db0 = cpu_seconds(pid), database_cpu_seconds()
                started = time.monotonic()
                outcome = wrk(url, seconds=size["seconds"] if not kind.startswith("checkin") else size["seconds"] * 6,
                              connections=size["connections"], script=script, args=args)
                elapsed = time.monotonic() - started
                outcome["cpu"] = cpu_seconds(pid) - cpu0
                outcome["db_cpu"] = database_cpu_seconds() - db0
                outcome["elapsed"] = elapsed
                if holder is not None:
                    holder.conn.send("stop")
                    outcome.update(holder.recv(60))
                    holder.join()
                if kind.startswith("checkin"):
                    outcome["accepted"] = _count(server, tmp, roll_call) - before_rows
                    outcome["offered"] = per_round
                else:
                    outcome["accepted"] = outcome["requests"] - outcome["non_2xx"]
                outcome["per_cpu_second"] = outcome["accepted"] / outcome["cpu"] if outcome["cpu"] else 0.0
                results[kind].append(outcome)
                db_cpu = "" if kind == "floor" else f", db CPU {outcome['db_cpu']:.2f} s"
                log(f"  round {number + 1} {kind}: {outcome['accepted']} in {elapsed:.1f} s, server CPU "
                    f"{outcome['cpu']:.2f} s → {outcome['per_cpu_second']:,.0f}/CPU-s{db_cpu}, "
                    f"p99 {outcome['p99_ms']} ms")
    return {"database": label, "results": results, "size": size}


def _child_floor(server: Server, *args: str) -> None:
    env = {**server.env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    proc = subprocess.run([sys.executable, "-m", "bench.bench_floor", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {args[0]} failed:\n{proc.stderr[-3000:]}")


def _count(server: Server, tmp: Path, roll_call: int) -> int:
    _child_floor(server, "accepted", str(tmp / "count.txt"), str(roll_call))
    return int((tmp / "count.txt").read_text())


def _median(rows: list[dict], key: str) -> float:
    values = [row[key] for row in rows if row.get(key) is not None]
    return statistics.median(values) if values else 0.0


def run(quick: bool) -> dict:
    title = "Teacher check-in against the floor (requests per server CPU-second)"
    command = f".venv/bin/python -m bench.run --only floor{' --quick' if quick else ''}"
    missing = [tool for tool in ("wrk", "taskset") if shutil.which(tool) is None]
    if missing or (os.cpu_count() or 1) < 2:
        why = f"needs {', '.join(missing)}" if missing else "needs two cores (server and load generator apart)"
        return {"title": title, "command": command, "figures": [], "notes": f"Skipped: {why}."}
    measured = measure(quick)
    res = measured["results"]
    floor = _median(res["floor"], "per_cpu_second")
    hello = _median(res["hello"], "per_cpu_second")
    checkin = _median(res["checkin"], "per_cpu_second")
    figures = [
        {"name": "raw ASGI floor", "value": round(floor), "unit": "answers / server CPU-s", "target": "", "ok": True},
        {"name": "trivial Django JsonResponse (project stack)", "value": round(hello), "unit": "answers / server CPU-s",
         "target": "", "ok": True},
        {"name": "trivial page / floor", "value": round(hello / floor, 3) if floor else 0, "unit": "ratio",
         "target": "", "ok": True},
        {"name": f"accepted teacher check-ins ({measured['database']}, 1 process)", "value": round(checkin),
         "unit": "check-ins / server CPU-s", "target": "≥ 1,000 (goal 2,000)", "ok": checkin >= 1000},
        {"name": "check-in / floor", "value": round(checkin / floor, 3) if floor else 0, "unit": "ratio",
         "target": "≥ 1/12 = 0.083 (goal 1/6)", "ok": bool(floor) and checkin / floor >= 1 / 12},
        {"name": "server CPU per accepted check-in", "value": round(1000 / checkin, 2) if checkin else 0, "unit": "ms",
         "target": "≤ 1", "ok": bool(checkin) and 1000 / checkin <= 1},
        {"name": "check-in p50 / p99 latency under wrk", "value":
         f"{_median(res['checkin'], 'p50_ms'):.1f} / {_median(res['checkin'], 'p99_ms'):.1f}", "unit": "ms",
         "target": "", "ok": True},
    ]
    with_boards = _median(res["checkin_boards"], "per_cpu_second")
    frames = _median(res["checkin_boards"], "frames")
    cost = checkin / with_boards if with_boards else 0.0  # CPU per check-in with the boards / without
    figures += [
        {"name": f"accepted check-ins with {BOARDS} organizer boards connected", "value": round(with_boards),
         "unit": "check-ins / server CPU-s", "target": "", "ok": True},
        {"name": f"server CPU per check-in, {BOARDS} boards / none", "value": round(cost, 2), "unit": "×",
         "target": "≤ 1.1", "ok": bool(with_boards) and cost <= 1.1},
        {"name": f"board frames received per round, {BOARDS} boards together", "value": round(frames), "unit": "frames",
         "target": "> 0 (the boards were live)", "ok": frames > 0},
    ]
    if measured["database"] == "PostgreSQL":
        db = _median(res["checkin"], "db_cpu") / max(1, _median(res["checkin"], "accepted"))
        figures.append({"name": "PostgreSQL server CPU per accepted check-in (not in the figures above)",
                        "value": round(db * 1000, 2), "unit": "ms", "target": "", "ok": True})
    rows = "; ".join(f"{kind}: " + ", ".join(f"{r['per_cpu_second']:,.0f}" for r in res[kind]) for kind in res)
    notes = [f"Per-round answers per server CPU-second — {rows}.",
             f"wrk -t1 -c{measured['size']['connections']} pinned to core {CLIENT_CORE}; the server (one uvicorn "
             f"process) pinned to core {SERVER_CORE}; {measured['size']['rounds']} rounds alternating floor, hello, "
             f"check-in, check-in with {BOARDS} organizer boards connected (held by a client process on core "
             f"{CLIENT_CORE}, connected and sent their snapshots before the CPU is counted); medians. Every check-in is a distinct teacher with a fresh nonce and page token; accepted "
             "ones are counted in the database.",
             BEFORE_AND_WHERE]
    return {"title": title, "command": command, "figures": figures, "notes": "\n\n".join(notes)}


if __name__ == "__main__":
    if sys.argv[1] == "tokens":
        _tokens(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == "accepted":
        _accepted(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "prepare":
        _prepare(sys.argv[2], int(sys.argv[3]))
    else:
        print(json.dumps(measure(quick="--quick" in sys.argv), indent=1, default=str))
