"""The officials' report pages on the demo's data, served by the real server on loopback (issue 14).

A throw-away database (SQLite unless --database-url), `manage.py seed_demo` into it (614 bridges, 17,878 teachers,
the finished training with 3 roll calls), then uvicorn; the demo's organizer (tochuc) and Bình Sơn's district
officer (binhson) log in through the login form and each page is fetched ROUNDS times after one warm-up; the
medians of the answer time on loopback (what the server spends, plus a loopback round trip) are printed, with
the first (cold) answer. Target: < 300 ms each, the district officer no slower than the organizer.

Pages: the reports page, `/api/attendance/events/{id}/report`, the training page, the eligibility list (first
page). With --compare, the same database is also timed in process: the count from scratch the reports page
made before the read model (`reports.data.build` + `training.eligibility.evaluate`) against the read model's
sum (`reports.data.summarise`).

    .venv/bin/python -m bench.bench_report_pages [--rounds 7] [--compare] [--database-url postgres://...]
    .venv/bin/python -m bench.run --only report_pages   (writes its section of BENCHMARKS.md)
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

from bench.server import ROOT, Server

ROUNDS = 7
TARGET_MS = 300.0
ACCOUNTS = {"organizer": "tochuc", "district officer": "binhson"}


def _demo(server: Server) -> tuple[int, str]:
    """The demo training's id and the demo accounts' password (demo.accounts), read from the seeded database."""
    code = ("from demo.training import DEMO_UID; from demo.accounts import DEMO_PASSWORD; "
            "from events.models import Event; print(Event.objects.get(uid=DEMO_UID).pk, DEMO_PASSWORD)")
    proc = server.manage("shell", "-c", code, check=False)
    if proc.returncode:
        raise RuntimeError(f"the demo training was not found: {proc.stderr[-2000:]}")
    event_id, password = proc.stdout.strip().splitlines()[-1].split(" ", 1)
    return int(event_id), password


def _pages(event_id: int) -> dict[str, str]:
    return {
        "reports page": f"/attendance/events/{event_id}/reports/",
        "report API": f"/api/attendance/events/{event_id}/report",
        "training page": f"/training/{event_id}/",
        "eligibility list": f"/training/{event_id}/eligibility/",
    }


def _time(client, url: str) -> float:
    t0 = time.perf_counter()
    resp = client.get(url)
    elapsed = (time.perf_counter() - t0) * 1000
    if resp.status_code != 200:
        raise RuntimeError(f"{url}: {resp.status_code} {resp.text[:300]}")
    return elapsed


COMPARE = """
import json, statistics, time
from django.contrib.auth import get_user_model
from demo.training import DEMO_UID
from events.models import Event
from reports import data
from reports.filters import resolve
from training.eligibility import evaluate

event = Event.objects.get(uid=DEMO_UID)
out = {}
for label, username in (("organizer", "tochuc"), ("district officer", "binhson")):
    user = get_user_model().objects.get(username=username)
    filters = resolve(event, user)
    for name, fn in (("from scratch (before)", lambda: (data.build(event, filters), evaluate(event))),
                     ("read model (after)", lambda: data.summarise(event, filters))):
        times = []
        for _ in range(ROUNDS):
            t0 = time.perf_counter(); fn(); times.append((time.perf_counter() - t0) * 1000)
        out[f"{label}: {name}"] = round(statistics.median(times), 1)
print("JSON" + json.dumps(out))
"""


def measure(rounds: int = ROUNDS, database_url: str | None = None, compare: bool = False, log=print) -> dict:
    """{"seed_s", "results": {page: {account: {cold_ms, median_ms}}}, "compare": {name: ms} or None}."""
    with Server(workers=1, database_url=database_url, jobs_mode="inline") as server:
        t0 = time.perf_counter()
        server.manage("seed_demo")
        seed_s = time.perf_counter() - t0
        log(f"seed_demo: {seed_s:.1f} s")
        event_id, password = _demo(server)
        results: dict[str, dict[str, dict]] = {}
        for label, username in ACCOUNTS.items():
            client = server.client(username, password)
            for page, url in _pages(event_id).items():
                cold = _time(client, url)
                times = [_time(client, url) for _ in range(rounds)]
                results.setdefault(page, {})[label] = {"cold_ms": round(cold, 1),
                                                       "median_ms": round(statistics.median(times), 1)}
            client.close()
        compared = None
        if compare:
            code = f"ROUNDS = {rounds}\n" + COMPARE
            proc = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=server.env,
                                  capture_output=True, text=True, check=True, timeout=1800)
            line = next(x for x in proc.stdout.splitlines() if x.startswith("JSON"))
            compared = json.loads(line[4:])
    return {"seed_s": seed_s, "results": results, "compare": compared}


def misses(results: dict) -> list[str]:
    failures = []
    for page, by in results.items():
        for label, figures in by.items():
            if figures["median_ms"] >= TARGET_MS:
                failures.append(f"{page} ({label}) {figures['median_ms']} ms >= {TARGET_MS} ms")
        if by["district officer"]["median_ms"] > by["organizer"]["median_ms"]:
            failures.append(f"{page}: the district officer is slower than the organizer")
    return failures


def run(quick: bool) -> dict:
    """bench.run's section: every page for both accounts, against < 300 ms and the district officer no slower."""
    measured = measure(rounds=3 if quick else ROUNDS)
    figures = []
    for page, by in measured["results"].items():
        for label, ms in by.items():
            figures.append({"name": f"{page}, {label}: median (cold)", "value": f"{ms['median_ms']:.0f} ({ms['cold_ms']:.0f})",
                            "unit": "ms", "target": f"< {TARGET_MS:.0f}", "ok": ms["median_ms"] < TARGET_MS})
        slower = by["district officer"]["median_ms"] > by["organizer"]["median_ms"]
        figures.append({"name": f"{page}: district officer no slower than the organizer", "value":
                        "yes" if not slower else "no", "unit": "", "target": "yes", "ok": not slower})
    notes = ("The real server (one uvicorn process, SQLite) on a throw-away database seeded by `manage.py seed_demo` "
             f"({measured['seed_s']:.1f} s, not counted): 614 bridges, 17,878 teachers, the finished training with "
             "3 roll calls. The demo's organizer (tochuc) and Bình Sơn's district officer (binhson) log in through "
             f"the login form; each page is fetched {3 if quick else ROUNDS} times after a first (cold) fetch, and "
             "the median answer time on loopback is reported. The eligibility list is its first page (100 rows): "
             "only the bridges that hold the page are judged (training.eligibility_list), 342 ms for the organizer "
             "before, when every one of the 17,878 was judged per view.")
    return {"title": "Officials' report pages on the demo's data", "command":
            ".venv/bin/python -m bench.run --only report_pages", "figures": figures, "notes": notes}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL database of your own (emptied)")
    parser.add_argument("--compare", action="store_true", help="also time the count from scratch in process")
    args = parser.parse_args(argv)
    measured = measure(args.rounds, args.database_url, args.compare)
    results = measured["results"]
    print(f"{'page':<18} {'account':<17} {'median ms':>10} {'cold ms':>9}")
    for page, by in results.items():
        for label, figures in by.items():
            print(f"{page:<18} {label:<17} {figures['median_ms']:>10.1f} {figures['cold_ms']:>9.1f}")
    if measured["compare"]:
        print("in process, median ms:")
        for name, ms in measured["compare"].items():
            print(f"  {name:<42} {ms:>8.1f}")
    failures = misses(results)
    print(json.dumps({"results": results, "misses": failures}, ensure_ascii=False))
    for failure in failures:
        print("MISS:", failure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
