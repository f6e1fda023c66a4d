"""Import of a province: 600 bridges and 18,000 people from office-shaped .xlsx files.

(a) the management commands, each a fresh process on a fresh SQLite database (what an operator runs);
(b) the web page against the real uvicorn server on loopback: log in, upload, poll the preview job,
    confirm, poll the apply job (a preview reads and checks the file, the apply reads it again and
    writes it in one transaction).
Quick mode: the same 600 bridges, 3,000 people, one repeat, and no targets (they are for full size).
"""

import statistics
import tempfile
import time
from pathlib import Path

from . import workbooks
from .server import Server, Workspace

TARGET_SECONDS = 15.0
SCHOOLS = 586  # + 13 district halls + the host = 600 bridges
TIERS_SCRIPT = """
from bridges.models import Tier
for code, label, role, order in (("host", "Điểm cầu chính", "host", 0), ("district", "Huyện", "intermediate", 1),
                                 ("school", "Trường", "school", 2)):
    Tier.objects.get_or_create(code=code, defaults={"label": label, "role": role, "order": order})
"""
COUNT_SCRIPT = "from bridges.models import Bridge, Person; print(Bridge.objects.count(), Person.objects.count())"


def _counts(ws) -> tuple[int, ...]:
    last = ws.manage("shell", "--no-imports", "-c", COUNT_SCRIPT).stdout.strip().splitlines()[-1]
    return tuple(int(n) for n in last.split())


def commands_once(bridges_file: Path, people_file: Path, expected: tuple[int, int]) -> dict:
    with Workspace() as ws:
        ws.manage("shell", "--no-imports", "-c", TIERS_SCRIPT)
        bridges_s, bridges_rss, _ = ws.timed("import_bridges", str(bridges_file))
        people_s, people_rss, _ = ws.timed("import_people", str(people_file))
        counts = _counts(ws)
        if counts != expected:
            raise RuntimeError(f"expected {expected} bridges/people after the commands, found {counts}")
        again_b, _, out_b = ws.timed("import_bridges", str(bridges_file))
        again_p, _, out_p = ws.timed("import_people", str(people_file))
        if _counts(ws) != expected:
            raise RuntimeError("re-importing the same files changed the counts")
    return {"bridges": bridges_s, "people": people_s, "total": bridges_s + people_s, "again": again_b + again_p,
            "rss": max(bridges_rss, people_rss)}


def _wait(client, job_id: int, limit: float = 600.0) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").raise_for_status().json()
        if job["status"] == "done":
            return job
        if job["status"] == "failed":
            raise RuntimeError(f"job {job_id} failed: {job['message']}")
        time.sleep(0.1)
    raise RuntimeError(f"job {job_id} did not finish in {limit}s")


def _job_id(location: str) -> int:
    return int(location.rstrip("/").rsplit("/", 1)[1])


def web_import(client, path: Path, kind: str, expected: int) -> tuple[float, float]:
    """Upload -> preview done -> confirm -> written. Returns (preview seconds, apply seconds)."""
    started = time.perf_counter()
    with path.open("rb") as fh:
        resp = client.post("/bridges/import/", data={"kind": kind, "csrfmiddlewaretoken": client.csrf},
                           files={"file": (path.name, fh, workbooks.XLSX_TYPE)})
    if resp.status_code != 302:
        raise RuntimeError(f"upload answered {resp.status_code}")
    preview = _wait(client, _job_id(resp.headers["location"]))
    if preview["result"]["counts"]["create"] != expected:
        raise RuntimeError(f"preview plans {preview['result']['counts']}, expected {expected} creates")
    previewed = time.perf_counter()
    resp = client.post(f"/bridges/import/{preview['id']}/confirm/", data={"csrfmiddlewaretoken": client.csrf})
    if resp.status_code != 302:
        raise RuntimeError(f"confirm answered {resp.status_code}")
    applied = _wait(client, _job_id(resp.headers["location"]))
    if applied["result"]["counts"]["create"] != expected:
        raise RuntimeError(f"apply wrote {applied['result']['counts']}, expected {expected} creates")
    return previewed - started, time.perf_counter() - previewed


