"""Instructions per teacher check-in for the whole server, counted by valgrind's callgrind (issue 13).

Thread CPU clocks on a shared host move by 20 % from one run to the next and between its cores, more than
most single changes to the check-in's path; an instruction count does not move (the same count within
about 1 % run after run, whatever else the machine does). So changes to the path are compared by this:

    .venv/bin/python -m bench.checkin_instructions [--check-ins 1500]

bench.server starts uvicorn (one process, PostgreSQL when it answers, else SQLite) under
`valgrind --tool=callgrind --instr-atstart=no`; a child seeds a province and a roll call as bench_floor
does, wrk sends 300 check-ins to warm up, then counting is switched on (callgrind_control), wrk sends
`--check-ins` more (distinct teachers, fresh nonces and page tokens, 32 connections), counting is
switched off and the total is divided by the check-ins accepted. The event loop and the writer thread
are both counted; the kernel's work (system calls) and the database's are not. Under valgrind the server
is some 50 times slower, so batches are full (about 32) whatever the batching rules: compare trees, not
this figure with bench_floor's.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import bench.server as bench_server
from bench.bench_floor import CHECKIN_LUA, _child_floor, _count
from bench.bench_live import PostgresDatabase, _child, open_roll_call, services_reason
from bench.wrk_load import wrk

WARM_UP = 300


class _Python:
    """sys for bench.server, whose server command starts with sys.executable: a wrapper that runs the ASGI
    server under callgrind and every other child (manage.py, the bench's own children) as it is."""

    def __init__(self, wrapper: str):
        self.executable = wrapper

    def __getattr__(self, name):
        return getattr(sys, name)


def _wrapper(folder: Path, output: Path) -> str:
    path = folder / "python"
    path.write_text(
        "#!/bin/sh\n"
        'case "$*" in *config.asgi:application*)\n'
        f'  exec valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file={output}.%p {sys.executable} "$@";;\n'
        "esac\n"
        f'exec {sys.executable} "$@"\n')
    path.chmod(0o755)
    return str(path)


def _counted(files: list[str]) -> int:
    total = 0
    for name in files:
        with open(name, errors="replace") as handle:
            for line in handle:
                if line.startswith(("summary:", "totals:")):
                    total = max(total, int(line.split()[1]))
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check-ins", type=int, default=1500)
    args = parser.parse_args()
    missing = [tool for tool in ("valgrind", "callgrind_control", "wrk") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"needs {', '.join(missing)}")
    use_pg = services_reason() is None
    env = {"DJANGO_SETTINGS_MODULE": "bench.live_settings"}
    with tempfile.TemporaryDirectory() as tmp, (PostgresDatabase() if use_pg else nullcontext()) as pg:
        tmp = Path(tmp)
        output = tmp / "callgrind.out"
        bench_server.sys = _Python(_wrapper(tmp, output))
        try:
            server = bench_server.Server(workers=1, database_url=pg.url if pg else None, env=env, jobs_mode="inline",
                                         startup_timeout=900)
            with server:
                _child(server, "prepare", str(tmp / "prep.json"), "20")
                prep = json.loads((tmp / "prep.json").read_text())
                client = server.client("bench-organizer", "bench-Organizer-2030", timeout=600)
                roll_call = open_roll_call(client, prep["event_id"], prep["session_id"], "Instructions", 120)
                script = tmp / "checkin.lua"
                script.write_text(CHECKIN_LUA)
                pid = str(server.process.pid)
                accepted = 0
                for step, count in enumerate((WARM_UP, args.check_ins)):
                    lines = tmp / f"checkins-{step}.txt"
                    _child_floor(server, "tokens", str(lines), str(roll_call), str(step * WARM_UP), str(count))
                    before = _count(server, tmp, roll_call)
                    if step:
                        subprocess.run(["callgrind_control", "-z", pid], capture_output=True, check=True)
                        subprocess.run(["callgrind_control", "-i", "on", pid], capture_output=True, check=True)
                    wrk(server.url + "/", seconds=900, connections=32, script=script, args=(str(lines),), timeout=1200)
                    if step:
                        subprocess.run(["callgrind_control", "-i", "off", pid], capture_output=True, check=True)
                        subprocess.run(["callgrind_control", "-d", pid], capture_output=True, check=True)
                        accepted = _count(server, tmp, roll_call) - before
                time.sleep(2)
                total = _counted(glob.glob(f"{output}.{pid}*"))
        finally:
            bench_server.sys = sys
    database = "PostgreSQL" if use_pg else "SQLite"
    print(f"{database}: {accepted} of {args.check_ins} check-ins accepted; {total:,} instructions counted; "
          f"{total // max(1, accepted):,} per check-in")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    main()
