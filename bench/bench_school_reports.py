"""School reports at province size: 600 schools × 60 numbers, every school answered, on a real server.

bench.server starts uvicorn on a free loopback port with its own temporary SQLite database (the working
copy's is never touched). A child process seeds the demo province (bridges, tiny rosters), a form of 60
numbers (the device-needs grid 4 × 4 with its total, a 4 × 8 grid of devices by level, 11 whole numbers),
a round asking every school, every school's answer sent through schoolreports.services.submit (checked
and audited as a console's), an organizer and a district officer. Then, over HTTP, logged in through the
login page:

- the rollup page GET /school-reports/rounds/<id>/ as the organizer (every district) and as the district
  officer (their district), the median of N requests each (target < 300 ms);
- the annex workbook GET /school-reports/rounds/<id>/export.xlsx as the organizer (target < 3 s), and
  `manage.py export_school_report` as a process (Django's start included);

and a last child process, for the floor: the rollup and the annex workbook in-process, then the very same
cells written with bare openpyxl (write-only, no styles) in the same run.

    .venv/bin/python -m bench.bench_school_reports [--quick]   (or: python -m bench.run --only school_reports)
"""

import io
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_TARGET_MS = 300.0
EXPORT_TARGET_S = 3.0
FULL_SCHOOLS, QUICK_SCHOOLS = 600, 60
FULL_REQUESTS, QUICK_REQUESTS = 21, 5
ORGANIZER = ("bench-organizer", "bench-Organizer-2030")  # throw-away accounts in a throw-away database
OFFICER = ("bench-district", "bench-District-2030")
KINDS = ("may_tinh_bang", "laptop", "dien_thoai", "may_ban", "webcam", "tai_nghe", "modem", "khac")


def _definition() -> dict:
    """The device-needs template plus a second grid and whole numbers: 60 numbers a school types."""
    from schoolreports import catalogue
    from schoolreports import definition as d

    _title, base = catalogue.template("device_needs")
    extra = {"key": "thiet_bi_hien_co", "title": "Thiết bị hiện có", "help": "", "fields": [
        {"key": "thiet_bi_theo_cap", "type": d.GRID, "label": "Thiết bị hiện có theo cấp học", "min": 0,
         "max": 5000, "rows": catalogue.levels(), "columns": [{"key": k, "label": k} for k in KINDS]},
        *({"key": f"so_lieu_{n}", "type": d.INTEGER, "label": f"Số liệu {n}", "min": 0} for n in range(1, 12)),
    ]}
    return d.clean_definition({"sections": [*base["sections"], extra]})


def _values(definition: dict, rng) -> dict:
    from schoolreports import definition as d

    values = {key: rng.randint(0, 40) for key in d.number_keys(definition) if key != "tong_so_hs"}
    values["tong_so_hs"] = sum(v for k, v in values.items() if k.startswith("so_hs_khong_thiet_bi__"))
    return values


# --- child processes on the server's database ------------------------------------------------

def _prepare(schools: int) -> dict:
    import django

    django.setup()
    import random
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bridges.models import Bridge, Role, Tier
    from demo.seeding import seed_bridges
    from schoolreports import definition as d
    from schoolreports import services

    t0 = time.perf_counter()
    seed_bridges(schools=schools, teachers_per_school=2)
    definition = _definition()
    form = services.create_form(title="Rà soát thiết bị học trực tuyến (bench)", definition=definition)
    round_ = services.publish_round(form, title="Rà soát thiết bị học trực tuyến – đợt 1",
                                    deadline=timezone.now() + timedelta(days=7))
    rng = random.Random("bench-school-reports")
    asked = list(services.expected_bridges(round_).order_by("path"))
    for bridge in asked:
        services.submit(round_, bridge, _values(definition, rng), typed_by="Cô Lan")
    users = get_user_model().objects
    Role.objects.create(user=users.create_user(ORGANIZER[0], password=ORGANIZER[1]), kind=Role.Kind.ORGANIZER)
    district = Bridge.objects.filter(tier__role=Tier.Role.INTERMEDIATE).order_by("path").first()
    Role.objects.create(user=users.create_user(OFFICER[0], password=OFFICER[1]), kind=Role.Kind.DISTRICT_OFFICER,
                        scope=district)
    in_district = sum(1 for b in asked if b.path.startswith(district.path))
    return {"round_id": round_.pk, "schools": len(asked), "numbers": len(d.number_keys(definition)),
            "district": district.name, "district_schools": in_district, "prepare_s": time.perf_counter() - t0}


