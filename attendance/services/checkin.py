"""People recorded at roll calls: the rules and answers shared by teachers scanning the QR
(teacher_checkin, written in batches) and coordinators ticking the roster (here).

Every attempt, accepted or refused, leaves a CheckInAttempt with its outcome and reason. A person
is recorded once per roll call (unique constraint); a second attempt answers DUPLICATE with the
first time. Writes a client may retry go through idempotency.once.

Time rule for queued ticks: a tick's time is the client's time when plausible (not in the future
beyond timing.CLIENT_SKEW). While the roll call is open any tick is accepted. After it closed, a
tick is accepted only if its client time lies within the roll call's open window (widened by
CLIENT_SKEW at both ends for clock drift): a console that was offline during the roll call sends
its ticks later with the time they were made, and they count; a tick made after the close does not.
A tick that arrives after the close counts only within the grace and from a console seen while the
roll call was open (attendance.services.queued).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bridges.models import Bridge, Person
from bridges.services import console_actor
from core import audit
from core.bulk_sql import insert_rows
from core.errors import Refused
from events import participation

from .. import live
from ..messages import FeedLine
from ..models import CheckIn, CheckInAttempt, RollCall
from . import console_reads, queued, roster
from .timing import CLIENT_SKEW, epoch_ms, iso, plausible_past

Outcome = CheckInAttempt.Outcome

STATUS = {
    Outcome.ACCEPTED: 201, Outcome.DUPLICATE: 200, Outcome.INVALID: 400, Outcome.FORGED_QR: 403,
    Outcome.UNKNOWN_PERSON: 404, Outcome.EXPIRED_QR: 409, Outcome.CLOSED: 409, Outcome.NOT_INVITED: 409,
    Outcome.WRONG_BIRTH_YEAR: 422, Outcome.WRONG_CODE: 422, Outcome.PAGE_USED: 409, Outcome.TOO_LATE: 409,
    Outcome.CONSOLE_UNSEEN: 409,
}


def _messages() -> dict:
    return {
        Outcome.EXPIRED_QR: _("This QR code has expired. Scan the code on the screen again."),
        Outcome.FORGED_QR: _("This QR code is not valid. Scan the code shown on the bridge's screen."),
        Outcome.CLOSED: _("This roll call is closed."),
        Outcome.UNKNOWN_PERSON: _("No teacher with this identifier was found. Check it, or find your name by typing it."),
        Outcome.WRONG_BIRTH_YEAR: _("The birth year does not match. Check it, or use your teacher identifier."),
        Outcome.NOT_INVITED: _("This bridge is not invited to this event."),
        Outcome.INVALID: _("Enter your teacher identifier, or find your name and type your birth year and the "
                           "second check."),
        Outcome.PAGE_USED: _("This page has already checked someone in. To check in another person, scan the QR "
                             "code on the screen again."),
        Outcome.WRONG_CODE: _("The second check does not match."),
        Outcome.TOO_LATE: _("This was sent too long after the roll call closed."),
        Outcome.CONSOLE_UNSEEN: _("This console was not connected while the roll call was open."),
    }


def refused_error(outcome: str, message: str | None = None) -> Refused:
    """A check-in outcome as the one refusal type, for surfaces that answer with the API's error body."""
    return Refused(message or _messages()[outcome], code=str(outcome), status=STATUS[outcome])


@dataclass
class Context:
    """Who is writing and from where: stored on every attempt."""

    method: str
    bridge: Bridge | None = None
    ip: str | None = None
    nonce: str = ""
    client_time: datetime | None = None
    identifier: str = ""


ATTEMPT_COLUMNS = ("at", "client_time", "roll_call", "bridge", "person", "checkin", "method", "identifier", "nonce",
                   "outcome", "reason", "ip")
CHECKIN_COLUMNS = ("roll_call", "person", "bridge", "foreign", "client_key", "same_client", "at", "received_at",
                   "method", "recorded_by")


@dataclass(slots=True)
class Attempt:
    """A CheckInAttempt to write (ATTEMPT_COLUMNS), by ids: an attempt is only written, never read back, and a
    batch of check-ins builds one per teacher, where a model instance cost more than the rule that made it."""

    roll_call_id: int | None
    bridge_id: int | None
    person_id: int | None
    method: str
    identifier: str
    nonce: str
    outcome: str
    reason: str
    ip: str | None
    client_time: datetime | None
    # The check-in row it recorded, if any: a new one gets its id when the batch writes it.
    checkin: CheckIn | None = None

    def values(self, at: datetime) -> tuple:
        """The row's values in ATTEMPT_COLUMNS' order, written at `at` (auto_now_add)."""
        return (at, self.client_time, self.roll_call_id, self.bridge_id, self.person_id,
                None if self.checkin is None else self.checkin.pk, self.method, self.identifier, self.nonce,
                self.outcome, self.reason, self.ip)


