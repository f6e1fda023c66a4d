"""The console's part of attendance over the API: bridge check-in, headcount, roster ticks and their undo
(the offline queue's writes), the live state, the roster, the launch button.

Writes go through attendance.services.console_writes.write, as the console websocket's do: each
carries a client nonce, and a repeat of a nonce (a queue resent after a lost answer, over HTTP or
the socket) gets the first answer with "replayed": true and writes nothing. Under uvicorn the four
writes are answered before Django by console/fast_path.py, through the same `write_answer`; the
routes here stay for the test client and the OpenAPI schema (tests/test_console_fast_path.py).
"""

from typing import Literal

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from attendance import launch
from attendance.board import state as board
from attendance.board.api import LaunchOut
from attendance.models import RollCall
from attendance.services import console_state, console_writes
from attendance.services import roster as rosters
from bridges.services import console_actor
from core.audit import client_ip
from core.errors import ErrorOut, Refused, with_error_body
from events import participation

from .api_support import CALLER, ERRORS, Token, documented, read_json
from .auth import console_event, console_link

router = Router(tags=["console"], auth=console_link)


class WriteIn(Schema):
    nonce: str  # 8-64 URL-safe characters (a UUID); a repeat gets the first answer
    client_time: str | None = None  # ISO time the action was made (an offline queue sends it later)
    event_id: int | None = None  # default: the console's current event


class CheckInIn(WriteIn):
    method: Literal["button", "qr"] = "button"


class HeadcountIn(WriteIn):
    headcount: int


class TickIn(WriteIn):
    roll_call_id: int
    person_id: int


class UntickIn(WriteIn):
    roll_call_id: int
    person_id: int


class WriteOut(Schema):
    """One shape for the three writes; only the fields a write's answer has are sent."""

    ok: bool
    # accepted, duplicate, stale, invalid, no_event, not_invited, unknown_person, closed; for an undo: undone,
    # not_ticked, not_a_tick, undo_expired, not_found
    outcome: str
    message: str
    replayed: bool = False
    checked_in: bool | None = None
    checked_in_at: str | None = None
    method: str | None = None
    headcount: int | None = None
    headcount_at: str | None = None
    roll_call_id: int | None = None
    person_id: int | None = None
    person_name: str | None = None
    bridge_id: int | None = None
    bridge_name: str | None = None
    at: str | None = None
    foreign: bool | None = None
    undo_until: str | None = None  # a tick made here: until when "Undo" may take it back


# A refusal is the API's one error body (detail, code = the outcome, errors, fields) with the write's
# own answer beside it (ok, outcome, message...), the fields the websocket's acks carry too.
WRITE_ANSWERS = {200: WriteOut, 201: WriteOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}
REFUSALS = (" A refusal carries, beside the error body, the write's answer: ok (false), outcome (also its code), "
            "message; a repeat of its nonce gets it again.")


def write_answer(bridge, kind: str, data: dict | None, *, ip: str | None) -> tuple[int, dict]:
    """(status, JSON body) of a console write, for both ways in: the routes below (the test client, the
    OpenAPI schema) and console/fast_path.py (under uvicorn). `data`: the body as read_json reads it."""
    if data is None:
        status, body = 400, {"ok": False, "outcome": "invalid", "replayed": False,
                             "message": _("The request was not sent in the expected form.")}
    else:
        answer = console_writes.write(bridge, kind, data, ip=ip)
        status, body = answer.status, {**answer.body, "replayed": answer.replayed}
    if status < 400:
        # What django-ninja sends for response=WriteOut with exclude_unset: only the fields the write gave.
        return status, WriteOut.model_validate(body).model_dump(exclude_unset=True)
    return status, with_error_body(body)


def _write(request, kind: str):
    status, body = write_answer(request.auth, kind, read_json(request), ip=client_ip(request))
    return JsonResponse(body, status=status)


@router.post("/{token}/checkin", response=WRITE_ANSWERS, url_name="console_checkin", exclude_unset=True,
             summary="Check the bridge in (nonce-idempotent)", openapi_extra=documented(CheckInIn),
             description="The bridge is there: 201 the first time, 200 \"duplicate\" after (the first time "
                         "stands). A client time in the past is kept, one in the future is not trusted. "
                         "409 when the bridge has no such event." + REFUSALS + CALLER)
def checkin(request, token: Token):
    return _write(request, "checkin")


@router.post("/{token}/headcount", response=WRITE_ANSWERS, url_name="console_headcount", exclude_unset=True,
             summary="Set the number of people present now (nonce-idempotent)", openapi_extra=documented(HeadcountIn),
             description="The latest typed count wins: a queued older count that arrives later answers \"stale\" "
                         "and changes nothing." + REFUSALS + CALLER)
def headcount(request, token: Token):
    return _write(request, "headcount")


@router.post("/{token}/tick", response=WRITE_ANSWERS, url_name="console_tick", exclude_unset=True,
             summary="Tick a person of the bridge's roster at a roll call (nonce-idempotent)",
             openapi_extra=documented(TickIn),
             description="Counts with the time it was made while the roll call was open, even if it arrives "
                         "after the close. 404 for someone not on this bridge's roster, 409 for a closed roll "
                         "call or an event the bridge is not invited to. Every refusal is recorded as an attempt." + REFUSALS + CALLER)
def tick(request, token: Token):
    return _write(request, "tick")


