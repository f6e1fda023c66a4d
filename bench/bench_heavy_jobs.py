"""Heavy jobs never on the web workers (issue 13): check-in latency while a certificate print job and an
attendance export run, and whose CPU they took.

bench.server starts the two processes of `make demo` (Makefile WITH_WORKER): uvicorn (one process) and
`manage.py db_worker` (JOBS_MODE=database), on PostgreSQL when it answers (BENCH_PG_URL), else SQLite.
A child seeds, through bench_certificates.seed_training, a finished training whose N teachers (16,000 at
full size) are all eligible, issues their certificates (training.services, as the issue job does), and
adds a live event with every school invited, several open roll calls and an organizer.

Then a client process (spawned) checks teachers in at a steady rate (50 a second: the page load for the
single-use page token, then POST /api/attendance/qr/<code>/checkin, httpx in asyncio), in slices of
10 s, each on a roll call of its own so no teacher checks in twice at one:

1. without jobs: three slices;
2. with jobs: the organizer starts, over the real API, the merged print of every certificate
   (POST /api/training/events/{id}/print) and the attendance workbook of the training
   (POST /api/attendance/events/{id}/exports, xlsx), and slices go on until both jobs are done.

Latency is per check-in at the client (page load + check-in), p50/p99 for each phase; a check-in counts
as "with jobs" when it was sent while a job ran. CPU seconds of each process (utime + stime from
/proc/<pid>/stat) are read at the phase edges: the jobs' CPU must be the worker's, not the web process's.
bench/live_settings.py lifts the per-address check-in limits (every simulated phone is 127.0.0.1).

    .venv/bin/python -m bench.run --only heavy_jobs            (16,000 teachers; not in --quick)
    .venv/bin/python -m bench.bench_heavy_jobs --teachers 2000  (a small run, prints JSON)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

from bench.bench_live import (
    USERNAME,
    Child,
    PostgresDatabase,
    percentile,
    services_reason,
)
from bench.server import Server

ROOT = Path(__file__).resolve().parent.parent
IN_QUICK = False  # seeding and printing 16,000 certificates take many minutes
TEACHERS = 16_000
RATE = 50  # check-ins a second
SLICE_SECONDS = 10
BASELINE_SLICES = 3
ROLL_CALLS = 12  # each slice takes RATE * SLICE_SECONDS teachers of one roll call
WINDOW_SECONDS = 300
PASSWORD = "bench-Organizer-2030"  # noqa: S105 - bench_live's throw-away account, throw-away database
TICKS = os.sysconf("SC_CLK_TCK")


# --- the seeding child (python -m bench.bench_heavy_jobs prepare OUT TEACHERS) -----------------------

def _prepare(out: str, teachers: int) -> None:
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from attendance.models import RollCall
    from attendance.services import qr
    from bench.bench_certificates import seed_training
    from bridges.models import Bridge, Person, Role, Tier
    from events.models import Event, Invitation, Session
    from training import services

    training = seed_training(teachers)
    issued = services.issue_certificates(training).issued
    now = timezone.now()
    host = Bridge.objects.get(tier__role=Tier.Role.HOST)
    event = Event.objects.create(title="Lễ phát động (bench, heavy jobs)", host=host, status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=6))
    session = Session.objects.create(event=event, title="Khai mạc", starts_at=event.starts_at, ends_at=event.ends_at)
    schools = list(Bridge.objects.exclude(pk=host.pk).values_list("pk", flat=True))
    Invitation.objects.bulk_create([Invitation(event=event, bridge_id=pk, status=Invitation.Status.CONFIRMED)
                                    for pk in schools])
    roll_calls = [RollCall.objects.create(session=session, label=f"Điểm danh {n + 1}", opened_at=now,
                                          closes_at=now + timedelta(hours=2), window_seconds=WINDOW_SECONDS)
                  for n in range(ROLL_CALLS)]
    user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    Role.objects.create(user=user, kind=Role.Kind.ORGANIZER)
    first = int(time.time()) // WINDOW_SECONDS
    windows = range(first, first + math.ceil(7200 / WINDOW_SECONDS) + 2)
    Path(out).write_text(json.dumps({
        "training_id": training.pk, "issued": issued, "event_id": event.pk,
        "teachers": list(Person.objects.order_by("pk").values_list("bridge_id", "teacher_id")),
        "roll_calls": [{"window_seconds": rc.window_seconds,
                        "tokens": {str(b): {str(w): qr.make_token(rc, b, w) for w in windows} for b in schools}}
                       for rc in roll_calls],
    }))


def _sender(url: str, plan: list, tokens: dict, concurrency: int, conn) -> None:
    """Check teachers in as a phone does (page load for the single-use page token, then the check-in),
    each at its time: plan is [(at seconds, bridge, teacher)]. Returns [(bridge, t_sent, t_response, status)].
    Per-response wall times, which wrk does not give: a check-in counts as "with jobs" by when it ran."""
    import httpx

    async def main():
        results, errors = [], []
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
            async def one(bridge: int, teacher: str):
                sent = time.time()
                window = str(int(time.time()) // tokens["window_seconds"])
                code = tokens["tokens"][str(bridge)][window]
                path = f"/api/attendance/qr/{code}/checkin"
                body = {"nonce": uuid.uuid4().hex, "identifier": teacher}
                try:
                    page = await client.get(f"/api/attendance/qr/{code}")
                    body["page_token"] = page.json().get("page_token")
                except (httpx.TransportError, ValueError) as exc:
                    if len(errors) < 5:
                        errors.append(f"page not loaded: {exc!r}")
                status = 0
                for _attempt in range(3):
                    # A keep-alive connection the server closed meanwhile: the page sends again with the
                    # same nonce, which the server answers once.
                    try:
                        resp = await client.post(path, json=body)
                    except httpx.TransportError as exc:
                        if len(errors) < 5:
                            errors.append(f"retried after {exc!r}")
                        continue
                    status = resp.status_code
                    if status not in (200, 201) and len(errors) < 5:
                        errors.append(f"HTTP {status}: {resp.text[:300]}")
                    break
                results.append((bridge, sent, time.time(), status))

            t0 = time.monotonic()
            slots = asyncio.Semaphore(concurrency * 4)
            pending = set()

            async def guarded(bridge, teacher):
                try:
                    await one(bridge, teacher)
                finally:
                    slots.release()

            for at, bridge, teacher in plan:
                delay = at - (time.monotonic() - t0)
                if delay > 0:
                    await asyncio.sleep(delay)
                await slots.acquire()
                task = asyncio.create_task(guarded(bridge, teacher))
                pending.add(task)
                task.add_done_callback(pending.discard)
            await asyncio.gather(*pending)
        conn.send({"results": results, "errors": errors})

    asyncio.run(main())


# --- measuring -------------------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (all its threads), from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Slices:
    """Check-in slices of SLICE_SECONDS at RATE, each on a fresh (roll call, teachers) pair."""

    def __init__(self, server: Server, seed: dict):
        self.server, self.seed = server, seed
        self.per_slice = RATE * SLICE_SECONDS
        self.teachers = [tuple(t) for t in seed["teachers"]]
        self.next = 0  # slices taken so far
        self.results: list[tuple] = []
        self.errors: list[str] = []

    def capacity(self) -> int:
        return ROLL_CALLS * (len(self.teachers) // self.per_slice)

    def run_one(self) -> list[tuple]:
        per_roll_call = len(self.teachers) // self.per_slice
        if self.next >= self.capacity():
            raise RuntimeError("out of (roll call, teacher) pairs: raise ROLL_CALLS or --teachers")
        roll_call, part = divmod(self.next, per_roll_call)
        self.next += 1
        chosen = self.teachers[part * self.per_slice:(part + 1) * self.per_slice]
        plan = [(i / RATE, bridge, teacher) for i, (bridge, teacher) in enumerate(chosen)]
        sender = Child(_sender, self.server.url, plan, self.seed["roll_calls"][roll_call], 64)
        answer = sender.recv(SLICE_SECONDS * 20 + 120)
        sender.join()
        self.errors += answer["errors"][: max(0, 5 - len(self.errors))]
        self.results += answer["results"]
        return answer["results"]


def summary(results: list[tuple]) -> dict:
    latencies = [(answered - sent) * 1000 for _b, sent, answered, _s in results]
    accepted = sum(1 for r in results if r[3] in (200, 201))
    span = (max(r[2] for r in results) - min(r[1] for r in results)) if results else 0
    return {"sent": len(results), "accepted": accepted, "rate": accepted / span if span else 0.0,
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99)}


def job_state(client, job_id: int) -> dict:
    resp = client.get(f"/api/jobs/{job_id}")
    resp.raise_for_status()
    return resp.json()


def scenario(teachers: int, database_url: str | None, log=print) -> dict:
    with Server(workers=1, database_url=database_url, jobs_mode="database",
                env={"DJANGO_SETTINGS_MODULE": "bench.live_settings"}) as server:
        seed_file = server.folder / "seed.json"
        started = time.monotonic()
        _seed(server, seed_file, teachers)
        seed = json.loads(seed_file.read_text())
        seeded_s = time.monotonic() - started
        log(f"   seeded {len(seed['teachers']):,} teachers, {seed['issued']:,} certificates issued in {seeded_s:.0f}s")
        client = server.client(USERNAME, PASSWORD, timeout=300)
        web, worker = server.process.pid, server.worker.pid
        slices = Slices(server, seed)

        cpu0 = {"web": cpu_seconds(web), "worker": cpu_seconds(worker)}
        t0 = time.monotonic()
        for _ in range(BASELINE_SLICES):
            slices.run_one()
        baseline = list(slices.results)
        baseline_s = time.monotonic() - t0
        cpu1 = {"web": cpu_seconds(web), "worker": cpu_seconds(worker)}
        log(f"   without jobs: {summary(baseline)}")

        jobs_started = time.time()
        printing = client.post(f"/api/training/events/{seed['training_id']}/print")
        if printing.status_code != 200:
            raise RuntimeError(f"print job refused: HTTP {printing.status_code} {printing.text[:300]}")
        export = client.post(f"/api/attendance/events/{seed['training_id']}/exports", json={"format": "xlsx"})
        if export.status_code != 202:
            raise RuntimeError(f"export job refused: HTTP {export.status_code} {export.text[:300]}")
        job_ids = {"print": printing.json()["id"], "export": export.json()["id"]}
        finished: dict[str, float] = {}
        states: dict[str, dict] = {}
        t1 = time.monotonic()
        while len(finished) < len(job_ids):
            slices.run_one()
            for name, job_id in job_ids.items():
                if name not in finished:
                    states[name] = job_state(client, job_id)
                    if states[name]["status"] in ("done", "failed"):
                        # The job's own end as the server wrote it (same clock): exact, not this poll's.
                        finished[name] = datetime.fromisoformat(states[name]["finished_at"]).timestamp()
            log(f"   with jobs, {time.monotonic() - t1:.0f}s: "
                + ", ".join(f"{n} {s['status']} {s['percent']}%" for n, s in states.items()))
        jobs_s = time.monotonic() - t1
        cpu2 = {"web": cpu_seconds(web), "worker": cpu_seconds(worker)}
        jobs_over = max(finished.values())
        during = [r for r in slices.results[len(baseline):] if jobs_started <= r[1] <= jobs_over]
        failed = [n for n, s in states.items() if s["status"] != "done"]
        if failed:
            raise RuntimeError(f"job(s) {', '.join(failed)} failed: {[states[n]['message'] for n in failed]}")
        return {
            "teachers": len(seed["teachers"]), "certificates": seed["issued"], "seed_s": seeded_s,
            "baseline": summary(baseline), "during": summary(during),
            "baseline_s": baseline_s, "jobs_s": jobs_s,
            "job_seconds": {n: finished[n] - jobs_started for n in job_ids},
            "cpu_baseline": {k: cpu1[k] - cpu0[k] for k in cpu0},
            "cpu_jobs": {k: cpu2[k] - cpu1[k] for k in cpu0},
            "errors": slices.errors, "database": "PostgreSQL" if database_url else "SQLite",
        }


def _seed(workspace, seed_file: Path, teachers: int) -> None:
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "bench.bench_heavy_jobs", "prepare", str(seed_file), str(teachers)],
                          cwd=ROOT, env=workspace.env, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{proc.stderr[-3000:]}")


def run(quick: bool = False, teachers: int | None = None) -> dict:
    teachers = teachers or TEACHERS
    reason = services_reason()
    if reason is None:
        with PostgresDatabase() as database:
            r = scenario(teachers, database.url)
    else:
        r = scenario(teachers, None)
    base, during = r["baseline"], r["during"]
    # The jobs' CPU: what each process used with the jobs beyond what it used per second without them.
    per_s = {k: r["cpu_baseline"][k] / r["baseline_s"] for k in r["cpu_baseline"]}
    extra = {k: r["cpu_jobs"][k] - per_s[k] * r["jobs_s"] for k in per_s}
    label = f"{r['database']}, {r['certificates']:,} certificates"
    figures = [
        {"name": f"{label}: check-in p50 / p99 without jobs ({base['sent']:,} at {RATE}/s)",
         "value": f"{base['p50_ms']:.0f} / {base['p99_ms']:.0f}", "unit": "ms"},
        {"name": f"{label}: check-in p50 / p99 while the print job and the export run ({during['sent']:,})",
         "value": f"{during['p50_ms']:.0f} / {during['p99_ms']:.0f}", "unit": "ms",
         "target": "p99 < 300 ms", "ok": during["p99_ms"] < 300},
        {"name": f"{label}: check-ins accepted without / with jobs",
         "value": f"{base['accepted']:,}/{base['sent']:,} / {during['accepted']:,}/{during['sent']:,}",
         "ok": base["accepted"] == base["sent"] and during["accepted"] == during["sent"]},
        {"name": f"{label}: print job / export, wall time", "unit": "s",
         "value": f"{r['job_seconds']['print']:.0f} / {r['job_seconds']['export']:.0f}"},
        {"name": f"{label}: CPU while the jobs ran ({r['jobs_s']:.0f} s), web process / db_worker", "unit": "s",
         "value": f"{r['cpu_jobs']['web']:.1f} / {r['cpu_jobs']['worker']:.1f}"},
        {"name": f"{label}: CPU beyond the check-ins' own rate, web process / db_worker", "unit": "s",
         "value": f"{extra['web']:.1f} / {extra['worker']:.1f}",
         "target": "the jobs' CPU in the worker", "ok": extra["worker"] > 10 * max(extra["web"], 0.1)},
    ]
    notes = [
        f"Seeding {r['teachers']:,} teachers and issuing their certificates took {r['seed_s']:.0f} s (not timed).",
        f"Check-ins from one client process at {RATE}/s (page load + check-in per teacher, httpx in asyncio), "
        f"in {SLICE_SECONDS} s slices on the same machine ({os.cpu_count()} cores shared by the web process, "
        "the worker, the database and the client).",
        f"CPU from /proc/<pid>/stat: without jobs the web process used {r['cpu_baseline']['web']:.1f} s and the "
        f"worker {r['cpu_baseline']['worker']:.1f} s over {r['baseline_s']:.0f} s.",
        *[f"client error: {e}" for e in r["errors"][:3]],
    ]
    return {
        "title": "Heavy jobs beside the roll call: check-in latency while certificates print and an export runs",
        "command": "uvicorn + manage.py db_worker; a print job of every certificate and an xlsx export started over "
                   "the API while a client checks teachers in at 50/s (bench/bench_heavy_jobs.py).",
        "figures": figures,
        "notes": "\n".join(f"- {n}" for n in notes),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teachers", type=int, default=TEACHERS)
    args = parser.parse_args(argv)
    print(json.dumps(run(teachers=args.teachers), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "prepare":
        _prepare(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(main())
