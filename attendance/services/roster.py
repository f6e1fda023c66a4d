"""A bridge's roster at a roll call as its console shows it, the undo of a tick, and the console push that
keeps the roster live.

- Each person: the name as `bridges.names` tells namesakes apart, whether and when they are recorded,
  how (a tick, a teacher's own QR scan...), and until when a tick may still be undone.
- A tick can be undone for ATTENDANCE_TICK_UNDO_MINUTES (5) after the server recorded it, by the
  console of the bridge that ticked (a mis-tap is noticed at once, or not at all; later, the number
  may already be on the board and in a report). A teacher's own check-in is never undone from a
  console. Both the tick and its undo are audited.
- A teacher's own check-in is pushed to the consoles of the person's bridge ("roster.changed",
  attendance.messages.ConsolePush), after commit, so the roster shows it without a reload. A tick and
  its undo are not: the console that made them has its answer (over HTTP or as the socket's ack, which
  must stay the next frame after the write), and any other console of the bridge re-reads the roster
  when its socket (re)connects. Like every live message a push may be lost; the same re-read covers it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bridges.models import Bridge
from bridges.names import NameRow, distinct_labels
from bridges.services import console_actor
from core import audit
from core.errors import Refused
from events import participation

from .. import live
from ..models import CheckIn, RollCall
from . import console_reads
from .timing import iso


class UndoRefused(Refused):
    code = "undo_refused"
    status = 409


def undo_window() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "ATTENDANCE_TICK_UNDO_MINUTES", 5)))


def undo_until(row: CheckIn, bridge_id: int, now: datetime | None = None) -> datetime | None:
    """Until when this console (of `bridge_id`) may undo the row; None if it may not (any more)."""
    if row.method != CheckIn.Method.TICK or row.bridge_id != bridge_id or row.received_at is None:
        return None
    deadline = row.received_at + undo_window()
    return deadline if deadline > (now or timezone.now()) else None


def entry(person_id: int, row: CheckIn | None, bridge_id: int, now: datetime | None = None) -> dict:
    """One person's recorded state, as the roster and its push carry it."""
    return {"id": person_id, "ticked": row is not None, "at": iso(row.at) if row else None,
            "method": row.method if row else None,
            "undo_until": iso(undo_until(row, bridge_id, now)) if row else None}


def state(bridge: Bridge, roll_call: RollCall | None, now: datetime | None = None) -> list[dict]:
    """The bridge's roster in name order: the name, its label among namesakes, and each person's state at
    the roll call. No birth dates or identifiers, but what tells namesakes apart."""
    now = now or timezone.now()
    rows = {}
    if roll_call is not None:
        rows = {row.person_id: row for row in CheckIn.objects.filter(roll_call=roll_call, person__bridge=bridge)
                .only("person_id", "bridge_id", "at", "received_at", "method").order_by()}
    people = list(bridge.people.order_by("name_key", "id").values_list("id", "full_name", "birth_date", "teacher_id"))
    labels = distinct_labels(NameRow(*values) for values in people)
    return [{"name": full_name, "label": labels[person_id], **entry(person_id, rows.get(person_id), bridge.pk, now)}
            for person_id, full_name, _birth, _identifier in people]


def notify(rows: list[CheckIn]) -> None:
    """Tell the consoles of these people's bridges (after commit) that they are now recorded."""
    grouped: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in rows:
        bridge_id = row.person.bridge_id
        grouped[(bridge_id, row.roll_call_id)].append(entry(row.person_id, row, bridge_id))
    live.to_bridges({bridge_id: {"type": "roster.changed", "roll_call_id": roll_call_id, "people": people}
                     for (bridge_id, roll_call_id), people in grouped.items()})


def _local(moment: datetime) -> str:
    return formats.time_format(timezone.localtime(moment), "H:i")


def undo_tick(bridge: Bridge, data: dict, *, ip: str | None = None, nonce: str = "",
              now: datetime | None = None) -> CheckIn:
    """Take back a tick this console made within the undo window. Raises UndoRefused (nothing changes)."""
    now = now or timezone.now()
    try:
        roll_call_id, person_id = int(data.get("roll_call_id")), int(data.get("person_id"))
    except (TypeError, ValueError):
        raise UndoRefused(_("This request is incomplete."), code="invalid", status=400) from None
    roll_call = console_reads.roll_call(roll_call_id)
    if roll_call is None or not participation.takes_part(bridge, roll_call.session.event):
        raise UndoRefused(_("This roll call does not exist."), code="not_found", status=404)
    person = console_reads.roster_person(bridge, person_id)
    if person is None:
        raise UndoRefused(_("This name is not on this bridge's roster."), code="unknown_person", status=404)
    row = CheckIn.objects.select_for_update().filter(roll_call=roll_call, person=person).first()
    if row is None:
        raise UndoRefused(_("%(name)s is not ticked at this roll call.") % {"name": person.full_name},
                          code="not_ticked")
    if row.method != CheckIn.Method.TICK or row.bridge_id != bridge.pk:
        raise UndoRefused(_("%(name)s checked in by QR code (or was recorded elsewhere): only a tick made on this "
                            "console can be undone.") % {"name": person.full_name}, code="not_a_tick")
    if undo_until(row, bridge.pk, now) is None:
        raise UndoRefused(_("A tick can be undone for %(minutes)s minutes; this one was recorded at %(time)s.") % {
            "minutes": int(undo_window().total_seconds() // 60), "time": _local(row.received_at)},
            code="undo_expired")
    details = {"roll_call": roll_call.pk, "person": person.pk, "at": iso(row.at), "recorded": iso(row.received_at),
               "nonce": nonce}
    target_id = row.pk
    row.person = person
    row.delete()
    row.pk = target_id  # the audit entry names the check-in that was taken back
    audit.record("attendance.tick_undone", actor_label=console_actor(bridge), ip=ip, target=row,
                 summary=f"{person.full_name} – {roll_call.label}"[:500], details=details)
    live.bridges_changed(roll_call.session.event_id, [bridge.pk], homes=[person.bridge_id])
    return row
