"""The launch moment (phát động): pressed once, every console counts down to the same server instant.

The server fixes `at` = press time + countdown and pushes it to every console of the event. Consoles
measure their clock offset against the server over their websocket (`clock_reply`, NTP-style) and
count down to `at` in server time, so they start together whatever their own clocks say.

When: from the event's start. Before it, only an organizer may launch, and only by confirming an early
launch (`early=True`, after being told how early): a button pressed days ahead by mistake would put
every console's launch screen up and mark the event live. The event then records when it was launched
and, if it was announced, becomes live (events.services.schedule.mark_launched).
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridges.models import Bridge
from bridges.scope import is_organizer
from core import audit
from core.errors import Refused
from events.models import Event
from events.services import schedule

from . import board, live
from .models import Launch

COUNTDOWN_SECONDS = 10


class LaunchRefused(Refused):
    """Pressed before the event's start without (or without the right to) an early launch."""

    code = "launch_early"
    status = 409


def may_press(event: Event, *, user=None, console_bridge: Bridge | None = None) -> bool:
    """Organizers (from the board) and the host bridge's console may press; nobody else."""
    if console_bridge is not None:
        return console_bridge.pk == event.host_id
    return is_organizer(user)


def opens_at(event: Event) -> datetime:
    """From when a press is not early: the event's start."""
    return event.starts_at


def how_early(event: Event, now: datetime | None = None) -> timedelta | None:
    """How long before the event's start a press now would be; None from the start on."""
    left = opens_at(event) - (now or timezone.now())
    return left if left > timedelta(0) else None


def early_text(left: timedelta) -> str:
    """"2 giờ, 15 phút" (Django's own words), or seconds under a minute."""
    seconds = int(left.total_seconds())
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    base = timezone.now()
    return timeuntil(base + left, base, depth=2)


def check_time(event: Event, *, early: bool, user=None, console_bridge: Bridge | None = None,
               now: datetime | None = None) -> timedelta | None:
    """Refuse a press before the event's start unless an organizer confirmed an early launch; returns how
    early it is (None from the start on)."""
    left = how_early(event, now)
    if left is None:
        return None
    values = {"start": formats.date_format(timezone.localtime(opens_at(event)), "H:i d/m/Y"), "left": early_text(left)}
    if console_bridge is not None or not is_organizer(user):
        raise LaunchRefused(_("The launch opens at the event's start, %(start)s (in %(left)s). Before that only an "
                              "organizer can launch, from the live board.") % values, code="launch_not_yet")
    if not early:
        raise LaunchRefused(_("The event starts at %(start)s, in %(left)s: launching now is early. Confirm the early "
                              "launch to go ahead.") % values)
    return left


def payload(launch: Launch | None) -> dict | None:
    """What consoles receive: {"type": "launch", "at": epoch ms, "duration_ms": ...}, or None."""
    return board.launch_payload_for(launch.at if launch is not None else None)


def current(event_id: int) -> dict | None:
    return payload(Launch.objects.filter(event_id=event_id).first())


def press(event: Event, *, actor_label: str, request=None, user=None, console_bridge: Bridge | None = None,
          early: bool = False, countdown: int = COUNTDOWN_SECONDS, now: datetime | None = None) -> tuple[Launch, bool]:
    """Create the event's launch once; a second press answers with the first launch. (launch, created).

    Before the event's start: LaunchRefused, unless `early` (confirmed) and pressed by an organizer (`user`);
    `console_bridge`: pressed on that (host) console, which never launches early."""
    try:
        with transaction.atomic():
            # Row lock on PostgreSQL; SQLite's IMMEDIATE transactions already serialize writers.
            Event.objects.select_for_update().filter(pk=event.pk).first()
            existing = Launch.objects.filter(event=event).first()
            if existing is not None:
                return existing, False
            now = now or timezone.now()
            left = check_time(event, early=early, user=user or getattr(request, "user", None),
                              console_bridge=console_bridge, now=now)
            launch = Launch.objects.create(
                event=event, pressed_at=now, at=now + timedelta(seconds=countdown), pressed_by=actor_label[:120],
            )
            details = {"at": launch.at.isoformat(), "countdown": countdown}
            if left is not None:
                details["early_by_seconds"] = int(left.total_seconds())
            audit.record("attendance.launch", request=request, user=user, actor_label=actor_label, target=event,
                         summary=event.title, details=details)
            schedule.mark_launched(event, launch.at, actor_label=actor_label, request=request, user=user)
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
