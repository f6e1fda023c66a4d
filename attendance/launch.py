"""The launch moment (phát động): pressed once, every console counts down to the same server instant.

The server fixes `at` = press time + countdown and pushes it to every console of the event. Consoles
measure their clock offset against the server over their websocket (`clock_reply`, NTP-style) and
count down to `at` in server time, so they start together whatever their own clocks say.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from bridges.models import Bridge
from bridges.scope import is_organizer
from core import audit
from events.models import Event

from . import board, live
from .models import Launch

COUNTDOWN_SECONDS = 10


def may_press(event: Event, *, user=None, console_bridge: Bridge | None = None) -> bool:
    """Organizers (from the board) and the host bridge's console may press; nobody else."""
    if console_bridge is not None:
        return console_bridge.pk == event.host_id
    return is_organizer(user)


def payload(launch: Launch | None) -> dict | None:
    """What consoles receive: {"type": "launch", "at": epoch ms, "duration_ms": ...}, or None."""
    return board.launch_payload_for(launch.at if launch is not None else None)


def current(event_id: int) -> dict | None:
    return payload(Launch.objects.filter(event_id=event_id).first())


def press(event: Event, *, actor_label: str, request=None, user=None,
          countdown: int = COUNTDOWN_SECONDS) -> tuple[Launch, bool]:
    """Create the event's launch once; a second press answers with the first launch. (launch, created)."""
    try:
        with transaction.atomic():
            # Row lock on PostgreSQL; SQLite's IMMEDIATE transactions already serialize writers.
            Event.objects.select_for_update().filter(pk=event.pk).first()
            existing = Launch.objects.filter(event=event).first()
            if existing is not None:
                return existing, False
            now = timezone.now()
            launch = Launch.objects.create(
                event=event, pressed_at=now, at=now + timedelta(seconds=countdown), pressed_by=actor_label[:120],
            )
            audit.record("attendance.launch", request=request, user=user, actor_label=actor_label, target=event,
                         summary=event.title, details={"at": launch.at.isoformat(), "countdown": countdown})
            live.to_consoles(event.pk, payload(launch))
            live.bridges_changed(event.pk, [], feed=board.feed_line("launch", at=launch.at))
            return launch, True
    except IntegrityError:
        # Two presses racing past the check: the unique event key kept one; answer with it.
        return Launch.objects.get(event=event), False


def clock_reply(message: dict) -> dict | None:
    """Answer a clock probe {"type": "clock", "t0": client ms} with the server's time in ms."""
    t0 = message.get("t0")
    if not isinstance(t0, int | float) or isinstance(t0, bool):
        return None
    return {"type": "clock", "t0": t0, "server": board.now_ms()}