@router.post("/{token}/untick", response=WRITE_ANSWERS, url_name="console_untick", exclude_unset=True,
             summary="Undo a tick made on this console, within a few minutes (nonce-idempotent)",
             openapi_extra=documented(UntickIn),
             description="Takes back a mis-tapped tick: 200 \"undone\" while the tick is at most "
                         "ATTENDANCE_TICK_UNDO_MINUTES (5) old, counted from when the server recorded it. Refused "
                         "(409) for someone not ticked, for a teacher's own QR check-in (\"not_a_tick\") and once "
                         "the time is over (\"undo_expired\"); 404 for a roll call or person this bridge has not. "
                         "Both the tick and its undo are in the audit log; the boards and the bridge's other "
                         "consoles are told." + REFUSALS + CALLER)
def untick(request, token: Token):
    return _write(request, "untick")


class ConsoleBridgeOut(Schema):
    id: int
    code: str
    name: str


class LiveEventOut(Schema):
    id: int
    title: str
    starts_at: str
    ends_at: str
    status: str


class LiveRollCallOut(Schema):
    id: int
    label: str
    session: str
    event_id: int
    opened_at: str
    closes_at: str
    window_seconds: int
    second_factor: str  # what teachers checking in by name type beside the birth year
    screen_code: str | None = None  # shown under the QR when second_factor is screen_code
    qr_url: str  # the roll-call QR as SVG; it changes every window_seconds


class LiveOut(Schema):
    server_time: str
    bridge: ConsoleBridgeOut
    event: LiveEventOut | None
    checked_in: bool
    checked_in_at: str | None
    headcount: int
    headcount_at: str | None
    roll_call: LiveRollCallOut | None


@router.get("/{token}/live", response={200: LiveOut, **ERRORS}, url_name="console_live",
            summary="The console's event, its check-in state and the open roll call",
            description="What the live section shows; `server_time` lets the console correct its clock. "
                        "`event` (query) picks one of the bridge's events, else its current one." + CALLER)
def live(request, token: Token, event: int | None = None):
    bridge = request.auth
    state = console_state.live_state(bridge, console_event(bridge, event))
    if state["roll_call"] is not None:
        qr_url = reverse("console_qr", args=[token]) + f"?event={state['roll_call']['event_id']}"
        state["roll_call"] = {**state["roll_call"], "qr_url": qr_url}
    return state


class RosterPersonOut(Schema):
    id: int
    name: str
    label: str  # the name, with the birth year or the identifier's end when someone else has the same name
    ticked: bool
    at: str | None
    method: str | None  # how the person was recorded: tick, self_qr (a teacher's own scan), organizer
    undo_until: str | None  # a tick made on this console: until when it may be undone


class RosterOut(Schema):
    roll_call_id: int | None
    people: list[RosterPersonOut]


@router.get("/{token}/roster", response={200: RosterOut, **ERRORS}, url_name="console_roster",
            summary="The bridge's roster: names, and who is recorded at a roll call",
            description="Names (no birth dates or identifiers, except that people sharing a name are told apart "
                        "in `label` by their birth year, else the end of their identifier). With `roll_call`, "
                        "which of them are recorded there, when and how, and until when a tick may be undone; "
                        "404 for a roll call of an event the bridge is not part of." + CALLER)
def roster(request, token: Token, roll_call: int | None = None):
    bridge = request.auth
    found = None
    if roll_call is not None:
        found = RollCall.objects.filter(pk=roll_call).select_related("session__event").first()
        if found is None or not participation.takes_part(bridge, found.session.event):
            raise Refused(_("This roll call does not exist."), code="not_found", status=404)
    return {"roll_call_id": roll_call, "people": rosters.state(bridge, found)}


class ConsoleLaunchStateOut(Schema):
    launch: LaunchOut | None
    server: int  # the server's time, epoch ms
    event_id: int | None
    title: str = ""
    can_press: bool
    opens_at: int | None = None  # epoch ms: the host console may press from then on (the event's start)


class LaunchPressedOut(Schema):
    created: bool
    launch: LaunchOut
    server: int


@router.get("/{token}/launch", response={200: ConsoleLaunchStateOut, **ERRORS}, url_name="console_launch",
            summary="The launch moment of the console's event, and whether this console may press it",
            description="A console that loads after the launch still shows the launch screen while it lasts. "
                        "`can_press` is true on the host bridge's console only." + CALLER)
def launch_state(request, token: Token, event: int | None = None):
    bridge = request.auth
    found = console_event(bridge, event)
    if found is None:
        return {"launch": None, "server": board.now_ms(), "event_id": None, "can_press": False}
    return {"launch": launch.current(found.pk), "server": board.now_ms(), "event_id": found.pk,
            "title": found.title, "can_press": launch.may_press(found, console_bridge=bridge),
            "opens_at": board.epoch_ms(launch.opens_at(found))}


@router.post("/{token}/launch", response={200: LaunchPressedOut, 403: ErrorOut, 409: ErrorOut, **ERRORS},
             summary="Press the launch button (the host bridge's console)",
             description="Every console and board counts down to the same instant. Once per event: a second "
                         "press answers with the first launch (`created` false). From the event's start only "
                         "(409 `launch_not_yet` before: an early launch is an organizer's, from the board)." + CALLER)
def press_launch(request, token: Token, event: int | None = None):
    bridge = request.auth
    found = console_event(bridge, event)
    if found is None or not launch.may_press(found, console_bridge=bridge):
        raise Refused(_("Only the host bridge's console can launch this event."), code="forbidden", status=403)
    record, created = launch.press(found, actor_label=console_actor(bridge), request=request, console_bridge=bridge)
    return {"created": created, "launch": launch.payload(record), "server": board.now_ms()}
