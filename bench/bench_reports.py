"""The attendance workbook of the demo province: 614 bridges, ~18,000 teachers, 3 roll calls.

Three child processes on one throw-away SQLite database (the development data is never touched):
  1. prepare: migrate, seed the demo province (bridges and rosters), then an ended training with
     every bridge invited, readiness tests, bridge check-ins, connection intervals, three roll calls
     with ~93 % of teachers present at each, and certificates for those present at all three;
  2. export: the real code path of `manage.py export_attendance` (reports.export.write):
     the numbers from the database, then the three styled sheets, timed apart; peak RSS of the process;
  3. bare: the same cells (the same report, materialized first, not timed) written with bare openpyxl
     write-only and no styles: the floor this workbook is compared with. Also the teachers' CSV.

    .venv/bin/python -m bench.bench_reports [--quick]
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 10.0
TARGET_MB = 300.0
FULL_SCHOOLS = 600  # + 13 district halls + the host = 614 bridges
QUICK_SCHOOLS = 60


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _prepare(schools: int) -> dict:
    import django

    django.setup()
    import random
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from attendance.models import BridgeCheckIn, CheckIn, ConnectionInterval, RollCall
    from bridges.models import Bridge, Person, Tier
    from demo.seeding import seed_bridges
    from events.models import Event, Invitation, ReadinessTest, Session
    from training.models import Certificate

    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    seed_bridges(schools=schools)
    rng = random.Random("bench-reports")
    now = timezone.now()
    start = now - timedelta(hours=9)
    host = Bridge.objects.get(tier__role=Tier.Role.HOST)
    event = Event.objects.create(title="Tập huấn kỹ năng số cho giáo viên toàn tỉnh", kind=Event.Kind.TRAINING,
                                 status=Event.Status.ENDED, host=host, starts_at=start, ends_at=now - timedelta(hours=1))
    session = Session.objects.create(event=event, title="Tập huấn", starts_at=start, ends_at=event.ends_at,
                                     counts_for_completion=True)
    roll_calls = RollCall.objects.bulk_create([
        RollCall(session=session, label=f"Lần {n}", opened_at=start + timedelta(hours=2 * n),
                 closes_at=start + timedelta(hours=2 * n, minutes=5)) for n in (1, 2, 3)])
    bridges = list(Bridge.objects.exclude(pk=host.pk).values_list("pk", flat=True))
    statuses = rng.choices(["tested_ok", "confirmed", "problem", "invited"], [92, 4, 2, 2], k=len(bridges))
    invitations = Invitation.objects.bulk_create(
        [Invitation(event=event, bridge_id=b, status=s) for b, s in zip(bridges, statuses, strict=True)],
        batch_size=1000)
    ReadinessTest.objects.bulk_create(
        [ReadinessTest(invitation=inv, ok=inv.status == "tested_ok", rtt_ms=rng.uniform(20, 300))
         for inv in invitations if inv.status in ("tested_ok", "problem")], batch_size=1000)
    roster = {}
    for person_id, bridge_id in Person.objects.values_list("pk", "bridge_id"):
        roster.setdefault(bridge_id, []).append(person_id)
    came = [b for b, s in zip(bridges, statuses, strict=True) if s != "invited" and rng.random() < 0.97]
    BridgeCheckIn.objects.bulk_create([
        BridgeCheckIn(event=event, bridge_id=b, checked_in_at=start + timedelta(minutes=rng.randint(0, 40)),
                      headcount=round(len(roster.get(b, [])) * 0.93)) for b in came], batch_size=1000)
    ConnectionInterval.objects.bulk_create([
        ConnectionInterval(event=event, bridge_id=b, source="console", started_at=start,
                           last_seen_at=start + timedelta(minutes=rng.randint(200, 480)),
                           ended_at=start + timedelta(minutes=rng.randint(200, 480))) for b in came], batch_size=1000)
    checkins, all_three = [], []
    for b in came:
        for person_id in roster.get(b, []):
            present = [rc for rc in roll_calls if rng.random() < 0.93]
            checkins += [CheckIn(roll_call=rc, person_id=person_id, bridge_id=b, method="self_qr",
                                 at=rc.opened_at + timedelta(seconds=rng.randint(5, 290))) for rc in present]
            if len(present) == 3:
                all_three.append(person_id)
    CheckIn.objects.bulk_create(checkins, batch_size=5000)
    names = dict(Person.objects.filter(pk__in=all_three).values_list("pk", "full_name"))
    Certificate.objects.bulk_create([
        Certificate(event=event, person_id=p, number=f"{n}/GCN", seq=n, year=now.year, code=f"B{n:011d}",
                    issued_at=now, holder_name=names[p], training_title=event.title, training_starts=start.date(),
                    training_ends=start.date()) for n, p in enumerate(all_three, start=1)], batch_size=2000)
    return {"event_id": event.pk, "bridges": len(bridges) + 1, "people": Person.objects.count(),
            "checkins": len(checkins), "certificates": len(all_three), "prepare_s": time.perf_counter() - t0}


def _export(event_id: int, out: str) -> dict:
    import django

    django.setup()
    from bridges.models import Role
    from events.models import Event
    from reports import data, export
    from reports.filters import resolve
    from reports.sheets import attendance_tables
    from reports.workbook import write_workbook

    base_mb = _peak_mb()
    event = Event.objects.select_related("host").get(pk=event_id)
    filters = resolve(event, None, role=Role(kind=Role.Kind.ORGANIZER))
    t0, c0 = time.perf_counter(), time.process_time()
    with open(out, "wb") as target:
        report, rows = export.write(event, filters, target)
    total_s, total_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    peak = _peak_mb()
    # The two phases apart (the workbook again from the report already computed).
    t0 = time.perf_counter()
    report = data.build(event, filters)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_workbook(out + ".again.xlsx", attendance_tables(report), export.title_block(event, filters, report.generated_at))
    write_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with open(out + ".csv", "wb") as target:
        export.write(event, filters, target, fmt="csv", sheet="teachers")
    csv_s = time.perf_counter() - t0
    return {"total_s": total_s, "total_cpu_s": total_cpu_s, "load": os.getloadavg()[0], "build_s": build_s, "write_s": write_s, "csv_s": csv_s, "rows": rows,
            "peak_mb": peak, "base_mb": base_mb, "size_mb": os.path.getsize(out) / 1e6,
            "bridges": len(report.bridges), "people": len(report.people), "roll_calls": len(report.roll_calls)}


def _bare(event_id: int, out: str) -> dict:
    import django

    django.setup()
    from openpyxl import Workbook

    from bridges.models import Role
    from events.models import Event
    from reports import data
    from reports.cells import clean_cell_text, local_naive
    from reports.filters import resolve
    from reports.sheets import attendance_tables

    event = Event.objects.select_related("host").get(pk=event_id)
    report = data.build(event, resolve(event, None, role=Role(kind=Role.Kind.ORGANIZER)))

    def plain(value):
        if hasattr(value, "tzinfo") and hasattr(value, "hour"):
            return local_naive(value)
        return clean_cell_text(value) if isinstance(value, str) else value

    sheets = [(t.name, [[plain(v) for v in row] for row in t.rows] + ([t.total] if t.total else []))
              for t in attendance_tables(report)]
    cells = sum(len(r) for _n, rows in sheets for r in rows)
    t0 = time.perf_counter()
    wb = Workbook(write_only=True)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(out)
    return {"bare_s": time.perf_counter() - t0, "cells": cells, "size_mb": os.path.getsize(out) / 1e6}


def _child(env: dict, *args) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.bench_reports", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(quick: bool) -> dict:
    schools = QUICK_SCHOOLS if quick else FULL_SCHOOLS
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SQLITE_PATH": str(Path(tmp) / "b.sqlite3"),
               "MEDIA_ROOT": str(Path(tmp) / "media"), "JOBS_MODE": "inline", "LOG_LEVEL": "ERROR"}
        for name in ("DATABASE_URL", "REDIS_URL"):
            env.pop(name, None)
        prepared = _child(env, "--prepare", schools)
        exported = _child(env, "--export", prepared["event_id"], Path(tmp) / "report.xlsx")
        bare = _child(env, "--bare", prepared["event_id"], Path(tmp) / "bare.xlsx")
    overhead = exported["write_s"] / bare["bare_s"] if bare["bare_s"] else 0
    figures = [
        {"name": f"workbook, {exported['bridges']} bridges × {exported['people']:,} teachers × "
                 f"{exported['roll_calls']} roll calls (numbers + 3 sheets)",
         "value": round(exported["total_s"], 2), "unit": "s",
         "target": f"< {TARGET_S:.0f} s" if not quick else "(quick run)",
         "ok": exported["total_s"] < TARGET_S if not quick else None},
        {"name": "  the same, CPU time of the exporting process", "value": round(exported["total_cpu_s"], 2),
         "unit": "s", "target": ""},
        {"name": "peak memory of the exporting process (RSS)", "value": round(exported["peak_mb"]), "unit": "MB",
         "target": f"< {TARGET_MB:.0f} MB", "ok": exported["peak_mb"] < TARGET_MB},
        {"name": "  of which: numbers from the database (data.build, also the reports page)",
         "value": round(exported["build_s"], 2), "unit": "s", "target": ""},
        {"name": "  of which: writing the styled sheets", "value": round(exported["write_s"], 2), "unit": "s",
         "target": ""},
        {"name": f"same {bare['cells']:,} cells with bare openpyxl (write-only, no styles)",
         "value": round(bare["bare_s"], 2), "unit": "s", "target": "comparison"},
        {"name": "styled sheets / bare openpyxl", "value": round(overhead, 2), "unit": "×", "target": ""},
        {"name": "teachers' sheet as CSV (UTF-8 with BOM), numbers included", "value": round(exported["csv_s"], 2),
         "unit": "s", "target": ""},
        {"name": "workbook size", "value": round(exported["size_mb"], 1), "unit": "MB", "target": ""},
    ]
    return {
        "title": "Attendance workbook (reports)",
        "command": ".venv/bin/python -m bench.bench_reports" + (" --quick" if quick else "")
        + " (reports.export.write, the code behind manage.py export_attendance and the export job)",
        "figures": figures,
        "notes": (
            f"A fresh SQLite database in a child process: the demo province ({schools} schools, their districts and "
            f"the host; {prepared['people']:,} teachers), an ended training with every bridge invited, "
            f"{prepared['checkins']:,} check-ins over 3 roll calls and {prepared['certificates']:,} certificates "
            f"(prepared in {prepared['prepare_s']:.0f} s, not counted). The export runs in its own process so that "
            f"its peak RSS ({exported['peak_mb']:.0f} MB, of which {exported['base_mb']:.0f} MB is Python + Django "
            "before the export) is the export's. openpyxl write-only streams rows to disk (memory stays flat) but "
            "is not faster; the comparison writes the very same cell values with no styles, number formats, "
            "merged title block, chart or formula guard. One core; no lxml installed (openpyxl uses et_xmlfile; "
            "lxml measured ~13 % less CPU for the sheets here, not worth a dependency). The machine is shared: "
            f"load average {exported['load']:.1f} when the export ran, so wall time may exceed CPU time."
        ),
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--prepare"]:
        print(json.dumps(_prepare(int(argv[1]))))
        return
    if argv[:1] == ["--export"]:
        print(json.dumps(_export(int(argv[1]), argv[2])))
        return
    if argv[:1] == ["--bare"]:
        print(json.dumps(_bare(int(argv[1]), argv[2])))
        return
    result = run(quick="--quick" in argv)
    print(result["title"])
    for figure in result["figures"]:
        print(f"  {figure['name']}: {figure['value']} {figure['unit']}  {figure['target']}")
    print(f"  ({result['command']})")
    print(result["notes"])


if __name__ == "__main__":
    main(sys.argv[1:])
