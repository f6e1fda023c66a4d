"""CPU per console message, in process (issue 13): a school console's heartbeat and queued writes go over
its websocket (/ws/console/<token>/, attendance/console_consumer.py); the HTTP operations
(POST /api/console/{token}/tick ...) are the fallback a console uses while its socket is down. This times
both ways through config.asgi's application (channels' communicators, no server) on a fresh SQLite
database (PostgreSQL when it answers, unless --sqlite).

    .venv/bin/python -m bench.console_message_cpu [--sqlite] [--messages 300]

Prints process CPU (every thread) per message: heartbeats (acknowledged; one in HEARTBEAT_WRITE_SECONDS
writes the connection interval), roster ticks over the socket, roster ticks over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("JOBS_MODE", "inline")
    from bench.bench_live import PostgresDatabase, services_reason

    with tempfile.TemporaryDirectory() as tmp:
        if not args.sqlite and services_reason() is None:
            with PostgresDatabase() as pg:
                os.environ["DATABASE_URL"] = pg.url
                run(args.messages)
                from django.db import connections

                connections.close_all()
        else:
            os.environ.pop("DATABASE_URL", None)
            os.environ["SQLITE_PATH"] = str(Path(tmp) / "db.sqlite3")
            run(args.messages)


def run(messages: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    token, roll_call_id, people = seed(messages * 2 + 10)
    print(f"{connection.vendor}: CPU ms per console message ({messages} each)")
    heartbeat, ws_tick = asyncio.run(over_socket(token, roll_call_id, people[:messages], messages))
    print(f"  heartbeat over the socket: {heartbeat:.3f} ms")
    print(f"  tick over the socket:      {ws_tick:.3f} ms")
    http_tick = asyncio.run(over_http(token, roll_call_id, people[messages:2 * messages]))
    print(f"  tick over HTTP (fallback): {http_tick:.3f} ms")


def seed(teachers: int):
    from datetime import timedelta

    from django.utils import timezone

    from attendance.services import rollcall
    from bridges.models import Bridge, Person, Tier
    from events.models import Event, Invitation, Session

    tiers = {role: Tier.objects.filter(role=role).order_by("order").first() for role in Tier.Role.values}
    host = Bridge.objects.create(code="H", name="Sở", tier=tiers[Tier.Role.HOST])
    school = Bridge.objects.create(code="S1", name="Trường 1", tier=tiers[Tier.Role.SCHOOL], parent=host)
    Person.objects.bulk_create([Person(bridge=school, full_name=f"Giáo viên {n}", teacher_id=f"8{n:06d}")
                                for n in range(teachers)])
    now = timezone.now()
    event = Event.objects.create(title="Bench", host=host, status=Event.Status.LIVE,
                                 starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=6))
    session = Session.objects.create(event=event, title="S", starts_at=event.starts_at, ends_at=event.ends_at)
    Invitation.objects.create(event=event, bridge=school, status=Invitation.Status.CONFIRMED)
    roll_call = rollcall.open_roll_call(session, label="Bench", minutes=120)
    from training import tallies

    tallies.rebuild(event)  # the reports' read model exists during an event: ticks mark its rows
    school.refresh_from_db()
    return school.console_token, roll_call.pk, list(Person.objects.order_by("pk").values_list("pk", flat=True))


def _tick(roll_call_id: int, person_id: int) -> dict:
    return {"type": "tick", "nonce": uuid.uuid4().hex, "roll_call_id": roll_call_id, "person_id": person_id}


async def over_socket(token: str, roll_call_id: int, people: list[int], count: int) -> tuple[float, float]:
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    socket = WebsocketCommunicator(application, f"/ws/console/{token}/", headers=[(b"origin", b"http://testserver")])
    connected, _ = await socket.connect()
    assert connected
    hello = json.loads(await socket.receive_from(timeout=10))
    assert hello["type"] == "hello", hello
    started = time.process_time()
    for _ in range(count):
        await socket.send_to(text_data='{"type":"heartbeat"}')
        assert json.loads(await socket.receive_from(timeout=10))["type"] == "heartbeat.ack"
    heartbeat = time.process_time() - started
    started = time.process_time()
    for person in people:
        await socket.send_to(text_data=json.dumps(_tick(roll_call_id, person)))
        while True:
            answer = json.loads(await socket.receive_from(timeout=10))
            if answer["type"] == "ack":  # roster pushes to this console come in between
                break
        assert answer["status"] == 201, answer
    ticks = time.process_time() - started
    await socket.disconnect()
    return 1000 * heartbeat / count, 1000 * ticks / len(people)


async def over_http(token: str, roll_call_id: int, people: list[int]) -> float:
    from channels.testing import HttpCommunicator

    from config.asgi import application

    headers = [(b"content-type", b"application/json"), (b"host", b"localhost")]
    started = time.process_time()
    for person in people:
        request = HttpCommunicator(application, "POST", f"/api/console/{token}/tick",
                                   body=json.dumps(_tick(roll_call_id, person)).encode(), headers=headers)
        response = await request.get_response(timeout=10)
        assert response["status"] == 201, response
        await request.send_input({"type": "http.disconnect"})  # as a server does: the app's slot is freed
        await request.wait(timeout=10)
    return 1000 * (time.process_time() - started) / len(people)


if __name__ == "__main__":
    main()
