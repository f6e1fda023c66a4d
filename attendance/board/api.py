"""API: the live board snapshot and the launch moment (mounted in attendance.api)."""

import json

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from ninja import Router, Schema

from bridges import scope
from core.openapi import refusals
from events.access import get_event

from .. import launch
from . import state as board
from .coalescer import Coalescer

router = Router(tags=["attendance"])


class TileOut(Schema):
    id: int
    code: str
    name: str
    group: int
    state: str
    status: str
    phone: str
    checked_in: bool
    headcount: int
    expected: int
    present: dict[str, int]
    missing: bool


class CounterOut(Schema):
    invited: int
    confirmed: int
    online: int
    checked_in: int
    missing: int
    headcount: int
    expected: int
    present: dict[str, int]


class GroupCounterOut(CounterOut):
    id: int
    code: str
    name: str


class CountersOut(Schema):
    groups: list[GroupCounterOut]
    total: CounterOut


class BoardGroupOut(Schema):
    id: int
    code: str
    name: str


class BoardRollCallOut(Schema):
    id: int
    label: str
    opened_at: int
    closes_at: int
    open: bool


class LaunchOut(Schema):
    type: str
    at: int
    duration_ms: int


class FeedOut(Schema):
    kind: str
    at: int
    bridge_id: int | None
    bridge: str
    label: str
    count: int


class EventBriefOut(Schema):
    id: int
    title: str
    status: str
    starts_at: int
    ends_at: int
    host_id: int


class SnapshotOut(Schema):
    type: str
    generated_at: int
    # "tiles": every tile of the scope; "groups": above settings.BOARD_TILES_MAX bridges, every group's counters
    # and the tiles of the group asked for (`group`, its id; null: none asked or none with that code).
    mode: str
    group: int | None
    event: EventBriefOut
    groups: list[BoardGroupOut]
    tiles: list[TileOut]
    counters: CountersOut
    roll_calls: list[BoardRollCallOut]
    launch: LaunchOut | None
    feed: list[FeedOut]


class LaunchStateOut(Schema):
    launch: LaunchOut | None
    server: int
    starts_at: int  # epoch ms: from then on a press is not early
    launched_at: int | None = None  # epoch ms, once launched
    created: bool | None = None


def _state(event, record=None, created=None) -> dict:
    answer = {"launch": launch.payload(record) if record is not None else launch.current(event.pk),
              "server": board.now_ms(), "starts_at": board.epoch_ms(launch.opens_at(event)),
              "launched_at": board.epoch_ms(event.launched_at)}
    if created is not None:
        answer["created"] = created
    return answer


@router.get("/events/{event_id}/board", response={200: SnapshotOut, **refusals(403, 404)},
            summary="Live board snapshot (times in epoch ms; scoped to the caller's bridges)")
def board_snapshot(request, event_id: int, group: str | None = None):
    """Everything a live board shows at this moment: a tile per bridge (connected, checked in, headcount), the
    counters per district and in total, the roll calls, the launch and the latest feed lines. Times are
    epoch milliseconds. A board that misses a websocket delta reads this again. Any account with a role,
    within its scope. A scope of more bridges than the board's tile limit (a nation) answers in group mode
    (`mode` "groups"): every group's counters, and the tiles only of the group whose code is `group`.
    """
    role = scope.require_role(request.user)
    event = get_event(request.user, event_id)
    scope_path = board.scope_path_of(role)
    # A board connected to this process keeps the event in memory; else the scope's rows are read.
    snapshot = Coalescer.snapshot_now(event, scope_path, group)
    return snapshot_response(request, snapshot)


def snapshot_response(request, snapshot: dict) -> HttpResponse:
    """The snapshot as ready-made JSON (UTF-8, compact), gzipped when the client takes it.

    Its shape is SnapshotOut's (the OpenAPI description keeps the schema); validating 40,000 tiles through
    pydantic and escaping every Vietnamese letter cost ~1.3 s of CPU at nation size (bench/bench_nation.py).
    Compression is safe from BREACH here: the body reflects nothing of the request and holds no secret (no
    token, no CSRF value; bridges' names, codes and phones that every board of the scope shows)."""
    body = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")).encode()
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return GZipMiddleware(lambda _request: response).process_response(request, response)


@router.get("/events/{event_id}/launch", response={200: LaunchStateOut, **refusals(403, 404)},
            summary="The event's launch moment, if pressed")
def launch_state(request, event_id: int):
    """The launch moment of the event if the button was pressed (null before), with the server's time so that a
    client counts down to the same instant as every console. Any account with a role.
    """
    scope.require_role(request.user)
    event = get_event(request.user, event_id)
    return _state(event)


@router.post("/events/{event_id}/launch", response={200: LaunchStateOut, **refusals(403, 404, 409)},
             summary="Press the launch button (organizers; once per event, repeats answer with the first)")
def press_launch(request, event_id: int, early: bool = False):
    """Presses the launch button: every console and board counts down to the same instant, the event records
    when it was launched and an announced event becomes live. Once per event: a repeat answers with the first
    launch and `created` false. From the event's start; before it 409 (code `launch_early`, the message says
    how early) unless `early` is true: the organizer confirmed an early launch. Organizers only; written to the
    audit log.
    """
    event = get_event(request.user, event_id)
    if not launch.may_press(event, user=request.user):
        raise PermissionDenied
    record, created = launch.press(event, actor_label=request.user.get_username(), request=request, early=early)
    return _state(event, record, created)
