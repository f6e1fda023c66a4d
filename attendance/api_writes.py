"""API of the write side (mounted in attendance.api, so under /api/attendance/).

The teacher check-in takes no session: the signed QR code is the credential. As on the page, one
load checks in one person: GET /qr/{code} opens a page (a single-use page token, what the roll call
asks), GET /qr/{code}/names finds a name by its first letters, POST /qr/{code}/checkin carries the
page token and a client nonce; a repeat of the nonce returns the first answer (field "replayed"
true) and writes nothing. Organizer endpoints use the session and bridges.scope like the pages. The school console's
writes (check-in, headcount, ticks) are the console's API (/api/console/{token}/..., console/).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from bridges import scope
from core.audit import client_ip
from core.errors import ErrorOut
from core.openapi import refusals
from events.access import get_event, get_event_object
from events.models import Session

from . import teacher_http
from .models import CheckIn, RollCall
from .services import rollcall, teacher_names
from .services import teacher_checkin as scans
from .teacher_http import TeacherCheckInIn, TeacherPageOut

router = Router(tags=["attendance"])


class TeacherCheckInOut(Schema):
    ok: bool
    outcome: str
    message: str
    replayed: bool = False
    roll_call_id: int | None = None
    bridge_id: int | None = None
    bridge_name: str | None = None
    at: str | None = None
    foreign: bool | None = None


class NameMatchOut(Schema):
    id: int
    label: str  # masked: the typed words in full, the others as initials


class NamesOut(Schema):
    matches: list[NameMatchOut]
    too_short: bool
    too_many: bool
    message: str


class RollCallOpenIn(Schema):
    session_id: int
    label: str
    minutes: int = rollcall.DEFAULT_MINUTES
    window_seconds: int = rollcall.DEFAULT_WINDOW_SECONDS
    # screen_code or identifier_end: what teachers checking in by name type beside the birth year
    # (default: the event's previous roll call's choice, else screen_code)
    second_factor: str | None = None


class RollCallOut(Schema):
    id: int
    label: str
    session_id: int
    session: str
    opened_at: datetime
    closes_at: datetime
    open: bool
    window_seconds: int
    second_factor: str
    present: int = 0
    ticked: int = 0
    foreign: int = 0
    same_client: int = 0  # check-ins flagged as one of many from one device


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


TEACHER_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@router.get("/qr/{code}", auth=None, response={200: TeacherPageOut, **TEACHER_ERRORS},
            summary="Teacher: open the check-in page of a roll-call QR code (a single-use page token)",
            description="What loading /a/{code} does: the code must be current (this window or the previous one) "
                        "and its roll call open. The page token is valid for `page_seconds` and checks in one "
                        "person. A refused code is recorded as an attempt.")
def teacher_page(request, code: str):
    # The same answer as the fast path's (attendance/fast_path.py), which serves this route under ASGI.
    return teacher_http.page_body(code, ip=client_ip(request))


@router.get("/qr/{code}/names", auth=None, response={200: NamesOut, **TEACHER_ERRORS},
            summary="Teacher: find one's name on the bridge's roster by its first letters",
            description="At least `min_letters` letters; at most a few matches, masked (the typed words in full, "
                        "the others as initials), else none with `too_many`. Needs a fresh page token; rate-limited "
                        "per client and per page (429).")
def teacher_names_search(request, code: str, page: str = "", q: str = ""):
    return teacher_names.payload(scans.find_names(code, page, q, ip=client_ip(request)))


@router.post("/qr/{code}/checkin", auth=None, response={200: TeacherCheckInOut, 201: TeacherCheckInOut,
                                                          **TEACHER_ERRORS},
             summary="Teacher: check in with a roll-call QR code and its page token (nonce-idempotent)",
             description="By `identifier`, or by `person_id` with `birth_year` and `second_factor`. 201 recorded, "
                         "200 already recorded (the first time stands); the answer names no one. The page token "
                         "is spent by a successful answer: a second person needs a new GET /qr/{code} (409 "
                         "`page_used`). 429 when the client is over its limits at this roll call. A refusal is the "
                         "error body with the attempt's answer beside it (ok, outcome, message).")
def teacher_checkin(request, code: str, payload: TeacherCheckInIn):
    # The same answer as the fast path's (attendance/fast_path.py), which serves this route under ASGI.
    status, body = teacher_http.checkin_answer(code, payload, ip=client_ip(request),
                                               user_agent=request.META.get("HTTP_USER_AGENT", ""),
                                               device=scans.device_of(request.COOKIES))
    return JsonResponse(body, status=status)


# --- Organizers ---------------------------------------------------------------------------------------

def _rows(user, roll_calls) -> list[dict]:
    role = scope.require_role(user)
    numbers = rollcall.counts(roll_calls, None if role.scope is None else scope.visible_bridges(user))
    now = timezone.now()
    return [{
        "id": rc.pk, "label": rc.label, "session_id": rc.session_id, "session": rc.session.title,
        "opened_at": rc.opened_at, "closes_at": rc.ends_at(), "open": rc.is_open(now),
        "window_seconds": rc.window_seconds, "second_factor": rc.second_factor,
        **{key: numbers.get(rc.pk, {}).get(key, 0) for key in ("present", "ticked", "foreign", "same_client")},
    } for rc in roll_calls]


@router.get("/events/{event_id}/rollcalls", response={200: list[RollCallOut], **refusals(403, 404)},
            summary="Roll calls of an event with counts")
def list_roll_calls(request, event_id: int):
    """The roll calls of the event, latest first, each with its window and the number of people recorded (by
    scan, by tick, and from another school's roster), counted within the caller's scope. Any account with a
    role.
    """
    scope.require_role(request.user)
    event = get_event(request.user, event_id)
    roll_calls = list(RollCall.objects.filter(session__event=event).select_related("session").order_by("-opened_at"))
    return _rows(request.user, roll_calls)


@router.post("/events/{event_id}/rollcalls", response={201: RollCallOut, **refusals(400, 403, 404)},
             summary="Open a roll call for a session (organizers)")
def open_roll_call(request, event_id: int, payload: RollCallOpenIn):
    """Opens a roll call on one session of the event for `minutes`; every console of the event shows its QR
    code, which changes every `window_seconds`. Only one roll call of an event is open at a time (400
    otherwise). Organizers only; 404 for a session of another event.
    """
    if not scope.is_organizer(request.user):
        raise PermissionDenied
    session = get_object_or_404(Session, pk=payload.session_id, event_id=event_id)
    roll_call = rollcall.open_roll_call(session, label=payload.label, minutes=payload.minutes,
                                        window_seconds=payload.window_seconds, second_factor=payload.second_factor,
                                        user=request.user, request=request)
    return Status(201, _rows(request.user, [roll_call])[0])


@router.post("/rollcalls/{roll_call_id}/close", response={200: RollCallOut, **refusals(400, 403, 404)},
             summary="Close a roll call now (organizers)")
def close_roll_call(request, roll_call_id: int):
    """Closes an open roll call before its time: its QR code stops working on every console at once and it is
    not reopened; ticks made while it was open and sent later still count. Organizers only; one already
    closed answers 400.
    """
    roll_call = get_event_object(request.user, RollCall.objects.select_related("session"),
                                 event_path="session__event", manage=True, pk=roll_call_id)
    roll_call = rollcall.close_roll_call(roll_call, user=request.user, request=request)
    return Status(200, _rows(request.user, [roll_call])[0])


@router.get("/rollcalls/{roll_call_id}/checkins", response={200: list[CheckInOut], **refusals(403, 404)},
            summary="People recorded at a roll call, within the caller's scope")
@paginate  # core.pagination.Page (NINJA_PAGINATION_CLASS): limit and offset capped
def roll_call_checkins(request, roll_call_id: int):
    """The people recorded at one roll call at the bridges of the caller's scope, in the order they came, with
    how (scan or tick), when, and whether they are on another school's roster; paged. Any account with a
    role.
    """
    roll_call = get_event_object(request.user, RollCall.objects.all(), event_path="session__event", pk=roll_call_id)
    return (CheckIn.objects.filter(roll_call=roll_call, bridge__in=scope.visible_bridges(request.user))
            .select_related("person__bridge", "bridge").order_by("at", "id"))
