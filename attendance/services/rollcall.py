"""Roll calls (điểm danh): organizers open one for a session for a few minutes; consoles show its QR."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import Refused
from events.models import Event, Session

from .. import live
from ..models import QR_WINDOW_SECONDS, CheckIn, RollCall
from .timing import iso

DEFAULT_MINUTES = 5
MAX_MINUTES = 240
DEFAULT_WINDOW_SECONDS = QR_WINDOW_SECONDS
MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS = 30, 60


class RollCallError(Refused):
    """A refused organizer action; the message is for the organizer."""

    code = "roll_call_refused"


def open_roll_calls(event_id: int, now: datetime | None = None):
    now = now or timezone.now()
    return (
        RollCall.objects.filter(session__event_id=event_id, opened_at__lte=now, closes_at__gt=now)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=now))
        .select_related("session")
    )


def current_roll_call(event: Event | None, now: datetime | None = None) -> RollCall | None:
    if event is None:
        return None
    return open_roll_calls(event.pk, now).order_by("-opened_at").first()


def payload(roll_call: RollCall) -> dict:
    return {
        "id": roll_call.pk, "label": roll_call.label, "session": roll_call.session.title,
        "event_id": roll_call.session.event_id, "opened_at": iso(roll_call.opened_at),
        "closes_at": iso(roll_call.ends_at()), "window_seconds": roll_call.window_seconds,
        "second_factor": roll_call.second_factor,
    }


def default_second_factor(event_id: int) -> str:
    """What the event's latest roll call asked beside the birth year, else the screen code."""
    previous = (RollCall.objects.filter(session__event_id=event_id).order_by("-opened_at", "-id")
                .values_list("second_factor", flat=True).first())
    return previous or RollCall.SecondFactor.SCREEN_CODE


@transaction.atomic
def open_roll_call(session: Session, *, label: str, minutes: int = DEFAULT_MINUTES,
                   window_seconds: int = DEFAULT_WINDOW_SECONDS, second_factor: str | None = None, user=None,
                   request=None, now: datetime | None = None) -> RollCall:
    """Open a roll call. `second_factor` (RollCall.SecondFactor): what a teacher checking in by name types
    beside the birth year; by default what the event's previous roll call asked, else the screen code."""
    now = now or timezone.now()
    label = (label or "").strip()
    if not label:
        raise RollCallError(_("Give the roll call a name (e.g. start, middle, end)."))
    if not 1 <= minutes <= MAX_MINUTES:
        raise RollCallError(_("A roll call lasts between 1 and %(max)s minutes.") % {"max": MAX_MINUTES})
    if not MIN_WINDOW_SECONDS <= window_seconds <= MAX_WINDOW_SECONDS:
        raise RollCallError(_("The QR code rotates every 30 to 60 seconds."))
    second_factor = second_factor or default_second_factor(session.event_id)
    if second_factor not in RollCall.SecondFactor.values:
        raise RollCallError(_("Choose what teachers type beside their birth year."))
    # Lock the event row so two organizers pressing at once cannot open two roll calls.
    Event.objects.select_for_update().filter(pk=session.event_id).first()
    if open_roll_calls(session.event_id, now).exists():
        raise RollCallError(_("Another roll call of this event is still open. Close it first."))
    roll_call = RollCall.objects.create(
        session=session, label=label[:120], opened_at=now, closes_at=now + timedelta(minutes=minutes),
        window_seconds=window_seconds, second_factor=second_factor,
        opened_by=user if user is not None and user.is_authenticated else None,
    )
    audit.record("attendance.rollcall_opened", request=request, user=user, target=roll_call,
                 summary=f"{session.title}: {roll_call.label}"[:500],
                 details={"minutes": minutes, "second_factor": second_factor})
    live.to_consoles(session.event_id, {"type": "rollcall.opened", "roll_call": payload(roll_call)})
    return roll_call


@transaction.atomic
def close_roll_call(roll_call: RollCall, *, user=None, request=None, now: datetime | None = None) -> RollCall:
    now = now or timezone.now()
    roll_call = RollCall.objects.select_for_update().select_related("session").get(pk=roll_call.pk)
    if not roll_call.is_open(now):
        raise RollCallError(_("This roll call is already closed."))
    roll_call.closed_at = now
    roll_call.save(update_fields=["closed_at"])
    audit.record("attendance.rollcall_closed", request=request, user=user, target=roll_call,
                 summary=f"{roll_call.session.title}: {roll_call.label}"[:500])
    live.to_consoles(roll_call.session.event_id, {"type": "rollcall.closed", "roll_call": payload(roll_call)})
    return roll_call


def counts(roll_calls, bridges=None) -> dict[int, dict]:
    """Per roll call: people recorded, of whom from another bridge, ticked, and flagged as one of many check-ins
    from one device; restricted to `bridges` if given."""
    rows = CheckIn.objects.filter(roll_call__in=roll_calls)
    if bridges is not None:
        rows = rows.filter(bridge__in=bridges)
    return {
        row["roll_call"]: row
        for row in rows.values("roll_call").annotate(
            present=Count("id"), foreign=Count("id", filter=Q(foreign=True)),
            ticked=Count("id", filter=Q(method=CheckIn.Method.TICK)),
            same_client=Count("id", filter=Q(same_client=True)),
        )
    }
