"""CPU per board frame tick as boards are added, in process (issue 13: board fan-out whose cost does not
grow with boards). N organizer boards connect to config.asgi's application (channels' communicators, the
in-memory channel layer); each tick a school checks in (attendance.services.bridge_checkin, which tells
the boards), the event's Coalescer builds one frame per scope and every board receives it. Prints
process CPU (every thread) per tick for 1, 20 and 100 boards, and per board beyond the first.

    .venv/bin/python -m bench.board_fanout_cpu [--ticks 12]

SQLite on a fresh file (the board's reads are the same queries whatever the number of boards).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

BOARDS = (1, 20, 100)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ticks", type=int, default=12)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("JOBS_MODE", "inline")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SQLITE_PATH"] = str(Path(tmp) / "db.sqlite3")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        cookie, event_id, schools = seed((len(BOARDS) + 1) * args.ticks + 5)
        asyncio.run(measure(cookie, event_id, schools[-args.ticks:], 1))  # warm-up: imports, first reads
        spent = {}
        for number, boards in enumerate(BOARDS):
            mine = schools[number * args.ticks:(number + 1) * args.ticks]
            spent[boards] = asyncio.run(measure(cookie, event_id, mine, boards))
        print(f"CPU ms per frame tick ({args.ticks} ticks, one school checking in each)")
        for boards, ms in spent.items():
            extra = (ms - spent[1]) / (boards - 1) if boards > 1 else 0.0
            print(f"  {boards:4d} boards: {ms:.2f} ms a tick" + (f", {1000 * extra:.0f} µs per extra board" if extra else ""))


def seed(schools: int):
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from bridges.models import Bridge, Role, Tier
    from events.models import Event, Invitation, Session

    tiers = {role: Tier.objects.filter(role=role).order_by("order").first() for role in Tier.Role.values}
    host = Bridge.objects.create(code="H", name="Sở", tier=tiers[Tier.Role.HOST])
    made = [Bridge.objects.create(code=f"S{k:03d}", name=f"Trường {k}", tier=tiers[Tier.Role.SCHOOL], parent=host)
            for k in range(schools)]
    now = timezone.now()
    event = Event.objects.create(title="Bench", host=host, status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=6))
    Session.objects.create(event=event, title="S", starts_at=event.starts_at, ends_at=event.ends_at)
    Invitation.objects.bulk_create([Invitation(event=event, bridge=b, status=Invitation.Status.CONFIRMED)
                                    for b in made])
    user = get_user_model().objects.create_user("bench-board")  # force_login below: no password
    Role.objects.create(user=user, kind=Role.Kind.ORGANIZER)
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode(), event.pk, made


async def measure(cookie: bytes, event_id: int, schools, boards: int) -> float:
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from attendance.services import bridge_checkin
    from config.asgi import application
    from events.models import Event

    event = await database_sync_to_async(Event.objects.get)(pk=event_id)
    sockets = []
    for _ in range(boards):
        socket = WebsocketCommunicator(application, f"/ws/board/{event_id}/",
                                       headers=[(b"origin", b"http://testserver"), (b"cookie", cookie)])
        connected, _ = await socket.connect()
        assert connected
        await socket.receive_from(timeout=10)  # hello
        sockets.append(socket)
    await asyncio.sleep(0.5)
    for socket in sockets:  # a first frame may follow the hello
        while not await socket.receive_nothing(timeout=0.05):
            await socket.receive_from()
    started = time.process_time()
    for school in schools:
        await database_sync_to_async(bridge_checkin.check_in)(school, event)
        for socket in sockets:
            text = await socket.receive_from(timeout=10)
            assert f'"id":{school.pk},' in text, text[:200]
    spent = time.process_time() - started
    for socket in sockets:
        await socket.disconnect()
    return 1000 * spent / len(schools)


if __name__ == "__main__":
    main()