def checkin_values(row: CheckIn, received_at: datetime) -> tuple:
    """A new check-in row's values in CHECKIN_COLUMNS' order, received at `received_at` (auto_now_add)."""
    return (row.roll_call_id, row.person_id, row.bridge_id, row.foreign, row.client_key, row.same_client, row.at,
            received_at, row.method, row.recorded_by)


def refusal(roll_call: RollCall | None, ctx: Context, outcome: str, reason: str, *, message: str | None = None,
            person: Person | None = None, answer_outcome: str | None = None) -> tuple[Attempt, int, dict]:
    """The attempt to store (not saved yet) and the answer for a refused check-in.

    `answer_outcome`: what the answer says when it must not tell more than that (the stored attempt
    keeps the exact outcome).
    """
    attempt = Attempt(_pk(roll_call), _pk(ctx.bridge), _pk(person), ctx.method, ctx.identifier[:64], ctx.nonce,
                      outcome, reason[:300], ctx.ip, ctx.client_time)
    said = answer_outcome or outcome
    return attempt, STATUS[said], {
        "ok": False, "outcome": str(said), "message": message or _messages()[said],
        "roll_call_id": roll_call.pk if roll_call else None,
    }


def save_attempt(attempt: Attempt) -> None:
    """One attempt written now, as one plain INSERT (core.bulk_sql): the ORM's compiler cost more than it."""
    insert_rows(CheckInAttempt, ATTEMPT_COLUMNS, [attempt.values(timezone.now())])


def _refuse(roll_call: RollCall | None, ctx: Context, outcome: str, reason: str, *, message: str | None = None,
            person: Person | None = None) -> tuple[int, dict]:
    attempt, status, body = refusal(roll_call, ctx, outcome, reason, message=message, person=person)
    save_attempt(attempt)
    return status, body


def _pk(obj) -> int | None:
    return None if obj is None else obj.pk


def _when(at: datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M")


def recorded(roll_call: RollCall, person: Person, ctx: Context, row: CheckIn, outcome: str, *,
             reveal_name: bool = True) -> tuple[Attempt, int, dict]:
    """The attempt to store (not saved yet) and the answer for a person recorded (or already recorded).

    `reveal_name` False (teachers' own scans): the answer names no one, so an identifier typed on the
    public page never tells whose it is.
    """
    attempt = Attempt(roll_call.pk, _pk(ctx.bridge), person.pk, ctx.method, ctx.identifier[:64], ctx.nonce, outcome,
                      "" if outcome == Outcome.ACCEPTED else gettext_noop("already recorded at this roll call"), ctx.ip,
                      ctx.client_time, checkin=row)
    where = row.bridge
    values = {"time": _when(row.at), "bridge": where.name}
    if outcome == Outcome.ACCEPTED:
        message = _("Checked in at %(time)s at %(bridge)s.") % values
        if row.foreign:
            message += " " + _("You are on another school's roster: this check-in is recorded and flagged.")
    else:
        message = _("Already checked in at %(time)s at %(bridge)s.") % values
    body = {
        "ok": True, "outcome": str(outcome), "message": message, "roll_call_id": roll_call.pk,
        "person_id": person.pk, "person_name": person.full_name, "bridge_id": where.pk, "bridge_name": where.name,
        "at": iso(row.at), "foreign": row.foreign,
    }
    if not reveal_name:
        del body["person_id"], body["person_name"]
    return attempt, STATUS[outcome], body


def new_checkin(roll_call: RollCall, person: Person, ctx: Context, *, at: datetime, recorded_by: str) -> CheckIn:
    """The row for a person seen at a bridge (not saved yet); someone on another roster is flagged."""
    # By ids, the related objects put in the instance's cache: the ORM's descriptors check each one given.
    row = CheckIn(roll_call_id=roll_call.pk, person_id=person.pk, bridge_id=ctx.bridge.pk,
                  foreign=person.bridge_id != ctx.bridge.pk, at=at, method=ctx.method, recorded_by=recorded_by[:120])
    row._state.fields_cache.update(roll_call=roll_call, person=person, bridge=ctx.bridge)
    return row


def feed_line(roll_call: RollCall, row: CheckIn) -> FeedLine:
    """What the boards' feed says of an accepted check-in."""
    return FeedLine(kind="checkin", at=epoch_ms(row.at), bridge_id=row.bridge.pk, bridge=row.bridge.name)


def _insert_once(row: CheckIn) -> bool:
    """Write the new row (what row.save() writes) unless the person is already recorded at the roll call:
    False then. One `INSERT ... ON CONFLICT DO NOTHING RETURNING id` on the unique constraint (PostgreSQL,
    SQLite): a concurrent tick of the same person waits for the other transaction, then inserts nothing;
    no savepoint, no ORM compiler."""
    row.received_at = timezone.now()  # auto_now_add
    meta, quote, ops = CheckIn._meta, connection.ops.quote_name, connection.ops
    columns = ", ".join(quote(meta.get_field(name).column) for name in CHECKIN_COLUMNS)
    values = [ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v
              for v in checkin_values(row, row.received_at)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(values))}) "  # noqa: S608 - names from _meta
            f"ON CONFLICT ({quote('roll_call_id')}, {quote('person_id')}) DO NOTHING RETURNING {quote('id')}", values)
        found = cursor.fetchone()
    if found is None:
        return False
    row.pk = found[0]
    row._state.adding, row._state.db = False, connection.alias
    return True


