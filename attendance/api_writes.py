"""API of the write side (mounted in attendance.api, so under /api/attendance/).

The teacher check-in (/qr/{code}/checkin) takes no session: the signed QR code is the credential.
It carries a client nonce; a repeat returns the first answer (field "replayed" true) and writes
nothing. Organizer endpoints use the session and bridges.scope like the pages. The school console's
writes (check-in, headcount, ticks) are the console's API (/api/console/{token}/..., console/).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from bridges import scope
from core.audit import client_ip
from core.errors import ErrorOut
from events.access import get_event, get_event_object
from events.models import Session

from .models import CheckIn, RollCall
from .services import rollcall
from .services.teacher_checkin import self_check_in

router = Router(tags=["attendance"])


class TeacherCheckInIn(Schema):
    nonce: str | None = None
    identifier: str | None = ""
    person_id: int | None = None
    birth_year: str | None = ""


class RollCallOpenIn(Schema):
    session_id: int
    label: str
    minutes: int = rollcall.DEFAULT_MINUTES
    window_seconds: int = rollcall.DEFAULT_WINDOW_SECONDS


class RollCallOut(Schema):
    id: int
    label: str
    session_id: int
    session: str
    opened_at: datetime
    closes_at: datetime
    open: bool
    window_seconds: int
    present: int = 0
    ticked: int = 0
    foreign: int = 0


class CheckInOut(Schema):
    id: int
    person_id: int
    full_name: str
    bridge_code: str
    home_bridge_code: str
    foreign: bool
    at: datetime
    received_at: datetime
    method: str
    recorded_by: str

    @staticmethod
    def resolve_full_name(obj):
        return obj.person.full_name

    @staticmethod
    def resolve_bridge_code(obj):
        return obj.bridge.code

    @staticmethod
    def resolve_home_bridge_code(obj):
        return obj.person.bridge.code


@router.post("/qr/{code}/checkin", auth=None, summary="Teacher: check in with a roll-call QR code (nonce-idempotent)")
def teacher_checkin(request, code: str, payload: TeacherCheckInIn):
    answer = self_check_in(code, identifier=payload.identifier or "", person_id=payload.person_id,
                           birth_year=payload.birth_year or "", nonce=payload.nonce, ip=client_ip(request))
    return JsonResponse({**answer.body, "replayed": answer.replayed}, status=answer.status)


# --- Organizers ---------------------------------------------------------------------------------------

def _rows(user, roll_calls) -> list[dict]:
    role = scope.require_role(user)
    numbers = rollcall.counts(roll_calls, None if role.scope is None else scope.visible_bridges(user))
    now = timezone.now()
    return [{
        "id": rc.pk, "label": rc.label, "session_id": rc.session_id, "session": rc.session.title,
        "opened_at": rc.opened_at, "closes_at": rc.ends_at(), "open": rc.is_open(now),
        "window_seconds": rc.window_seconds,
        **{key: numbers.get(rc.pk, {}).get(key, 0) for key in ("present", "ticked", "foreign")},
    } for rc in roll_calls]


@router.get("/events/{event_id}/rollcalls", response=list[RollCallOut], summary="Roll calls of an event with counts")
def list_roll_calls(request, event_id: int):
    scope.require_role(request.user)
    event = get_event(request.user, event_id)
    roll_calls = list(RollCall.objects.filter(session__event=event).select_related("session").order_by("-opened_at"))
    return _rows(request.user, roll_calls)


@router.post("/events/{event_id}/rollcalls", response={201: RollCallOut, 400: ErrorOut},
             summary="Open a roll call for a session (organizers)")
def open_roll_call(request, event_id: int, payload: RollCallOpenIn):
    if not scope.is_organizer(request.user):
        raise PermissionDenied
    session = get_object_or_404(Session, pk=payload.session_id, event_id=event_id)
    roll_call = rollcall.open_roll_call(session, label=payload.label, minutes=payload.minutes,
                                        window_seconds=payload.window_seconds, user=request.user, request=request)
    return Status(201, _rows(request.user, [roll_call])[0])


@router.post("/rollcalls/{roll_call_id}/close", response={200: RollCallOut, 400: ErrorOut},
             summary="Close a roll call now (organizers)")
def close_roll_call(request, roll_call_id: int):
    roll_call = get_event_object(request.user, RollCall.objects.select_related("session"),
                                 event_path="session__event", manage=True, pk=roll_call_id)
    roll_call = rollcall.close_roll_call(roll_call, user=request.user, request=request)
    return Status(200, _rows(request.user, [roll_call])[0])


@router.get("/rollcalls/{roll_call_id}/checkins", response=list[CheckInOut],
            summary="People recorded at a roll call, within the caller's scope")
@paginate(LimitOffsetPagination)
def roll_call_checkins(request, roll_call_id: int):
    roll_call = get_event_object(request.user, RollCall.objects.all(), event_path="session__event", pk=roll_call_id)
    return (CheckIn.objects.filter(roll_call=roll_call, bridge__in=scope.visible_bridges(request.user))
            .select_related("person__bridge", "bridge").order_by("at", "id"))
