"""People recorded at roll calls: teachers scanning the QR, coordinators ticking the roster.

Every attempt, accepted or refused, leaves a CheckInAttempt with its outcome and reason. A person
is recorded once per roll call (unique constraint); a second attempt answers DUPLICATE with the
first time. Writes a client may retry go through idempotency.once.

Time rule for queued ticks: a tick's time is the client's time when plausible (not in the future
beyond timing.CLIENT_SKEW). While the roll call is open any tick is accepted. After it closed, a
tick is accepted only if its client time lies within the roll call's open window (widened by
CLIENT_SKEW at both ends for clock drift): a console that was offline during the roll call sends
its ticks later with the time they were made, and they count; a tick made after the close does not.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bridges.models import Bridge, Person
from core import audit
from core.text import clean_text

from .. import live
from ..models import CheckIn, CheckInAttempt, RollCall
from . import consoles, idempotency, qr
from .bridge_checkin import console_actor
from .timing import CLIENT_SKEW, iso, plausible_past

Outcome = CheckInAttempt.Outcome

STATUS = {
    Outcome.ACCEPTED: 201, Outcome.DUPLICATE: 200, Outcome.INVALID: 400, Outcome.FORGED_QR: 403,
    Outcome.UNKNOWN_PERSON: 404, Outcome.EXPIRED_QR: 409, Outcome.CLOSED: 409, Outcome.NOT_INVITED: 409,
    Outcome.WRONG_BIRTH_YEAR: 422,
}


def _messages() -> dict:
    return {
        Outcome.EXPIRED_QR: _("This QR code has expired. Scan the code on the screen again."),
        Outcome.FORGED_QR: _("This QR code is not valid. Scan the code shown on the bridge's screen."),
        Outcome.CLOSED: _("This roll call is closed."),
        Outcome.UNKNOWN_PERSON: _("No teacher with this identifier was found. Check it, or choose your name from the list."),
        Outcome.WRONG_BIRTH_YEAR: _("The birth year does not match. Check it, or use your teacher identifier."),
        Outcome.NOT_INVITED: _("This bridge is not invited to this event."),
        Outcome.INVALID: _("Enter your teacher identifier, or choose your name and type your birth year."),
    }


@dataclass
class Context:
    """Who is writing and from where: stored on every attempt."""

    method: str
    bridge: Bridge | None = None
    ip: str | None = None
    nonce: str = ""
    client_time: datetime | None = None
    identifier: str = ""


def _refuse(roll_call: RollCall | None, ctx: Context, outcome: str, reason: str, *, message: str | None = None,
            person: Person | None = None) -> tuple[int, dict]:
    CheckInAttempt.objects.create(
        roll_call=roll_call, bridge=ctx.bridge, person=person, method=ctx.method, identifier=ctx.identifier[:64],
        nonce=ctx.nonce, outcome=outcome, reason=reason[:300], ip=ctx.ip, client_time=ctx.client_time,
    )
    return STATUS[outcome], {
        "ok": False, "outcome": str(outcome), "message": message or _messages()[outcome],
        "roll_call_id": roll_call.pk if roll_call else None,
    }


def _when(at: datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M")


def _record(roll_call: RollCall, person: Person, ctx: Context, *, at: datetime,
            recorded_by: str) -> tuple[int, dict, CheckIn]:
    bridge = ctx.bridge
    foreign = person.bridge_id != bridge.pk
    try:
        with transaction.atomic():
            row = CheckIn.objects.create(roll_call=roll_call, person=person, bridge=bridge, foreign=foreign, at=at,
                                         method=ctx.method, recorded_by=recorded_by[:120])
        outcome = Outcome.ACCEPTED
    except IntegrityError:
        row = CheckIn.objects.select_related("bridge").get(roll_call=roll_call, person=person)
        outcome = Outcome.DUPLICATE
    CheckInAttempt.objects.create(
        roll_call=roll_call, bridge=bridge, person=person, checkin=row, method=ctx.method,
        identifier=ctx.identifier[:64], nonce=ctx.nonce, outcome=outcome, ip=ctx.ip, client_time=ctx.client_time,
        reason="" if outcome == Outcome.ACCEPTED else gettext_noop("already recorded at this roll call"),
    )
    where = row.bridge if outcome == Outcome.DUPLICATE else bridge
    values = {"time": _when(row.at), "bridge": where.name}
    if outcome == Outcome.ACCEPTED:
        message = _("Checked in at %(time)s at %(bridge)s.") % values
        if foreign:
            message += " " + _("You are on another school's roster: this check-in is recorded and flagged.")
        live.bridges_changed(roll_call.session.event_id, [bridge.pk], feed={
            "kind": "checkin", "bridge_id": bridge.pk, "bridge_code": bridge.code, "bridge_name": bridge.name,
            "roll_call_id": roll_call.pk, "method": ctx.method, "foreign": foreign, "at": iso(at),
        })
    else:
        message = _("Already checked in at %(time)s at %(bridge)s.") % values
    return STATUS[outcome], {
        "ok": True, "outcome": str(outcome), "message": message, "roll_call_id": roll_call.pk,
        "person_id": person.pk, "person_name": person.full_name, "bridge_id": where.pk, "bridge_name": where.name,
        "at": iso(row.at), "foreign": row.foreign,
    }, row


# --- Teachers scanning the roll-call QR ------------------------------------------------------------

@transaction.atomic
def refuse_scan(refused: qr.QRRefused, *, ip: str | None = None) -> tuple[int, dict]:
    """A code refused when the teacher page loads (forged, expired, closed): stored and answered."""
    ctx = Context(method=CheckIn.Method.SELF_QR, ip=ip)
    if refused.bridge_id is not None:
        ctx.bridge = Bridge.objects.filter(pk=refused.bridge_id).first()
    return _refuse(refused.roll_call, ctx, refused.outcome, refused.reason)


def _birth_year(value) -> int | None:
    text = clean_text(value)
    return int(text) if text.isdigit() and len(text) == 4 else None


def _identify(roll_call: RollCall, ctx: Context, identifier: str, person_id, birth_year):
    """(person, None) or (None, refusal answer)."""
    if identifier:
        person = Person.objects.filter(teacher_id=identifier).first()
        if person is None:
            return None, _refuse(roll_call, ctx, Outcome.UNKNOWN_PERSON, gettext_noop("no person with this identifier"))
        return person, None
    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        return None, _refuse(roll_call, ctx, Outcome.INVALID, gettext_noop("neither identifier nor name given"))
    person = Person.objects.filter(pk=person_id, bridge=ctx.bridge).first()
    if person is None:
        return None, _refuse(roll_call, ctx, Outcome.UNKNOWN_PERSON, gettext_noop("chosen person is not on this bridge's roster"),
                             message=_("This name is not on this bridge's roster."))
    year = _birth_year(birth_year)
    if year is None:
        return None, _refuse(roll_call, ctx, Outcome.INVALID, gettext_noop("birth year missing or not 4 digits"), person=person,
                             message=_("Type your birth year with four digits, e.g. 1985."))
    if person.birth_date is None:
        return None, _refuse(roll_call, ctx, Outcome.WRONG_BIRTH_YEAR, gettext_noop("no birth date on record"), person=person,
                             message=_("No birth year is on record for this name: use your teacher identifier "
                                       "or ask the coordinator to tick you on the roster."))
    if person.birth_date.year != year:
        # The typed year is not stored: it is personal data and the outcome says enough.
        return None, _refuse(roll_call, ctx, Outcome.WRONG_BIRTH_YEAR, gettext_noop("birth year does not match"), person=person)
    return person, None


def self_check_in(code_token: str, *, page_token: str | None = None, identifier="", person_id=None, birth_year="",
                  nonce=None, ip: str | None = None, now: datetime | None = None) -> idempotency.Answer:
    """A teacher's check-in from the QR: by identifier, or by name from the roster plus birth year."""
    now = now or timezone.now()
    identifier = clean_text(identifier)[:64]
    ctx = Context(method=CheckIn.Method.SELF_QR, ip=ip, identifier=identifier)
    try:
        code = qr.authenticate(code_token)
        fresh = qr.page_token_fresh(page_token, code) if page_token else qr.in_window(code, now)
    except qr.QRRefused as refused:
        with transaction.atomic():
            return idempotency.Answer(*_refuse(refused.roll_call, ctx, refused.outcome, refused.reason))
    roll_call = code.roll_call
    ctx.bridge = Bridge.objects.filter(pk=code.bridge_id).first()
    ctx.nonce = idempotency.clean_nonce(nonce) or ""
    if not ctx.nonce:
        with transaction.atomic():
            return idempotency.Answer(*_refuse(roll_call, ctx, Outcome.INVALID, gettext_noop("missing or malformed nonce"),
                                               message=_("The page is incomplete. Reload it and try again.")))

    def write():
        if not fresh:
            return _refuse(roll_call, ctx, Outcome.EXPIRED_QR, gettext_noop("code or page too old at submit"))
        if not roll_call.is_open(now):
            return _refuse(roll_call, ctx, Outcome.CLOSED, gettext_noop("roll call not open at submit"))
        person, refusal = _identify(roll_call, ctx, identifier, person_id, birth_year)
        if refusal:
            return refusal
        status, body, _row = _record(roll_call, person, ctx, at=now, recorded_by="")
        return status, body

    return idempotency.once(f"rollcall:{roll_call.pk}", ctx.nonce, write)


