"""The attendance workbook of the demo's finished training: 614 bridges, 17,878 teachers, 3 roll calls.

Two child processes on one throw-away SQLite database (the development data is never touched):
  1. prepare: migrate, then `demo.steps.seed_demo`, the very function behind `manage.py seed_demo`
     (the province, the demo events, the finished training, the school reports), so that this
     benchmark measures what the command meets on the demo and the two cannot drift apart;
  2. export: in one process, alternating, ROUNDS times: (a) the project's export
     (reports.export.write, the code path of `manage.py export_attendance`: the numbers from the
     database, then the cover and the three styled sheets), (a') the same workbook written from the
     numbers already computed, and (b) bare openpyxl write-only, no styles, writing the same cells
     (the same rows × columns of values, materialized before the clock); medians of wall and CPU
     time (time.process_time) and the ratios. Peak RSS after the first export. Also the teachers' CSV.

    .venv/bin/python -m bench.bench_reports [--quick]
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 10.0
TARGET_MB = 300.0
TARGET_RATIO = 1.1  # the styled workbook against bare openpyxl writing the same cells (issue 14)
QUICK_SCHOOLS = 60
ROUNDS, QUICK_ROUNDS = 5, 3


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


class _Quiet:
    def write(self, *args, **kwargs) -> None:
        pass


def _prepare(schools: int | None) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from bridges.models import Person
    from demo.steps import seed_demo
    from demo.training import DEMO_UID
    from events.models import Event

    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    seed_demo(_Quiet(), schools=schools)
    event = Event.objects.get(uid=DEMO_UID)
    return {"event_id": event.pk, "people": Person.objects.count(), "prepare_s": time.perf_counter() - t0}


def _timed(fn) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def _bare_sheets(tables) -> list:
    """The cells of the project's sheets as bare values: what bare openpyxl is given to write."""
    from reports.cells import clean_cell_text, local_naive

    def plain(value):
        if hasattr(value, "tzinfo") and hasattr(value, "hour"):
            return local_naive(value)
        return clean_cell_text(value) if isinstance(value, str) else value

    return [(t.name, [[plain(v) for v in row] for row in t.rows] + ([t.total] if t.total else [])) for t in tables]


def _write_bare(sheets, out: str) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(out)


def _export(event_id: int, out: str, rounds: int) -> dict:
    import django

    django.setup()
    from django.utils import translation

    from bridges.models import Role
    from events.models import Event
    from reports import data, export
    from reports.filters import resolve
    from reports.sheets import attendance_tables, cover
    from reports.workbook import write_workbook

    base_mb = _peak_mb()
    event = Event.objects.select_related("host").get(pk=event_id)
    filters = resolve(event, None, role=Role(kind=Role.Kind.ORGANIZER))
    with translation.override("vi"):
        report = data.build(event, filters)
        block = export.title_block(event, filters, report.generated_at)
        sheets = _bare_sheets([cover(report).table, *attendance_tables(report)])
    cells = sum(len(r) for _n, rows in sheets for r in rows)
    runs: dict[str, list[tuple[float, float]]] = {"export": [], "write": [], "bare": []}
    peak = 0.0

    def full():
        with open(out, "wb") as target:
            export.write(event, filters, target)

    def styled():
        with translation.override("vi"):
            write_workbook(out + ".again.xlsx", attendance_tables(report), block, cover=cover(report))

    for n in range(rounds):
        runs["export"].append(_timed(full))
        if n == 0:
            peak = _peak_mb()
        runs["write"].append(_timed(styled))
        runs["bare"].append(_timed(lambda: _write_bare(sheets, out + ".bare.xlsx")))
    t0 = time.perf_counter()
    with open(out + ".csv", "wb") as target:
        export.write(event, filters, target, fmt="csv", sheet="teachers")
    csv_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    data.build(event, filters)
    build_s = time.perf_counter() - t0
    medians = {f"{key}_{kind}": statistics.median(r[i] for r in values)
               for key, values in runs.items() for i, kind in enumerate(("s", "cpu_s"))}
    return {**medians, "runs": {k: [[round(w, 2), round(c, 2)] for w, c in v] for k, v in runs.items()},
            "load": os.getloadavg()[0], "build_s": build_s, "csv_s": csv_s, "cells": cells, "peak_mb": peak,
            "base_mb": base_mb, "size_mb": os.path.getsize(out) / 1e6, "bare_mb": os.path.getsize(out + ".bare.xlsx") / 1e6,
            "bridges": len(report.bridges), "people": len(report.people), "roll_calls": len(report.roll_calls)}