def _record(roll_call: RollCall, person: Person, ctx: Context, *, at: datetime,
            recorded_by: str) -> tuple[int, dict, CheckIn]:
    row = new_checkin(roll_call, person, ctx, at=at, recorded_by=recorded_by)
    if _insert_once(row):
        outcome = Outcome.ACCEPTED
    else:
        row = CheckIn.objects.select_related("bridge").get(roll_call=roll_call, person=person)
        outcome = Outcome.DUPLICATE
    attempt, status, body = recorded(roll_call, person, ctx, row, outcome)
    save_attempt(attempt)
    if outcome == Outcome.ACCEPTED:
        live.bridges_changed(roll_call.session.event_id, [ctx.bridge.pk], feed=feed_line(roll_call, row),
                             homes=[person.bridge_id])
    return status, body, row


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
    roll_call = console_reads.roll_call(roll_call_id)
    if roll_call is None:
        return _refuse(None, ctx, Outcome.INVALID, gettext_noop("unknown roll call"), message=_("This roll call does not exist."))
    if not participation.takes_part(bridge, roll_call.session.event):
        return _refuse(roll_call, ctx, Outcome.NOT_INVITED, gettext_noop("bridge not invited to the roll call's event"))
    person = console_reads.roster_person(bridge, person_id)
    if person is None:
        return _refuse(roll_call, ctx, Outcome.UNKNOWN_PERSON, gettext_noop("person not on this bridge's roster"),
                       message=_("This name is not on this bridge's roster."))
    at = tick_time(roll_call, ctx.client_time, now)
    if at is None:
        return _refuse(roll_call, ctx, Outcome.CLOSED, gettext_noop("tick time outside the roll call's open window"),
                       person=person, message=_("This roll call was not open when this tick was made."))
    if not roll_call.is_open(now):
        try:
            queued.check_late(bridge, opened=roll_call.opened_at, closed=roll_call.ends_at(), now=now,
                              window=queued.ROLL_CALL)
        except queued.QueuedWriteRefused as late:
            reason = (gettext_noop("queued tick received after the grace") if late.code == Outcome.TOO_LATE
                      else gettext_noop("console not seen while the roll call was open"))
            return _refuse(roll_call, ctx, late.code, reason, person=person, message=late.message)
    status, body, row = _record(roll_call, person, ctx, at=at, recorded_by=console_actor(bridge))
    # The console offers "Undo" next to its own tick until then (attendance.services.roster).
    body["undo_until"] = iso(roster.undo_until(row, bridge.pk, now))
    if body["outcome"] == Outcome.ACCEPTED:
        audit.record("attendance.tick", actor_label=console_actor(bridge), ip=ip, target=row, summary=f"{person.full_name} – {roll_call.label}"[:500],
                     details={"roll_call": roll_call.pk, "person": person.pk, "at": iso(at),
                              "client_time": iso(ctx.client_time), "nonce": nonce})
    return status, body