# --- Coordinators ticking the roster on the console ------------------------------------------------

def tick_time(roll_call: RollCall, client_time: datetime | None, now: datetime) -> datetime | None:
    """When the tick counts (see the module's time rule), or None if the roll call was not open then."""
    claimed = plausible_past(client_time, now)
    if roll_call.is_open(now):
        if claimed is None or claimed < roll_call.opened_at - CLIENT_SKEW:
            return now
        return max(claimed, roll_call.opened_at)
    if claimed is None or roll_call.opened_at > now:
        return None
    if roll_call.opened_at - CLIENT_SKEW <= claimed < roll_call.ends_at() + CLIENT_SKEW:
        return min(max(claimed, roll_call.opened_at), roll_call.ends_at())
    return None


def tick(bridge: Bridge, data: dict, *, ip: str | None = None, nonce: str = "",
         now: datetime | None = None) -> tuple[int, dict]:
    """The coordinator ticks a person of the bridge's roster. Runs inside idempotency.once."""
    now = now or timezone.now()
    ctx = Context(method=CheckIn.Method.TICK, bridge=bridge, ip=ip, nonce=nonce,
                  client_time=data.get("client_time_parsed"))
    try:
        roll_call_id, person_id = int(data.get("roll_call_id")), int(data.get("person_id"))
    except (TypeError, ValueError):
        return _refuse(None, ctx, Outcome.INVALID, gettext_noop("roll_call_id and person_id must be numbers"),
                       message=_("This request is incomplete."))
    roll_call = RollCall.objects.select_related("session__event").filter(pk=roll_call_id).first()
    if roll_call is None:
        return _refuse(None, ctx, Outcome.INVALID, gettext_noop("unknown roll call"), message=_("This roll call does not exist."))
    if not consoles.takes_part(bridge, roll_call.session.event):
        return _refuse(roll_call, ctx, Outcome.NOT_INVITED, gettext_noop("bridge not invited to the roll call's event"))
    person = Person.objects.filter(pk=person_id, bridge=bridge).first()
    if person is None:
        return _refuse(roll_call, ctx, Outcome.UNKNOWN_PERSON, gettext_noop("person not on this bridge's roster"),
                       message=_("This name is not on this bridge's roster."))
    at = tick_time(roll_call, ctx.client_time, now)
    if at is None:
        return _refuse(roll_call, ctx, Outcome.CLOSED, gettext_noop("tick time outside the roll call's open window"),
                       person=person, message=_("This roll call was not open when this tick was made."))
    status, body, row = _record(roll_call, person, ctx, at=at, recorded_by=console_actor(bridge))
    if body["outcome"] == Outcome.ACCEPTED:
        audit.record("attendance.tick", actor_label=console_actor(bridge), ip=ip, target=row, summary=f"{person.full_name} – {roll_call.label}"[:500],
                     details={"roll_call": roll_call.pk, "person": person.pk, "at": iso(at),
                              "client_time": iso(ctx.client_time), "nonce": nonce})
    return status, body
