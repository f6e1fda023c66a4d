"""CPU per teacher of a batch of check-ins, in process: teacher_checkin.check_in_many as the fast path's
writer thread calls it, at batch sizes 8, 16 and 64, on a fresh database (PostgreSQL when it answers,
else SQLite; --sqlite forces it). No server, no load generator: what the batch write costs alone.

    .venv/bin/python -m bench.checkin_batch_cpu [--sqlite] [--rounds 3] [--teachers 4000]

Prints, per batch size, the median over rounds of process CPU (time.process_time) per accepted
check-in, for the whole call (admit + write + settle) and for the write (write_scans) alone, each batch
handed to core.async_batch's writer thread from an event loop, as attendance/fast_path.py does. Each
check-in is a distinct teacher with a fresh nonce and page token, as bench_floor sends them. The
figures move with the machine's load: compare runs made together.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

SIZES = (8, 16, 64)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--teachers", type=int, default=4000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("JOBS_MODE", "inline")
    from bench.bench_live import PostgresDatabase, services_reason

    with tempfile.TemporaryDirectory() as tmp:
        if not args.sqlite and services_reason() is None:
            with PostgresDatabase() as pg:
                os.environ["DATABASE_URL"] = pg.url
                run(args)
                from django.db import connections

                connections.close_all()
        else:
            os.environ.pop("DATABASE_URL", None)
            os.environ["SQLITE_PATH"] = str(Path(tmp) / "db.sqlite3")
            run(args)


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    people = seed(args.teachers)
    from django.db import connection

    print(f"{connection.vendor}, {len(people)} teachers; CPU ms per accepted check-in (median of {args.rounds} rounds)")
    offset = 0
    for size in SIZES:
        whole, write = [], []
        for _round in range(args.rounds):
            chunk = people[offset:offset + size * 8]
            offset += len(chunk)
            if len(chunk) < size * 8:
                raise SystemExit("not enough teachers: raise --teachers")
            whole_ms, write_ms = time_batches(chunk, size)
            whole.append(whole_ms)
            write.append(write_ms)
        print(f"  batch {size:3d}: check_in_many {statistics.median(whole):.3f} ms, "
              f"write_scans alone {statistics.median(write):.3f} ms")


def seed(teachers: int) -> list[tuple[int, str]]:
    from datetime import timedelta

    from django.utils import timezone

    from attendance.services import rollcall
    from bridges.models import Bridge, Person, Tier
    from events.models import Event, Invitation, Session

    tiers = {role: Tier.objects.filter(role=role).order_by("order").first() for role in Tier.Role.values}
    host = Bridge.objects.create(code="H", name="Sở", tier=tiers[Tier.Role.HOST])
    district = Bridge.objects.create(code="D", name="Huyện", tier=tiers[Tier.Role.INTERMEDIATE], parent=host)
    schools = [Bridge.objects.create(code=f"S{k:03d}", name=f"Trường {k}", tier=tiers[Tier.Role.SCHOOL],
                                     parent=district, expected_participants=20) for k in range(teachers // 20)]
    Person.objects.bulk_create([Person(bridge=school, full_name=f"Giáo viên {school.code}-{n}",
                                       teacher_id=f"7{school.pk:04d}{n:03d}")
                                for school in schools for n in range(20)])
    now = timezone.now()
    event = Event.objects.create(title="Bench", host=host, status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=6))
    session = Session.objects.create(event=event, title="S", starts_at=event.starts_at, ends_at=event.ends_at)
    Invitation.objects.bulk_create([Invitation(event=event, bridge=b, status=Invitation.Status.CONFIRMED)
                                    for b in schools])
    global ROLL_CALL
    ROLL_CALL = rollcall.open_roll_call(session, label="Bench", minutes=120)
    from training import tallies

    tallies.rebuild(event)  # the reports' read model exists during an event: check-ins mark its rows
    return list(Person.objects.order_by("pk").values_list("bridge_id", "teacher_id"))


ROLL_CALL = None
CLIENTS = iter(range(1, 10**6))


def requests_for(chunk) -> list[dict]:
    from attendance.services import qr

    codes = {}
    out = []
    for bridge_id, teacher_id in chunk:
        if bridge_id not in codes:
            code = qr.current_token(ROLL_CALL, bridge_id)
            codes[bridge_id] = (code, qr.authenticate(code))
        code, scanned = codes[bridge_id]
        out.append({"code_token": code, "ip": _address(next(CLIENTS)), "user_agent": "bench", "language": "vi",
                    "page_token": qr.make_page_token(scanned), "identifier": teacher_id, "person_id": None,
                    "birth_year": "", "second_factor": "", "nonce": str(uuid.uuid4())})
    return out


def _address(n: int) -> str:
    return f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250}"


def time_batches(chunk, size: int) -> tuple[float, float]:
    """(ms per teacher for check_in_many, ms per teacher for write_scans) over half the chunk each, each
    batch written by core.async_batch's writer thread as the fast path does (process CPU: every thread)."""
    import asyncio

    from django.db import close_old_connections

    from attendance.services import teacher_checkin as scans
    from core.async_batch import AsyncBatcher

    half = len(chunk) // 2
    first, second = requests_for(chunk[:half]), requests_for(chunk[half:])
    admitted = [scans.admit(**{k: v for k, v in r.items() if k != "language"}) for r in second]

    def timed(write, items) -> float:
        batcher = AsyncBatcher(write, max_batch=size)

        async def run():
            for k in range(0, len(items), size):
                answers = await asyncio.gather(*(batcher.submit(item) for item in items[k:k + size]))
                assert all(getattr(a, "status", None) == 201 for a in answers), answers
            assert batcher.batches == len(items) // size

        started = time.process_time()
        asyncio.run(run())
        spent = time.process_time() - started
        batcher.writer.submit(close_old_connections).result()
        batcher.writer.shutdown()
        return 1000 * spent / len(items)

    return timed(scans.check_in_many, first), timed(scans.write_scans, admitted)


if __name__ == "__main__":
    main()