def _child(env: dict, *args) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.bench_reports", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(quick: bool) -> dict:
    schools = QUICK_SCHOOLS if quick else None  # None: seed_demo's own default, the full province
    rounds = QUICK_ROUNDS if quick else ROUNDS
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SQLITE_PATH": str(Path(tmp) / "b.sqlite3"),
               "MEDIA_ROOT": str(Path(tmp) / "media"), "JOBS_MODE": "inline", "LOG_LEVEL": "ERROR"}
        for name in ("DATABASE_URL", "REDIS_URL"):
            env.pop(name, None)
        prepared = _child(env, "--prepare", schools or 0)
        e = _child(env, "--export", prepared["event_id"], Path(tmp) / "report.xlsx", rounds)
    ratio = e["write_cpu_s"] / e["bare_cpu_s"] if e["bare_cpu_s"] else 0
    whole_ratio = e["export_cpu_s"] / e["bare_cpu_s"] if e["bare_cpu_s"] else 0
    figures = [
        {"name": f"workbook of the demo's finished training, {e['bridges']} bridges × {e['people']:,} teachers × "
                 f"{e['roll_calls']} roll calls (numbers + cover + 3 sheets): wall, median of {rounds}",
         "value": round(e["export_s"], 2), "unit": "s",
         "target": f"< {TARGET_S:.0f} s" if not quick else "(quick run)",
         "ok": e["export_s"] < TARGET_S if not quick else None},
        {"name": "  the same, CPU time", "value": round(e["export_cpu_s"], 2), "unit": "s", "target": ""},
        {"name": "peak memory of the exporting process (RSS) after the first export", "value": round(e["peak_mb"]),
         "unit": "MB", "target": f"< {TARGET_MB:.0f} MB", "ok": e["peak_mb"] < TARGET_MB},
        {"name": "  of which: numbers from the database (data.build, also the reports page)",
         "value": round(e["build_s"], 2), "unit": "s", "target": ""},
        {"name": "the styled workbook from the numbers computed: wall / CPU",
         "value": f"{e['write_s']:.2f} / {e['write_cpu_s']:.2f}", "unit": "s", "target": ""},
        {"name": f"same {e['cells']:,} cells with bare openpyxl (write-only, no styles): wall / CPU",
         "value": f"{e['bare_s']:.2f} / {e['bare_cpu_s']:.2f}", "unit": "s", "target": "comparison"},
        {"name": "styled workbook / bare openpyxl (CPU, medians of the same run)", "value": round(ratio, 2),
         "unit": "×", "target": f"≤ {TARGET_RATIO}", "ok": ratio <= TARGET_RATIO},
        {"name": "  whole export (numbers included) / bare openpyxl (CPU)", "value": round(whole_ratio, 2),
         "unit": "×", "target": ""},
        {"name": "teachers' sheet as CSV (UTF-8 with BOM), numbers included", "value": round(e["csv_s"], 2),
         "unit": "s", "target": ""},
        {"name": "workbook size (bare: same cells)", "value": f"{e['size_mb']:.1f} ({e['bare_mb']:.1f})", "unit": "MB",
         "target": ""},
    ]
    return {
        "title": "Attendance workbook (reports)",
        "command": ".venv/bin/python -m bench.bench_reports" + (" --quick" if quick else "")
        + " (reports.export.write, the code behind manage.py export_attendance and the export job)",
        "figures": figures,
        "notes": (
            "A fresh SQLite database in a child process, seeded by demo.steps.seed_demo, the function behind "
            f"`manage.py seed_demo` ({'60 schools' if quick else 'the full province'}: {prepared['people']:,} "
            f"teachers; prepared in {prepared['prepare_s']:.0f} s, not counted); the workbook is the demo's finished "
            "training's (demo.training). In one process, alternating round by round: the whole export, the styled "
            "workbook again from the numbers already computed, and bare openpyxl (write-only, no styles, number "
            "formats, merged title block, chart, page setup or formula guard) writing the same cells, given to it "
            f"as plain values prepared before the clock. Rounds (wall, CPU s): {json.dumps(e['runs'])}. A table's "
            "rows are cells prepared once per column and style (reports.xlsx.PreparedCell: a style's id looked up "
            "once, not per cell), written by reports.xlsx.stream_rows as the XML openpyxl's writer makes, without "
            "an element tree per cell; bare openpyxl pays that tree for every cell. No lxml installed (openpyxl "
            "uses et_xmlfile; with lxml the rows go through openpyxl's writer). The machine is shared: "
            f"load average {e['load']:.1f} when the export ran, so wall time may exceed CPU time."
        ),
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--prepare"]:
        print(json.dumps(_prepare(int(argv[1]) or None)))
        return
    if argv[:1] == ["--export"]:
        print(json.dumps(_export(int(argv[1]), argv[2], int(argv[3]))))
        return
    result = run(quick="--quick" in argv)
    print(result["title"])
    for figure in result["figures"]:
        print(f"  {figure['name']}: {figure['value']} {figure['unit']}  {figure['target']}")
    print(f"  ({result['command']})")
    print(result["notes"])


if __name__ == "__main__":
    main(sys.argv[1:])