def _floor(round_id: int, out: str) -> dict:
    import django

    django.setup()
    from openpyxl import Workbook

    from reports.cells import local_naive
    from reports.school_report_export import workbook_bytes
    from schoolreports.models import ReportRound
    from schoolreports.rollup import rollup

    round_ = ReportRound.objects.select_related("version", "form").get(pk=round_id)
    workbook_bytes(rollup(round_, None))  # warm: translations, the first queries, openpyxl's imports
    t0 = time.perf_counter()
    state = rollup(round_, None)
    rollup_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    data = workbook_bytes(state)
    workbook_s = time.perf_counter() - t0
    # The same cells with bare openpyxl: the district rows and their total, then every school row.
    summary = [[n, t.name, t.expected, t.submitted, t.late, t.missing, *t.plain_numbers()]
               for n, t in enumerate([*state.districts, state.total], start=1)]
    details = [[n, s.bridge.name, s.bridge.code, s.district_name, local_naive(s.answer.updated_at), "", *s.numbers]
               for n, s in enumerate(state.schools, start=1)]
    cells = sum(len(r) for r in summary) + sum(len(r) for r in details)
    t0 = time.perf_counter()
    book = Workbook(write_only=True)
    for name, rows in (("Tổng hợp", summary), ("Chi tiết", details)):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(out)
    bare_s = time.perf_counter() - t0
    return {"rollup_s": rollup_s, "workbook_s": workbook_s, "bare_s": bare_s, "cells": cells,
            "columns": len(state.columns), "size_kb": len(data) / 1024}


