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
from ninja.pagination import LimitOffsetPagination, paginate

from bridges import scope
from bridges.models import Bridge, Role, Tier
from core.errors import ErrorOut

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


class RemindIn(Schema):
    which: Literal["chosen", "not_confirmed", "problems", "untested"] = "chosen"
    invitation_ids: list[int] = []


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

@router.get("/", response=list[EventSummaryOut], summary="Events the caller may see (drafts: organizers only)")
@paginate(LimitOffsetPagination)
def list_events(request, status: str | None = None):
    scope.require_role(request.user)
    events = visible_events(request.user).order_by("-starts_at")
    if status:
        events = events.filter(status=status)
    return events


@router.post("/", response={201: EventOut, 400: ErrorOut}, summary="Create an event (organizers)")
def create_event(request, payload: EventIn):
    scope.require_role(request.user, ORGANIZER)
    values = _times(payload.dict())
    values["host"] = _host(values["host"])
    event = services.create_event(**values, request=request)
    return Status(201, event)


@router.get("/{event_id}", response=EventOut, summary="An event with its sessions, agenda and participant groups")
def get_event(request, event_id: int):
    return _event(request, event_id)


@router.patch("/{event_id}", response={200: EventOut, 400: ErrorOut}, summary="Change an event (organizers)")
def update_event(request, event_id: int, payload: EventPatch):
    event = _event(request, event_id, edit=True)
    changes = _times(payload.dict(exclude_unset=True))
    if "host" in changes:
        changes["host"] = _host(changes["host"])
    event = services.update_event(event, changes, request=request)
    return Status(200, event)


@router.post("/{event_id}/status", response={200: EventOut, 400: ErrorOut},
             summary="Move an event: draft → published → live → ended, or cancelled (organizers)")
def set_status(request, event_id: int, payload: StatusIn):
    event = _event(request, event_id, edit=True)
    event = services.set_status(event, payload.status, request=request)
    return Status(200, event)


@router.put("/{event_id}/participant-groups", response={200: list[ParticipantGroupOut], 400: ErrorOut},
            summary="Who attends at each tier (organizers)")
def set_participant_groups(request, event_id: int, payload: list[ParticipantGroupIn]):
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

@router.post("/{event_id}/sessions", response={201: SessionOut, 400: ErrorOut}, summary="Add a session (organizers)")
def add_session(request, event_id: int, payload: SessionIn):
    event = _event(request, event_id, edit=True)
    session = services.add_session(event, **_times(payload.dict()), request=request)
    return Status(201, session)


@router.patch("/{event_id}/sessions/{session_id}", response={200: SessionOut, 400: ErrorOut},
              summary="Change a session (organizers)")
def update_session(request, event_id: int, session_id: int, payload: SessionPatch):
    event = _event(request, event_id, edit=True)
    session = get_object_or_404(Session, pk=session_id, event=event)
    session = services.update_session(session, _times(payload.dict(exclude_unset=True)), request=request)
    return Status(200, session)


@router.delete("/{event_id}/sessions/{session_id}", response={204: None, 400: ErrorOut},
               summary="Delete a session and its agenda (organizers)")
def delete_session(request, event_id: int, session_id: int):
    event = _event(request, event_id, edit=True)
    session = get_object_or_404(Session, pk=session_id, event=event)
    services.delete_session(session, request=request)
    return Status(204, None)


@router.post("/{event_id}/sessions/{session_id}/agenda", response={201: AgendaItemOut, 400: ErrorOut},
             summary="Add an agenda item to a session (organizers)")
def add_agenda_item(request, event_id: int, session_id: int, payload: AgendaItemIn):
    event = _event(request, event_id, edit=True)
    session = get_object_or_404(Session, pk=session_id, event=event)
    item = services.add_agenda_item(session, **_times(payload.dict()), request=request)
    return Status(201, item)


@router.patch("/{event_id}/agenda/{item_id}", response={200: AgendaItemOut, 400: ErrorOut},
              summary="Change an agenda item (organizers)")
def update_agenda_item(request, event_id: int, item_id: int, payload: AgendaItemPatch):
    event = _event(request, event_id, edit=True)
    item = get_object_or_404(AgendaItem, pk=item_id, session__event=event)
    item = services.update_agenda_item(item, _times(payload.dict(exclude_unset=True)), request=request)
    return Status(200, item)


@router.delete("/{event_id}/agenda/{item_id}", response={204: None, 400: ErrorOut},
               summary="Delete an agenda item (organizers)")
def delete_agenda_item(request, event_id: int, item_id: int):
    event = _event(request, event_id, edit=True)
    item = get_object_or_404(AgendaItem.objects.select_related("session__event"), pk=item_id, session__event=event)
    services.delete_agenda_item(item, request=request)
    return Status(204, None)


# --- invitations, readiness, reminders ------------------------------------------------------

@router.post("/{event_id}/invite", response={200: InviteOut, 400: ErrorOut},
             summary="Invite bridges: all in scope, a subtree, or a list of codes (organizers)")
def invite(request, event_id: int, payload: InviteIn):
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
    result = services.invite_bridges(event, bridges, request=request, how=how)
    return Status(200, {"created": result.created, "already": result.already})


@router.get("/{event_id}/invitations", response=list[InvitationOut],
            summary="Invitations of bridges in the caller's scope")
@paginate(LimitOffsetPagination)
def list_invitations(request, event_id: int, status: str | None = None):
    event = _event(request, event_id)
    invitations = scoped_invitations(event, request.user).select_related("bridge").order_by("bridge__path")
    if status:
        invitations = invitations.filter(status=status)
    return invitations


@router.get("/{event_id}/readiness", response=ReadinessOut,
            summary="Counts per district and the bridges to chase, within the caller's scope")
def readiness(request, event_id: int):
    event = _event(request, event_id)
    summary = services.readiness_summary(event, request.user)
    return {
        "district_label": summary.district_label, "districts": [row.as_dict() for row in summary.rows],
        "totals": summary.totals.as_dict(), "not_confirmed": summary.not_confirmed, "problems": summary.problems,
        "untested": summary.untested, "declined": summary.declined,
    }


@router.post("/{event_id}/reminders", response={202: JobRefOut, 400: ErrorOut},
             summary="E-mail reminders to chosen bridges or a whole list (organizers, district officers)")
def send_reminders(request, event_id: int, payload: RemindIn):
    event = _event(request, event_id)
    scope.require_role(request.user, Role.Kind.ORGANIZER, Role.Kind.DISTRICT_OFFICER)
    if payload.which == "chosen":
        targets = services.reminder_targets(event, request.user, ids=payload.invitation_ids)
    else:
        statuses = {"not_confirmed": Invitation.Status.INVITED, "problems": Invitation.Status.PROBLEM,
                    "untested": Invitation.Status.CONFIRMED}
        targets = services.reminder_targets(event, request.user).filter(status=statuses[payload.which])
    job = services.start_reminders(event, targets, request=request)
    return Status(202, {"job_id": job.pk, "count": len(job.params["invitations"])})
