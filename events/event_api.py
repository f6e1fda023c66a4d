"""HTTP API of events, sessions, agenda, invitations, readiness and reminders (/api/events/...).

Times without a zone are read as Asia/Ho_Chi_Minh; answers carry the offset. Refusals are 400 with
a Vietnamese `detail` and one message per problem in `errors`.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from bridges import scope
from bridges.models import Bridge, Role, Tier
from core import confirm
from core.openapi import refusals

from . import access, services
from .access import visible_events
from .models import AgendaItem, Event, Invitation, Session
from .services.readiness import scoped_invitations

router = Router(tags=["events"])

ORGANIZER = Role.Kind.ORGANIZER


class AgendaItemOut(Schema):
    id: int
    order: int
    starts_at: datetime
    ends_at: datetime
    title: str
    speaker: str
    kind: str


class SessionOut(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    counts_for_completion: bool
    agenda: list[AgendaItemOut]

    @staticmethod
    def resolve_agenda(obj):
        return list(obj.agenda.all())


class ParticipantGroupOut(Schema):
    tier: str
    tier_label: str
    description: str


class EventSummaryOut(Schema):
    id: int
    uid: UUID
    title: str
    kind: str
    status: str
    host_code: str
    host_name: str
    starts_at: datetime
    ends_at: datetime
    sequence: int

    @staticmethod
    def resolve_host_code(obj):
        return obj.host.code

    @staticmethod
    def resolve_host_name(obj):
        return obj.host.name


class EventOut(EventSummaryOut):
    description: str
    livestream_url: str
    launched_at: datetime | None  # when the launch button was pressed (the launch moment), once it was
    sessions: list[SessionOut]
    participant_groups: list[ParticipantGroupOut]

    @staticmethod
    def resolve_sessions(obj):
        return list(obj.sessions.prefetch_related("agenda"))

    @staticmethod
    def resolve_participant_groups(obj):
        return [{"tier": g.tier.code, "tier_label": g.tier.label, "description": g.description}
                for g in obj.participant_groups.select_related("tier").order_by("tier__order")]


class EventIn(Schema):
    title: str
    kind: Literal["launch", "training", "conference"] = "launch"
    host: str  # bridge code
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    livestream_url: str = ""


class EventPatch(Schema):
    title: str | None = None
    kind: Literal["launch", "training", "conference"] | None = None
    host: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    description: str | None = None
    livestream_url: str | None = None


class StatusIn(Schema):
    status: Literal["draft", "published", "live", "ended", "cancelled"]


class SessionIn(Schema):
    title: str
    starts_at: datetime
    ends_at: datetime
    counts_for_completion: bool = False


class SessionPatch(Schema):
    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    counts_for_completion: bool | None = None


class AgendaItemIn(Schema):
    title: str
    starts_at: datetime
    ends_at: datetime
    speaker: str = ""
    kind: str = AgendaItem.Kind.OTHER
    order: int | None = None


class AgendaItemPatch(Schema):
    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    speaker: str | None = None
    kind: str | None = None
    order: int | None = None


class ParticipantGroupIn(Schema):
    tier: str  # tier code
    description: str  # empty removes the group


class InviteIn(Schema):
    mode: Literal["all", "subtree", "selection"]
    root: str | None = None  # bridge code, for mode=subtree
    codes: list[str] = []  # bridge codes, for mode=selection (a pasted or imported list)
    # The number of new invitations the caller expects (core.confirm); another number answers 409.
    expected: int | None = None


class InviteOut(Schema):
    created: int
    already: int


class InvitationOut(Schema):
    bridge_code: str
    bridge_name: str
    status: str
    invited_at: datetime
    responded_at: datetime | None
    decline_reason: str
    problem: str
    expected_participants: int | None
    contact_phone: str
    reminder_count: int
    last_reminded_at: datetime | None

    @staticmethod
    def resolve_bridge_code(obj):
        return obj.bridge.code

    @staticmethod
    def resolve_bridge_name(obj):
        return obj.bridge.name

    @staticmethod
    def resolve_contact_phone(obj):
        return obj.bridge.contact_phone


class DistrictOut(Schema):
    code: str
    name: str
    total: int
    invited: int
    confirmed: int = Field(description="All that confirmed: untested, tested OK and with a problem")
    untested: int = Field(description="Confirmed, no readiness test yet")
    tested_ok: int
    problem: int
    declined: int
    ready_percent: int


class ChaseOut(Schema):
    id: int
    code: str
    name: str
    district: str
    contact: str
    phone: str
    status: str
    problem: str
    decline_reason: str
    reminder_count: int
    last_reminded_at: datetime | None
    last_test_at: datetime | None


class ReadinessOut(Schema):
    district_label: str
    districts: list[DistrictOut]
    totals: DistrictOut
    not_confirmed: list[ChaseOut]
    problems: list[ChaseOut]
    untested: list[ChaseOut]
    declined: list[ChaseOut]


class InvitationRemindIn(Schema):
    which: Literal["chosen", "not_confirmed", "problems", "untested"] = "chosen"
    invitation_ids: list[int] = []
    # The number of e-mails the caller expects to be sent now (core.confirm); another number answers 409.
    expected: int | None = None


class JobRefOut(Schema):
    job_id: int
    count: int


def _aware(value: datetime | None) -> datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, timezone.get_default_timezone())



def _event(request, event_id: int, *, edit: bool = False) -> Event:
    return access.get_event(request.user, event_id, manage=edit)


def _host(code: str) -> Bridge:
    host = Bridge.objects.filter(code=code, tier__role__in=[Tier.Role.HOST, Tier.Role.INTERMEDIATE]).first()
    if host is None:
        raise ValidationError(_("No host or intermediate bridge has the code “%(code)s”.") % {"code": code})
    return host


def _times(values: dict) -> dict:
    return {key: _aware(value) if key in ("starts_at", "ends_at") else value for key, value in values.items()}


# --- events ---------------------------------------------------------------------------------

@router.get("/", response={200: list[EventSummaryOut], **refusals(403)},
            summary="Events the caller may see (drafts: organizers only)")
@paginate  # core.pagination.Page (NINJA_PAGINATION_CLASS): limit and offset capped
def list_events(request, status: str | None = None):
    """Lists the events the caller may see, latest start first, filtered by `status` when given and paged with
    `limit` and `offset`. Any account with a role: drafts are listed to organizers only, and an account
    without a role is refused (403).
    """
    scope.require_role(request.user)
    events = visible_events(request.user).order_by("-starts_at")
    if status:
        events = events.filter(status=status)
    return events


@router.post("/", response={201: EventOut, **refusals(400, 403)}, summary="Create an event (organizers)")
def create_event(request, payload: EventIn):
    """Creates an event as a draft, hosted by a host or intermediate bridge given by its code; times without a
    zone are read as Asia/Ho_Chi_Minh. Organizers only. A value that is refused (an end before the start, an
    unknown host) answers 400 with the reason.
    """
    scope.require_role(request.user, ORGANIZER)
    values = _times(payload.dict())
    values["host"] = _host(values["host"])
    event = services.create_event(**values, request=request)
    return Status(201, event)


@router.get("/{event_id}", response={200: EventOut, **refusals(403, 404)},
            summary="An event with its sessions, agenda and participant groups")
def get_event(request, event_id: int):
    """One event with its sessions, each session's agenda, and who attends at each tier. Any account with a
    role; a draft is a 404 to everyone but organizers.
    """
    return _event(request, event_id)


@router.patch("/{event_id}", response={200: EventOut, **refusals(400, 403, 404)},
              summary="Change an event (organizers)")
def update_event(request, event_id: int, payload: EventPatch):
    """Changes the fields sent and keeps the others; the event's sequence goes up, so calendars that hold it
    replace their copy. Organizers only; an ended or cancelled event can no longer be changed (400).
    """
    event = _event(request, event_id, edit=True)
    changes = _times(payload.dict(exclude_unset=True))
    if "host" in changes:
        changes["host"] = _host(changes["host"])
    event = services.update_event(event, changes, request=request)
    return Status(200, event)


@router.post("/{event_id}/status", response={200: EventOut, **refusals(400, 403, 404)},
             summary="Move an event: draft → published → live → ended, or cancelled (organizers)")
def set_status(request, event_id: int, payload: StatusIn):
    """Moves the event to another status along draft, published, live, ended, or to cancelled; a move the
    sequence does not allow, or publishing without a session, answers 400. Organizers only.
    """
    event = _event(request, event_id, edit=True)
    event = services.set_status(event, payload.status, request=request)
    return Status(200, event)


@router.put("/{event_id}/participant-groups",
            response={200: list[ParticipantGroupOut], **refusals(400, 403, 404)},
            summary="Who attends at each tier (organizers)")
def set_participant_groups(request, event_id: int, payload: list[ParticipantGroupIn]):
    """Sets, per tier of the bridge tree, who attends (for example “the head and two teachers”); an empty
    description removes that tier's group, an unknown tier code answers 400. Organizers only.
    """
    event = _event(request, event_id, edit=True)
    tiers = {tier.code: tier for tier in Tier.objects.all()}
    unknown = [item.tier for item in payload if item.tier not in tiers]
    if unknown:
        return Status(400, {"detail": _("The request was refused."),
                            "errors": [_("Unknown tier: %(code)s.") % {"code": code} for code in unknown]})
    groups = services.set_participant_groups(
        event, {tiers[item.tier]: item.description for item in payload}, request=request)
    return Status(200, [{"tier": g.tier.code, "tier_label": g.tier.label, "description": g.description} for g in groups])


# --- sessions and agenda --------------------------------------------------------------------

@router.post("/{event_id}/sessions", response={201: SessionOut, **refusals(400, 403, 404)},
             summary="Add a session (organizers)")
def add_session(request, event_id: int, payload: SessionIn):
    """Adds a session within the event's times; whether it counts for the training's completion is set here.
    Organizers only; times outside the event or an ended event answer 400.
    """
    event = _event(request, event_id, edit=True)
    session = services.add_session(event, **_times(payload.dict()), request=request)
    return Status(201, session)


@router.patch("/{event_id}/sessions/{session_id}", response={200: SessionOut, **refusals(400, 403, 404)},
              summary="Change a session (organizers)")
def update_session(request, event_id: int, session_id: int, payload: SessionPatch):
    """Changes the fields sent of one session of the event and keeps the others. Organizers only; 404 for a
    session of another event.
    """
    event = _event(request, event_id, edit=True)
    session = get_object_or_404(Session, pk=session_id, event=event)
    session = services.update_session(session, _times(payload.dict(exclude_unset=True)), request=request)
    return Status(200, session)


@router.delete("/{event_id}/sessions/{session_id}", response={204: None, **refusals(400, 403, 404)},
               summary="Delete a session and its agenda (organizers)")
def delete_session(request, event_id: int, session_id: int):
    """Deletes one session of the event together with its agenda items. Organizers only; an ended or cancelled
    event answers 400, and so does a session that holds attendance (check-ins or check-in attempts of its
    roll calls): code `has_records`, the message says what and how many, nothing is deleted.
    """
    event = _event(request, event_id, edit=True)
    session = get_object_or_404(Session, pk=session_id, event=event)
    services.delete_session(session, request=request)
    return Status(204, None)


@router.post("/{event_id}/sessions/{session_id}/agenda",
             response={201: AgendaItemOut, **refusals(400, 403, 404)},
             summary="Add an agenda item to a session (organizers)")
def add_agenda_item(request, event_id: int, session_id: int, payload: AgendaItemIn):
    """Adds an item (a speech, a report, a break...) to one session's agenda, within the session's times and
    overlapping no other item (400 otherwise). Organizers only.
    """
    event = _event(request, event_id, edit=True)
    session = get_object_or_404(Session, pk=session_id, event=event)
    item = services.add_agenda_item(session, **_times(payload.dict()), request=request)
    return Status(201, item)


@router.patch("/{event_id}/agenda/{item_id}", response={200: AgendaItemOut, **refusals(400, 403, 404)},
              summary="Change an agenda item (organizers)")
def update_agenda_item(request, event_id: int, item_id: int, payload: AgendaItemPatch):
    """Changes the fields sent of one agenda item of the event and keeps the others; the same time rules as
    when adding apply. Organizers only.
    """
    event = _event(request, event_id, edit=True)
    item = get_object_or_404(AgendaItem, pk=item_id, session__event=event)
    item = services.update_agenda_item(item, _times(payload.dict(exclude_unset=True)), request=request)
    return Status(200, item)


@router.delete("/{event_id}/agenda/{item_id}", response={204: None, **refusals(400, 403, 404)},
               summary="Delete an agenda item (organizers)")
def delete_agenda_item(request, event_id: int, item_id: int):
    """Takes one agenda item off the event's programme (calendars and consoles stop showing it). It can be
    put back for AGENDA_UNDO_SECONDS (10 minutes) with `POST .../agenda/{item_id}/restore`. Organizers only;
    an ended or cancelled event answers 400. Written to the audit log.
    """
    event = _event(request, event_id, edit=True)
    item = get_object_or_404(AgendaItem.objects.select_related("session__event"), pk=item_id, session__event=event)
    services.delete_agenda_item(item, request=request)
    return Status(204, None)


@router.post("/{event_id}/agenda/{item_id}/restore", response={200: AgendaItemOut, **refusals(400, 403, 404)},
             summary="Undo the delete of an agenda item, within minutes (organizers)")
def restore_agenda_item(request, event_id: int, item_id: int):
    """Puts a deleted agenda item back as it was, if it was deleted less than ten minutes ago; 400 after that,
    for an item that is not deleted, or when another item now takes its time. Organizers only; written to the
    audit log, as the delete was.
    """
    event = _event(request, event_id, edit=True)
    return Status(200, services.restore_agenda_item(event, item_id, request=request))


# --- invitations, readiness, reminders ------------------------------------------------------

@router.post("/{event_id}/invite", response={200: InviteOut, **refusals(400, 403, 404, 409)},
             summary="Invite bridges: all in scope, a subtree, or a list of codes (organizers)")
def invite(request, event_id: int, payload: InviteIn):
    """Invites bridges to the event: every bridge in the caller's scope, the subtree of one bridge, or a list
    of codes (each unknown or out-of-scope code is named in the 400). Bridges already invited are left as
    they are, so the call can be repeated. Each new invitation shows the event on the bridge's console at once
    and is not withdrawn: pass `expected` (the number of new invitations you reviewed) to be answered 409
    `count_changed`, inviting nobody, when it differs. Organizers only; written to the audit log.
    """
    event = _event(request, event_id, edit=True)
    visible = scope.visible_bridges(request.user)
    if payload.mode == "all":
        bridges, how = visible, "all"
    elif payload.mode == "subtree":
        root = visible.filter(code=payload.root or "").first()
        if root is None:
            raise ValidationError(_("No bridge with code “%(code)s” in your scope.") % {"code": payload.root or ""})
        bridges, how = visible.filter(path__startswith=root.path), f"subtree {root.code}"
    else:
        bridges, problems = services.resolve_codes(
            request.user, [(number, code) for number, code in enumerate(payload.codes, start=1)])
        if problems:
            raise ValidationError(problems)
        how = "selection"
    if payload.expected is not None:
        confirm.require_expected(payload.expected, services.invite_preview(event, bridges).created)
    result = services.invite_bridges(event, bridges, request=request, how=how)
    return Status(200, {"created": result.created, "already": result.already})


@router.get("/{event_id}/invitations", response={200: list[InvitationOut], **refusals(403, 404)},
            summary="Invitations of bridges in the caller's scope")
@paginate  # core.pagination.Page (NINJA_PAGINATION_CLASS): limit and offset capped
def list_invitations(request, event_id: int, status: str | None = None):
    """The invitations of the bridges in the caller's scope, in tree order: each one's answer, decline reason,
    readiness problem, expected participants and reminders sent, filtered by `status` and paged. Any account
    with a role.
    """
    event = _event(request, event_id)
    invitations = scoped_invitations(event, request.user).select_related("bridge").order_by("bridge__path")
    if status:
        invitations = invitations.filter(status=status)
    return invitations


@router.get("/{event_id}/readiness", response={200: ReadinessOut, **refusals(403, 404)},
            summary="Counts per district and the bridges to chase, within the caller's scope")
def readiness(request, event_id: int):
    """How ready the invited bridges are, per district and in total (confirmed, tested, with a problem,
    declined), and the lists of bridges to chase with their contacts. Any account with a role, within its
    scope.
    """
    event = _event(request, event_id)
    summary = services.readiness_summary(event, request.user)
    return {
        "district_label": summary.district_label, "districts": [row.as_dict() for row in summary.rows],
        "totals": summary.totals.as_dict(), "not_confirmed": summary.not_confirmed, "problems": summary.problems,
        "untested": summary.untested, "declined": summary.declined,
    }


@router.post("/{event_id}/reminders", response={202: JobRefOut, **refusals(400, 403, 404, 409)},
             summary="E-mail reminders to chosen bridges or a whole list (organizers, district officers)")
def send_reminders(request, event_id: int, payload: InvitationRemindIn):
    """Starts a background job that e-mails a reminder to the chosen invitations, or to every bridge of one
    list (not confirmed, with a problem, untested) within the caller's scope, and answers its id. E-mails
    cannot be called back: pass `expected` (the e-mails you expect sent now; bridges without an address or
    reminded within the cooldown are not mailed) to be answered 409 `count_changed`, sending nothing, when it
    differs. Organizers and district officers; officials are refused (403), an empty choice answers 400.
    """
    event = _event(request, event_id)
    scope.require_role(request.user, Role.Kind.ORGANIZER, Role.Kind.DISTRICT_OFFICER)
    if payload.which == "chosen":
        targets = services.reminder_targets(event, request.user, ids=payload.invitation_ids)
    else:
        statuses = {"not_confirmed": Invitation.Status.INVITED, "problems": Invitation.Status.PROBLEM,
                    "untested": Invitation.Status.CONFIRMED}
        targets = services.reminder_targets(event, request.user).filter(status=statuses[payload.which])
    if payload.expected is not None:
        confirm.require_expected(payload.expected, services.reminder_preview(targets)["mailed"])
    job = services.start_reminders(event, targets, request=request)
    return Status(202, {"job_id": job.pk, "count": len(job.params["invitations"])})