def _child(server, *args: str) -> dict:
    env = {**server.env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    proc = subprocess.run([sys.executable, "-m", "bench.bench_school_reports", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- over HTTP -------------------------------------------------------------------------------

def _login(client, username: str, password: str) -> None:
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = client.post("/accounts/login/", data={"username": username, "password": password,
                                                   "csrfmiddlewaretoken": token})
    if answer.status_code != 302:
        raise RuntimeError(f"login failed: HTTP {answer.status_code}")


def _timed_gets(client, path: str, times: int) -> tuple[list[float], bytes]:
    client.get(path).raise_for_status()  # warm: the templates, the first queries
    seconds, body = [], b""
    for _ in range(times):
        started = time.perf_counter()
        answer = client.get(path)
        seconds.append(time.perf_counter() - started)
        answer.raise_for_status()
        body = answer.content
    return seconds, body


def run(quick: bool) -> dict:
    import httpx
    from openpyxl import load_workbook

    from bench.server import Server

    schools = QUICK_SCHOOLS if quick else FULL_SCHOOLS
    requests = QUICK_REQUESTS if quick else FULL_REQUESTS
    with Server(jobs_mode="inline") as server:
        data = _child(server, "--prepare", str(schools))
        page = f"/school-reports/rounds/{data['round_id']}/"
        with httpx.Client(base_url=server.url, timeout=120) as organizer, \
                httpx.Client(base_url=server.url, timeout=120) as officer:
            _login(organizer, *ORGANIZER)
            _login(officer, *OFFICER)
            province_s, province_html = _timed_gets(organizer, page, requests)
            district_s, district_html = _timed_gets(officer, page, requests)
            export_s, xlsx = _timed_gets(organizer, page + "export.xlsx", max(3, requests // 4))
        out = server.folder / "export.xlsx"
        command_s, command_mb, _output = server.timed("export_school_report", str(data["round_id"]), "--out",
                                                      str(out))
        floor = _child(server, "--floor", str(data["round_id"]), str(server.folder / "bare.xlsx"))
        peak_mb = server.peak_rss_mb
    # What was measured is what it should be: every school in the workbook, the officer's page is smaller.
    details = load_workbook(io.BytesIO(xlsx), read_only=True).worksheets[1]
    rows = sum(1 for row in details.iter_rows(values_only=True) if row and isinstance(row[0], int))
    if rows != data["schools"] or len(district_html) >= len(province_html):
        raise RuntimeError(f"unexpected export ({rows} school rows for {data['schools']}) or district page")

    province_ms = statistics.median(province_s) * 1000
    district_ms = statistics.median(district_s) * 1000
    export_median = statistics.median(export_s)
    size = f"{data['schools']} schools × {data['numbers']} numbers"
    figures = [
        {"name": f"rollup page as the organizer, {size} (median of {requests})", "value": round(province_ms, 1),
         "unit": "ms", "target": f"< {PAGE_TARGET_MS:.0f} ms" if not quick else "(quick run)",
         "ok": province_ms < PAGE_TARGET_MS if not quick else None},
        {"name": f"rollup page as a district officer, {data['district_schools']} schools (median of {requests})",
         "value": round(district_ms, 1), "unit": "ms",
         "target": f"< {PAGE_TARGET_MS:.0f} ms" if not quick else "(quick run)",
         "ok": district_ms < PAGE_TARGET_MS if not quick else None},
        {"name": f"annex workbook over HTTP, {size} (median of {len(export_s)})", "value": round(export_median, 2),
         "unit": "s", "target": f"< {EXPORT_TARGET_S:.0f} s" if not quick else "(quick run)",
         "ok": export_median < EXPORT_TARGET_S if not quick else None},
        {"name": "manage.py export_school_report, whole process (Django's start included)",
         "value": round(command_s, 2), "unit": "s", "target": "", "ok": None},
        {"name": "  its peak memory (RSS)", "value": command_mb, "unit": "MB", "target": "", "ok": None},
        {"name": f"  in-process: the rollup ({floor['columns']} columns)", "value": round(floor["rollup_s"], 3),
         "unit": "s", "target": "", "ok": None},
        {"name": "  in-process: the styled annex workbook from the rollup", "value": round(floor["workbook_s"], 2),
         "unit": "s", "target": "", "ok": None},
        {"name": f"same {floor['cells']:,} cells with bare openpyxl (write-only, no styles)",
         "value": round(floor["bare_s"], 2), "unit": "s", "target": "comparison", "ok": None},
        {"name": "styled workbook / bare openpyxl",
         "value": round(floor["workbook_s"] / floor["bare_s"], 2) if floor["bare_s"] else 0, "unit": "×",
         "target": "", "ok": None},
        {"name": "workbook size", "value": round(floor["size_kb"]), "unit": "KB", "target": "", "ok": None},
        {"name": "server peak RSS", "value": peak_mb, "unit": "MB", "target": "", "ok": None},
    ]
    return {
        "title": "School reports: rollup page and annex workbook",
        "command": ".venv/bin/python -m bench.bench_school_reports" + (" --quick" if quick else "")
        + f" (a real uvicorn server, bench.server, SQLite: GET {page.replace(str(data['round_id']), '<id>')} "
          "and .../export.xlsx, logged in)",
        "figures": figures,
        "notes": (
            f"The demo province ({schools} schools and their districts), one round of a {data['numbers']}-number form "
            f"(the device-needs grid 4 × 4 with its total, a 4 × 8 grid, 11 whole numbers) asking every school, "
            f"every school's answer sent through the real submit (checked, audited; prepared in "
            f"{data['prepare_s']:.0f} s, not counted). The district officer covers {data['district']} "
            f"({data['district_schools']} schools). Each page time is the client's, from the request to the last "
            "byte, one request at a time after one warm-up request; the workbook holds both sheets (summary with "
            "its chart, one row per school) and prints on A4. The floor writes the same values with bare openpyxl "
            "in a separate process on the same database, in the same run."
        ),
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--prepare"]:
        print(json.dumps(_prepare(int(argv[1]))))
        return
    if argv[:1] == ["--floor"]:
        print(json.dumps(_floor(int(argv[1]), argv[2])))
        return
    result = run(quick="--quick" in argv)
    print(result["title"])
    for figure in result["figures"]:
        print(f"  {figure['name']}: {figure['value']} {figure['unit']}  {figure['target']}")
    print(result["notes"])


if __name__ == "__main__":
    main(sys.argv[1:])
