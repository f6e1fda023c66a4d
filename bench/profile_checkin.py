"""Where a teacher check-in's server CPU goes: the server runs in this process under yappi (CPU clock,
every thread: the event loop and the check-in pool) while wrk sends check-ins from the other core.

    .venv/bin/python -m bench.profile_checkin [--teachers-per-school 20] [--sqlite]

Prints the functions with the most CPU (cumulative and own), per accepted check-in. Same set-up as
bench_floor's check-in rounds (a seeded province, a roll call, prepared distinct teachers). py-spy cannot
read this machine's Python processes (it fails to find the interpreter version), hence yappi.
"""

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_floor import CHECKIN_LUA, _child_floor
from bench.bench_live import PostgresDatabase, _child, open_roll_call, services_reason
from bench.server import HOST, Server, free_port
from bench.wrk_load import CLIENT_CORE, SERVER_CORE, wrk


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teachers-per-school", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    use_pg = not args.sqlite and services_reason() is None
    env = {"DJANGO_SETTINGS_MODULE": "bench.live_settings"}
    with tempfile.TemporaryDirectory() as tmp, (PostgresDatabase() if use_pg else _Null()) as pg:
        tmp = Path(tmp)
        # A server only to seed and open the roll call the way bench_floor does; then this process serves.
        with Server(workers=1, database_url=pg.url if pg else None, env=env, jobs_mode="inline") as seeder:
            _child(seeder, "prepare", str(tmp / "prep.json"), str(args.teachers_per_school))
            prep = json.loads((tmp / "prep.json").read_text())
            client = seeder.client("bench-organizer", "bench-Organizer-2030")
            roll_call = open_roll_call(client, prep["event_id"], prep["session_id"], "Profile", 120)
            lines = tmp / "checkins.txt"
            _child_floor(seeder, "tokens", str(lines), str(roll_call), "0", str(len(prep["teachers"])))
            sqlite = Path(seeder.folder) / "db.sqlite3"
            keep = tmp / "db.sqlite3"
            if not pg:
                import shutil

                shutil.copy(sqlite, keep)
            server_env = seeder.env
        os.environ.update({k: v for k, v in server_env.items() if k in (
            "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "JOBS_MODE")})
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.live_settings"
        if not pg:
            os.environ["SQLITE_PATH"] = str(keep)
        serve_and_profile(lines, args.top, len(prep["teachers"]), roll_call, tmp)


def serve_and_profile(lines: Path, top: int, sent: int, roll_call: int, tmp: Path) -> None:
    import uvicorn
    import yappi

    os.sched_setaffinity(0, {SERVER_CORE})
    from config.asgi import application

    port = free_port()
    config = uvicorn.Config(application, host=HOST, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    yappi.set_clock_type("cpu")
    yappi.start(builtins=False, profile_threads=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    (tmp / "checkin.lua").write_text(CHECKIN_LUA)
    started = time.process_time()
    result = wrk(f"http://{HOST}:{port}/", seconds=120, connections=32, script=tmp / "checkin.lua", args=(str(lines),))
    cpu = time.process_time() - started
    yappi.stop()
    server.should_exit = True
    thread.join(timeout=10)
    stats = yappi.get_func_stats()
    from django.db import connection

    from attendance.models import CheckIn

    accepted = CheckIn.objects.filter(roll_call_id=roll_call).count()
    connection.close()
    print(f"{result['requests']} requests, {accepted} accepted, process CPU {cpu:.2f} s "
          f"= {1000 * cpu / max(accepted, 1):.2f} ms per accepted check-in (profiler overhead included; "
          f"wrk on core {CLIENT_CORE})")
    total = sum(s.tsub for s in stats)
    print(f"profiled CPU {total:.2f} s; cumulative (ms per check-in):")
    for s in sorted(stats, key=lambda s: s.ttot, reverse=True)[:top]:
        print(f"  {1000 * s.ttot / max(accepted, 1):7.3f}  {s.ncall:8d}  {s.module.split('site-packages/')[-1]}:{s.lineno} {s.name}")
    print("own (ms per check-in):")
    for s in sorted(stats, key=lambda s: s.tsub, reverse=True)[:top]:
        print(f"  {1000 * s.tsub / max(accepted, 1):7.3f}  {s.ncall:8d}  {s.module.split('site-packages/')[-1]}:{s.lineno} {s.name}")


if __name__ == "__main__":
    main()