def web_once(bridges_file: Path, people_file: Path, expected: tuple[int, int]) -> dict:
    with Server() as server:
        server.manage("shell", "--no-imports", "-c", TIERS_SCRIPT)
        client = server.client(*server.create_organizer())
        try:
            b_preview, b_apply = web_import(client, bridges_file, "bridges", expected[0])
            p_preview, p_apply = web_import(client, people_file, "people", expected[1])
        finally:
            client.close()
        rss = server.peak_rss_mb
    return {"bridges": b_preview + b_apply, "people": p_preview + p_apply,
            "total": b_preview + b_apply + p_preview + p_apply, "people_preview": p_preview,
            "people_apply": p_apply, "rss": rss}


def _median(runs: list[dict], key: str) -> float:
    return round(statistics.median(run[key] for run in runs), 2)


def run(quick: bool = False) -> dict:
    people = 3_000 if quick else 18_000
    repeats = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="diemcau-bench-import-") as tmp:
        bridges_file, people_file = Path(tmp) / "danh-sach-diem-cau.xlsx", Path(tmp) / "danh-sach-giao-vien.xlsx"
        n_bridges = workbooks.write_bridges(bridges_file, SCHOOLS)
        n_people = workbooks.write_people(people_file, people, SCHOOLS)
        sizes = (bridges_file.stat().st_size, people_file.stat().st_size)
        expected = (n_bridges, n_people)
        commands = [commands_once(bridges_file, people_file, expected) for _ in range(repeats)]
        web = [web_once(bridges_file, people_file, expected) for _ in range(repeats)]

    def target(value: float):
        return (None, None) if quick else (f"< {TARGET_SECONDS:.0f} s", value < TARGET_SECONDS)

    both_cmd = _median(commands, "total")
    both_web = _median(web, "total")
    figures = [
        {"name": f"commands: import_bridges ({n_bridges:,} bridges)", "value": _median(commands, "bridges"), "unit": "s"},
        {"name": f"commands: import_people ({n_people:,} people)", "value": _median(commands, "people"), "unit": "s"},
        {"name": "commands: both", "value": both_cmd, "unit": "s",
         "target": target(both_cmd)[0], "ok": target(both_cmd)[1]},
        {"name": "commands: both again, same files (nothing written)", "value": _median(commands, "again"), "unit": "s"},
        {"name": "commands: peak RSS of one import process", "value": max(r["rss"] for r in commands), "unit": "MB"},
        {"name": "web: bridges, upload to written", "value": _median(web, "bridges"), "unit": "s"},
        {"name": "web: people, upload to preview shown", "value": _median(web, "people_preview"), "unit": "s"},
        {"name": "web: people, confirm to written", "value": _median(web, "people_apply"), "unit": "s"},
        {"name": "web: both, upload to written", "value": both_web, "unit": "s",
         "target": target(both_web)[0], "ok": target(both_web)[1]},
        {"name": "web: server peak RSS (one uvicorn worker)", "value": max(r["rss"] for r in web), "unit": "MB"},
    ]
    notes = (
        f"Files: {n_bridges:,} bridges ({sizes[0] / 1024:,.0f} KiB: title block, two-row merged header, 13 district "
        f"sections with subtotals, total and signature rows) and {n_people:,} people ({sizes[1] / 1024:,.0f} KiB: "
        "identifiers as numbers formatted 000000000000, phones as numbers, dates as dates and as dd/mm/yyyy text), "
        "written by bench/workbooks.py. "
        f"Medians of {repeats} run{'s' if repeats > 1 else ''}; each run starts from an empty SQLite database "
        "(WAL), so every row is a create. Command times are whole processes (Python and Django start-up "
        "included). The web path reads each file twice: once for the preview, once more inside the write "
        "transaction, so that what is written matches the database at confirmation time."
    )
    return {
        "title": "Import: 600 bridges and 18,000 people",
        "command": "`manage.py import_bridges FILE` then `manage.py import_people FILE` as separate processes; "
                   "then the same two files through the import page of a real uvicorn server.",
        "figures": figures,
        "notes": notes,
    }
