"""A school checks its bridge in for the event and keeps the headcount of people present.

Both are the console's word, so both are bounded (issue 15): after the event's end they count only
as queued writes made before it (attendance.services.queued: within the grace, from a console seen
during the event), and a headcount is at most the bridge's expected number of teachers (the board's
rule, attendance.board.state.expected_teachers) times HEADCOUNT_FACTOR plus HEADCOUNT_MARGIN: room
for guests and staff, not for a typo with three extra zeros.
"""

import math
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridges.models import Bridge, Person
from bridges.services import console_actor
from core import audit
from core.errors import Refused
from events.models import Event, Invitation

from .. import live
from ..board.state import expected_teachers
from ..messages import FeedLine
from ..models import BridgeCheckIn
from . import queued
from .timing import epoch_ms, iso, plausible_past

MAX_HEADCOUNT = 100_000
HEADCOUNT_FACTOR = 1.5
HEADCOUNT_MARGIN = 10


class HeadcountRefused(Refused):
    code = "headcount_too_high"
    status = 400


def _refused(exc: Refused) -> tuple[int, dict]:
    """A refusal as the console's writes answer it (the API adds the one error body around it)."""
    return exc.status, {"ok": False, "outcome": exc.code, "message": exc.message}


def headcount_limit(bridge: Bridge, event: Event) -> tuple[int, int]:
    """(teachers expected at the bridge, the highest headcount accepted)."""
    invited = Invitation.objects.filter(event=event, bridge=bridge).values_list("expected_participants", flat=True).first()
    roster = Person.objects.filter(bridge=bridge).count()
    expected = expected_teachers(invited, bridge.expected_participants, roster)
    return expected, math.ceil(expected * HEADCOUNT_FACTOR) + HEADCOUNT_MARGIN


def _after_the_end(bridge: Bridge, event: Event, client_time, now: datetime) -> None:
    """Raise QueuedWriteRefused for a write the event's end has made too late (see queued)."""
    if event.status == Event.Status.CANCELLED:
        raise queued.QueuedWriteRefused(_("This event was cancelled."), code="event_ended")
    if now < event.ends_at:
        return
    claimed = plausible_past(client_time, now)
    if claimed is None or claimed >= event.ends_at:
        raise queued.QueuedWriteRefused(_("This event has ended: nothing can be recorded for it any more."),
                                        code="event_ended")
    queued.check_late(bridge, opened=event.starts_at, closed=event.ends_at, now=now, window=queued.EVENT)


def status(bridge: Bridge, event: Event | None) -> dict:
    row = BridgeCheckIn.objects.filter(event=event, bridge=bridge).first() if event else None
    return _status_body(row)


def _status_body(row: BridgeCheckIn | None) -> dict:
    if row is None:
        return {"checked_in": False, "checked_in_at": None, "headcount": 0, "headcount_at": None}
    return {
        "checked_in": True, "checked_in_at": iso(row.checked_in_at), "method": row.method,
        "headcount": row.headcount, "headcount_at": iso(row.headcount_at),
    }


def _get_or_create(bridge: Bridge, event: Event, at: datetime, method: str) -> tuple[BridgeCheckIn, bool]:
    existing = BridgeCheckIn.objects.select_for_update().filter(event=event, bridge=bridge).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return BridgeCheckIn.objects.create(event=event, bridge=bridge, checked_in_at=at, method=method), True
    except IntegrityError:
        # Two consoles of one bridge pressed at once: the first one stands.
        return BridgeCheckIn.objects.get(event=event, bridge=bridge), False


@transaction.atomic
def check_in(bridge: Bridge, event: Event, *, method: str = BridgeCheckIn.Method.BUTTON, client_time=None,
             ip: str | None = None, now: datetime | None = None) -> tuple[int, dict]:
    now = now or timezone.now()
    try:
        _after_the_end(bridge, event, client_time, now)
    except queued.QueuedWriteRefused as late:
        return _refused(late)
    at = plausible_past(client_time, now) or now
    if method not in (BridgeCheckIn.Method.BUTTON, BridgeCheckIn.Method.QR):
        method = BridgeCheckIn.Method.BUTTON
    row, created = _get_or_create(bridge, event, at, method)
    if created:
        audit.record("attendance.bridge_checkin", actor_label=console_actor(bridge), target=row, ip=ip,
                     summary=f"{bridge.code} – {event.title}"[:500], details={"method": method, "at": iso(at)})
        live.bridges_changed(event.pk, [bridge.pk], feed=FeedLine(
            kind="bridge_checkin", at=epoch_ms(at), bridge_id=bridge.pk, bridge=bridge.name))
    body = {
        "ok": True, "outcome": "accepted" if created else "duplicate",
        "message": _("Bridge checked in.") if created else _("This bridge was already checked in."),
        **_status_body(row),
    }
    return (201 if created else 200), body


@transaction.atomic
def set_headcount(bridge: Bridge, event: Event, count, *, client_time=None, ip: str | None = None,
                  now: datetime | None = None) -> tuple[int, dict]:
    """Latest count wins by the time it was typed, so a queued old count never overwrites a newer one."""
    now = now or timezone.now()
    if isinstance(count, bool) or not isinstance(count, int | str):
        return 400, {"ok": False, "outcome": "invalid", "message": _("The headcount must be a whole number.")}
    try:
        count = int(str(count).strip())
    except ValueError:
        return 400, {"ok": False, "outcome": "invalid", "message": _("The headcount must be a whole number.")}
    if not 0 <= count <= MAX_HEADCOUNT:
        return 400, {"ok": False, "outcome": "invalid", "message": _("The headcount is out of range.")}
    try:
        _after_the_end(bridge, event, client_time, now)
    except queued.QueuedWriteRefused as late:
        return _refused(late)
    expected, limit = headcount_limit(bridge, event)
    if count > limit:
        return _refused(HeadcountRefused(
            _("%(count)s people is more than this bridge can hold for this event (%(expected)s teachers expected, "
              "at most %(limit)s accepted). Check the number, or ask the organizer to update the expected number.")
            % {"count": count, "expected": expected, "limit": limit}))
    at = plausible_past(client_time, now) or now
    # Typing a headcount means the bridge is there: it checks the bridge in if not done yet.
    row, created = _get_or_create(bridge, event, at, BridgeCheckIn.Method.BUTTON)
    if row.headcount_at is not None and at < row.headcount_at:
        return 200, {"ok": True, "outcome": "stale", "message": _("A newer headcount was already recorded."),
                     **_status_body(row)}
    previous = row.headcount
    row.headcount, row.headcount_at = count, at
    row.save(update_fields=["headcount", "headcount_at"])
    audit.record("attendance.headcount", actor_label=console_actor(bridge), target=row, ip=ip,
                 summary=f"{bridge.code}: {previous} → {count}", details={"at": iso(at), "created": created})
    live.bridges_changed(event.pk, [bridge.pk], feed=FeedLine(
        kind="headcount", at=epoch_ms(at), bridge_id=bridge.pk, bridge=bridge.name, label=str(count)))
    return 200, {"ok": True, "outcome": "accepted", "message": _("Headcount saved."), **_status_body(row)}
