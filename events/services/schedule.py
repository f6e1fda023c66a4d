"""Events, their sessions, agenda and participant groups: the rules on times and status.

Every change a calendar must show (times, title, host, description, livestream, status, sessions,
agenda) bumps Event.sequence, so calendar clients replace their copy instead of keeping a stale one.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bridges.models import Bridge, Tier
from core import audit, deletion
from core.text import clean_text

from .. import cancellation
from ..models import AgendaItem, Event, ParticipantGroup, Session

Status = Event.Status

# Where an event may go from each status. Cancelling is possible until the event has ended.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
    Status.PUBLISHED: {Status.LIVE, Status.CANCELLED},
    Status.LIVE: {Status.ENDED, Status.CANCELLED},
    Status.ENDED: set(),
    Status.CANCELLED: set(),
}

EVENT_FIELDS = ("title", "kind", "host", "description", "starts_at", "ends_at", "livestream_url")
# Fields an .ics file shows: a change to any of them must reach calendar clients.
CALENDAR_FIELDS = {"title", "host", "description", "starts_at", "ends_at", "livestream_url", "status"}


def local_text(value: datetime, fmt: str = "SHORT_DATETIME_FORMAT") -> str:
    """A stored aware time as people read it: local time, dd/mm/yyyy HH:MM."""
    return formats.date_format(timezone.localtime(value), fmt)


def clean_multiline(value) -> str:
    """clean_text for each line, keeping the line breaks people typed."""
    lines = [clean_text(line) for line in str(value or "").splitlines()]
    return "\n".join(lines).strip()


def require_editable(event: Event) -> None:
    # Asks the database: the caller's copy of the event may be older than its status.
    status = Event.objects.filter(pk=event.pk).values_list("status", flat=True).first() if event.pk else event.status
    if status in (Status.ENDED, Status.CANCELLED):
        raise ValidationError(_("This event has ended or was cancelled; it can no longer be changed."))


def _require_order(starts_at, ends_at, message: str) -> None:
    if starts_at is None or ends_at is None:
        raise ValidationError(_("Both the start and the end time are required."))
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("times must be aware")  # a programming error, not bad input
    if ends_at <= starts_at:
        raise ValidationError(message)


def _require_within(starts_at, ends_at, outer_start, outer_end, message: str, **params) -> None:
    if starts_at < outer_start or ends_at > outer_end:
        raise ValidationError(message % {
            "start": local_text(starts_at), "end": local_text(ends_at),
            "outer_start": local_text(outer_start), "outer_end": local_text(outer_end), **params,
        })


def _bump_sequence(event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1, updated_at=timezone.now())
    event.refresh_from_db(fields=["sequence", "updated_at"])


# --- events ---------------------------------------------------------------------------------

def _clean_event_values(values: dict) -> dict:
    cleaned = dict(values)
    if "title" in cleaned:
        cleaned["title"] = clean_text(cleaned["title"])[:255]
    if "description" in cleaned:
        cleaned["description"] = clean_multiline(cleaned["description"])
    if "livestream_url" in cleaned:
        cleaned["livestream_url"] = clean_text(cleaned["livestream_url"])
    if "kind" in cleaned and cleaned["kind"] not in Event.Kind.values:
        raise ValidationError(_("Unknown kind of event."))
    return cleaned


def validate_event(event: Event) -> None:
    """The event as it would be saved: title, time order, and its sessions still inside it."""
    if not event.title:
        raise ValidationError(_("The event needs a title."))
    if not isinstance(event.host, Bridge):
        raise ValidationError(_("Choose the host bridge."))
    _require_order(event.starts_at, event.ends_at, _("The event must end after it starts."))
    if event.pk:
        for session in event.sessions.all():
            if session.starts_at < event.starts_at or session.ends_at > event.ends_at:
                raise ValidationError(
                    _("The session “%(title)s” (%(start)s–%(end)s) would fall outside the event; "
                      "move or shorten it first.") % {
                        "title": session.title, "start": local_text(session.starts_at),
                        "end": local_text(session.ends_at)}
                )


@transaction.atomic
def create_event(*, title, host, starts_at, ends_at, kind=Event.Kind.LAUNCH, description="",
                 livestream_url="", request=None) -> Event:
    values = _clean_event_values({
        "title": title, "kind": kind, "host": host, "description": description, "starts_at": starts_at,
        "ends_at": ends_at, "livestream_url": livestream_url,
    })
    user = getattr(request, "user", None)
    event = Event(**values, created_by=user if user is not None and user.is_authenticated else None)
    validate_event(event)
    event.save()
    audit.record("event.create", request=request, target=event, summary=event.title)
    return event


@transaction.atomic
def update_event(event: Event, changes: dict, *, request=None) -> Event:
    require_editable(event)
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    values = _clean_event_values(changes)
    event = Event.objects.select_for_update().get(pk=event.pk)
    changed = []
    for field, value in values.items():
        old = getattr(event, field)
        if old != value:
            setattr(event, field, value)
            changed.append(field)
    if not changed:
        return event
    validate_event(event)
    event.save()
    if CALENDAR_FIELDS.intersection(changed):
        _bump_sequence(event)
    audit.record("event.update", request=request, target=event, summary=event.title,
                 details={"changed": changed})
    return event


@transaction.atomic
def set_status(event: Event, new_status: str, *, request=None) -> Event:
    caller_copy = event
    event = Event.objects.select_for_update().get(pk=event.pk)
    if new_status not in Status.values:
        raise ValidationError(_("Unknown status."))
    if new_status not in TRANSITIONS[event.status]:
        raise ValidationError(_("An event that is “%(old)s” cannot become “%(new)s”.") % {
            "old": event.get_status_display(), "new": Status(new_status).label})
    if new_status == Status.PUBLISHED and not event.sessions.exists():
        raise ValidationError(_("Add at least one session before publishing the event."))
    old = event.status
    event.status = new_status
    event.save(update_fields=["status", "updated_at"])
    _bump_sequence(event)
    audit.record("event.status", request=request, target=event, summary=f"{old} → {new_status}",
                 details={"from": old, "to": new_status})
    if new_status == Status.CANCELLED:
        # Calendars holding the e-mailed invitation learn of it by METHOD:CANCEL (a job, after commit).
        cancellation.start_cancellation_emails(event, previous_status=old, user=getattr(request, "user", None))
    caller_copy.status, caller_copy.sequence = event.status, event.sequence
    return event


@transaction.atomic
def mark_launched(event: Event, at: datetime, *, actor_label: str = "", request=None, user=None) -> Event:
    """The launch button was pressed (attendance.launch): the event keeps when it was launched, and an
    announced event is now live (đang diễn ra), as its pages, calendars and the consoles then say."""
    caller_copy = event
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.launched_at is None:
        old = event.status
        event.launched_at = at
        if old == Status.PUBLISHED and Status.LIVE in TRANSITIONS[old]:
            event.status = Status.LIVE
        event.save(update_fields=["launched_at", "status", "updated_at"])
        if event.status != old:
            _bump_sequence(event)
            audit.record("event.status", request=request, user=user, actor_label=actor_label, target=event,
                         summary=f"{old} → {event.status}", details={"from": old, "to": event.status, "by": "launch"})
    caller_copy.launched_at, caller_copy.status, caller_copy.sequence = event.launched_at, event.status, event.sequence
    return event


# --- sessions -------------------------------------------------------------------------------

def validate_session(session: Session) -> None:
    if not session.title:
        raise ValidationError(_("The session needs a title."))
    _require_order(session.starts_at, session.ends_at, _("The session must end after it starts."))
    event = session.event
    _require_within(
        session.starts_at, session.ends_at, event.starts_at, event.ends_at,
        _("The session (%(start)s–%(end)s) must lie within the event (%(outer_start)s–%(outer_end)s)."),
    )
    if session.pk:
        for item in session.agenda.all():
            if item.starts_at < session.starts_at or item.ends_at > session.ends_at:
                raise ValidationError(
                    _("The agenda item “%(title)s” (%(start)s–%(end)s) would fall outside the session; "
                      "move it first.") % {
                        "title": item.title, "start": local_text(item.starts_at, "TIME_FORMAT"),
                        "end": local_text(item.ends_at, "TIME_FORMAT")}
                )


@transaction.atomic
def add_session(event: Event, *, title, starts_at, ends_at, counts_for_completion=False, request=None) -> Session:
    require_editable(event)
    session = Session(event=event, title=clean_text(title)[:255], starts_at=starts_at, ends_at=ends_at,
                      counts_for_completion=bool(counts_for_completion))
    validate_session(session)
    session.save()
    _bump_sequence(event)
    audit.record("event.session_add", request=request, target=event, summary=session.title,
                 details={"session": session.pk})
    return session


@transaction.atomic
def update_session(session: Session, changes: dict, *, request=None) -> Session:
    require_editable(session.event)
    allowed = {"title", "starts_at", "ends_at", "counts_for_completion"}
    if set(changes) - allowed:
        raise ValueError(f"not editable here: {sorted(set(changes) - allowed)}")
    session = Session.objects.select_related("event", "event__host").get(pk=session.pk)
    if "title" in changes:
        changes = {**changes, "title": clean_text(changes["title"])[:255]}
    changed = [field for field, value in changes.items() if getattr(session, field) != value]
    if not changed:
        return session
    for field in changed:
        setattr(session, field, changes[field])
    validate_session(session)
    session.save()
    _bump_sequence(session.event)
    audit.record("event.session_update", request=request, target=session.event, summary=session.title,
                 details={"session": session.pk, "changed": changed})
    return session


@transaction.atomic
def delete_session(session: Session, *, request=None) -> None:
    """Delete a session and its agenda; refused (core.deletion, with the counts) once anything was recorded
    in it: roll calls with check-ins or attempts, connection time... Those rows are evidence (PROTECT)."""
    event = session.event
    require_editable(event)
    title, pk = session.title, session.pk
    deletion.delete_or_refuse(session)
    _bump_sequence(event)
    audit.record("event.session_delete", request=request, target=event, summary=title, details={"session": pk})


# --- agenda ---------------------------------------------------------------------------------

def validate_agenda_item(item: AgendaItem) -> None:
    if not item.title:
        raise ValidationError(_("The agenda item needs a title."))
    if item.kind not in AgendaItem.Kind.values:
        raise ValidationError(_("Unknown kind of agenda item."))
    _require_order(item.starts_at, item.ends_at, _("The agenda item must end after it starts."))
    session = item.session
    _require_within(
        item.starts_at, item.ends_at, session.starts_at, session.ends_at,
        _("The agenda item (%(start)s–%(end)s) must lie within its session “%(session)s” "
          "(%(outer_start)s–%(outer_end)s)."),
        session=session.title,
    )
    clash = (session.agenda.exclude(pk=item.pk).filter(starts_at__lt=item.ends_at, ends_at__gt=item.starts_at)
             .order_by("starts_at").first())
    if clash is not None:
        raise ValidationError(_("This item overlaps “%(title)s” (%(start)s–%(end)s).") % {
            "title": clash.title, "start": local_text(clash.starts_at, "TIME_FORMAT"),
            "end": local_text(clash.ends_at, "TIME_FORMAT")})


def _clean_agenda_values(values: dict) -> dict:
    cleaned = dict(values)
    for field, limit in (("title", 255), ("speaker", 200)):
        if field in cleaned:
            cleaned[field] = clean_text(cleaned[field])[:limit]
    return cleaned


@transaction.atomic
def add_agenda_item(session: Session, *, title, starts_at, ends_at, speaker="", kind=AgendaItem.Kind.OTHER,
                    order=None, request=None) -> AgendaItem:
    require_editable(session.event)
    if order is None:
        order = (session.agenda.aggregate(m=Max("order"))["m"] or 0) + 1
    item = AgendaItem(session=session, order=order, **_clean_agenda_values({
        "title": title, "speaker": speaker, "kind": kind, "starts_at": starts_at, "ends_at": ends_at}))
    validate_agenda_item(item)
    item.save()
    _bump_sequence(session.event)
    audit.record("event.agenda_add", request=request, target=session.event, summary=item.title,
                 details={"agenda_item": item.pk, "session": session.pk})
    return item


@transaction.atomic
def update_agenda_item(item: AgendaItem, changes: dict, *, request=None) -> AgendaItem:
    allowed = {"title", "speaker", "kind", "starts_at", "ends_at", "order"}
    if set(changes) - allowed:
        raise ValueError(f"not editable here: {sorted(set(changes) - allowed)}")
    item = AgendaItem.objects.select_related("session", "session__event").get(pk=item.pk)
    require_editable(item.session.event)
    changes = _clean_agenda_values(changes)
    changed = [field for field, value in changes.items() if getattr(item, field) != value]
    if not changed:
        return item
    for field in changed:
        setattr(item, field, changes[field])
    validate_agenda_item(item)
    item.save()
    _bump_sequence(item.session.event)
    audit.record("event.agenda_update", request=request, target=item.session.event, summary=item.title,
                 details={"agenda_item": item.pk, "changed": changed})
    return item


# Deleting an agenda item can be undone for this long (the page's message carries an Undo button).
AGENDA_UNDO_SECONDS = 10 * 60


class UndoRefused(ValidationError):
    pass


@transaction.atomic
def delete_agenda_item(item: AgendaItem, *, request=None) -> None:
    """Take an item off the agenda. It is kept, hidden (`deleted_at`), so that `restore_agenda_item` can put
    it back within AGENDA_UNDO_SECONDS; calendars, letters and consoles stop showing it at once."""
    event = item.session.event
    require_editable(event)
    now = timezone.now()
    AgendaItem.objects.filter(pk=item.pk).update(deleted_at=now)
    item.deleted_at = now
    _bump_sequence(event)
    audit.record("event.agenda_delete", request=request, target=event, summary=item.title,
                 details={"agenda_item": item.pk, "session": item.session_id,
                          "undo_until": (now + timedelta(seconds=AGENDA_UNDO_SECONDS)).isoformat()})


def undo_deadline(item: AgendaItem):
    return item.deleted_at + timedelta(seconds=AGENDA_UNDO_SECONDS) if item.deleted_at else None


@transaction.atomic
def restore_agenda_item(event: Event, item_id: int, *, request=None) -> AgendaItem:
    """Undo a delete: the item comes back as it was, if it was deleted less than AGENDA_UNDO_SECONDS ago
    and its slot is still free (an item added since in the same time refuses it, with its title)."""
    require_editable(event)
    item = (AgendaItem.with_deleted.select_for_update().select_related("session", "session__event")
            .filter(pk=item_id, session__event=event, deleted_at__isnull=False).first())
    if item is None:
        raise UndoRefused(_("There is no deleted agenda item to restore here."))
    if timezone.now() > undo_deadline(item):
        raise UndoRefused(_("“%(title)s” was deleted more than %(minutes)s minutes ago: add it again instead.") % {
            "title": item.title, "minutes": AGENDA_UNDO_SECONDS // 60})
    validate_agenda_item(item)  # the session may have changed, or its slot been taken, since
    deleted_at = item.deleted_at
    AgendaItem.with_deleted.filter(pk=item.pk).update(deleted_at=None)
    item.deleted_at = None
    _bump_sequence(event)
    audit.record("event.agenda_restore", request=request, target=event, summary=item.title,
                 details={"agenda_item": item.pk, "session": item.session_id, "deleted_at": deleted_at.isoformat()})
    return item


# --- participant groups ---------------------------------------------------------------------

@transaction.atomic
def set_participant_groups(event: Event, descriptions: dict[Tier, str], *, request=None) -> list[ParticipantGroup]:
    """Who attends at each tier; an empty text removes the tier's group."""
    require_editable(event)
    existing = {group.tier_id: group for group in event.participant_groups.all()}
    changed = []
    for tier, raw in descriptions.items():
        text = clean_multiline(raw)
        group = existing.get(tier.pk)
        if not text:
            if group is not None:
                group.delete()
                changed.append(tier.code)
            continue
        if group is None:
            ParticipantGroup.objects.create(event=event, tier=tier, description=text)
            changed.append(tier.code)
        elif group.description != text:
            group.description = text
            group.save(update_fields=["description"])
            changed.append(tier.code)
    if changed:
        audit.record("event.participant_groups", request=request, target=event, summary=event.title,
                     details={"tiers": changed})
    return list(event.participant_groups.select_related("tier").order_by("tier__order"))
