"""HTTP API of the video rooms: the room plan and room tokens, mounted under /api/events/ by config/api.py.

The console's join data is the console's API (/api/console/{token}/jitsi, console/api_video.py).
"""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from bridges import scope
from bridges.models import Bridge
from core.errors import ErrorOut
from core.text import clean_text
from events.access import get_event
from events.models import Event, JitsiRoom

from . import room_plan, tokens

router = Router(tags=["video rooms"])


class RoomOut(Schema):
    name: str
    label: str
    interactive: bool
    capacity: int
    bridge_count: int
    bridges: list[str]


class PlanOut(Schema):
    event_id: int
    rooms: list[RoomOut]
    viewers: list[str]
    unassigned: list[str]
    declined: list[str]
    livestream_url: str


class AutoPlanIn(Schema):
    room_size: int | None = None
    schools_as_viewers: bool = False
    reset: bool = False


class AutoPlanOut(Schema):
    rooms_created: int
    assigned: int
    viewers: int
    kept: int
    rooms_removed: int
    warnings: list[str]


class MoveItem(Schema):
    bridge: str
    target: str  # a room name, "viewer" (livestream) or "" (out of the plan)


class MovesIn(Schema):
    moves: list[MoveItem]


class MovedOut(Schema):
    moved: int


class CapacityIn(Schema):
    capacity: int


class JoinOut(Schema):
    event_id: int
    domain: str
    room: str
    room_label: str
    jwt: str
    display_name: str
    affiliation: str
    script_url: str


def _plan_out(event: Event, user) -> dict:
    role = scope.require_role(user)
    plan = room_plan.plan_for(event, None if role.scope is None else scope.visible_bridges(user))
    return {
        "event_id": event.pk,
        "rooms": [
            {
                "name": rv.room.name, "label": rv.room.label, "interactive": rv.room.interactive,
                "capacity": rv.room.capacity, "bridge_count": rv.total,
                "bridges": [inv.bridge.code for inv in rv.members],
            }
            for rv in plan.rooms
        ],
        "viewers": [inv.bridge.code for inv in plan.viewers],
        "unassigned": [inv.bridge.code for inv in plan.unassigned],
        "declined": [inv.bridge.code for inv in plan.declined],
        "livestream_url": event.livestream_url,
    }


@router.get("/{event_id}/rooms", response=PlanOut, summary="The event's room plan (bridges listed within scope)")
def get_room_plan(request, event_id: int):
    return _plan_out(get_event(request.user, event_id), request.user)


@router.post("/{event_id}/rooms/auto", response={200: AutoPlanOut, 400: ErrorOut},
             summary="Plan rooms automatically (keeps existing places unless reset)")
def auto_plan_rooms(request, event_id: int, payload: AutoPlanIn):
    event = get_event(request.user, event_id, manage=True)
    result = room_plan.auto_plan(event, payload.room_size, schools_as_viewers=payload.schools_as_viewers,
                                 reset=payload.reset, request=request)
    return Status(200, result.as_dict())


@router.post("/{event_id}/rooms/move", response={200: MovedOut, 400: ErrorOut},
             summary="Move bridges between rooms, to the livestream, or out of the plan (all or nothing)")
def move_bridges(request, event_id: int, payload: MovesIn):
    event = get_event(request.user, event_id, manage=True)
    moves = [room_plan.Move(bridge_code=clean_text(m.bridge), target=clean_text(m.target)) for m in payload.moves]
    moved = room_plan.apply_moves(event, moves, request=request)
    return Status(200, {"moved": moved})


@router.post("/{event_id}/rooms/{room_name}/capacity", response={200: RoomOut, 400: ErrorOut},
             summary="Change a room's capacity")
def set_room_capacity(request, event_id: int, room_name: str, payload: CapacityIn):
    room = get_object_or_404(JitsiRoom, event=get_event(request.user, event_id, manage=True), name=room_name)
    room = room_plan.set_capacity(room, payload.capacity, request=request)
    members = list(room.invitations.filter(viewer=False).select_related("bridge"))
    return Status(200, {"name": room.name, "label": room.label, "interactive": room.interactive,
                        "capacity": room.capacity, "bridge_count": len(members),
                        "bridges": [inv.bridge.code for inv in members]})


@router.get("/{event_id}/jitsi/token/{bridge_code}", response={200: JoinOut, 403: ErrorOut},
            summary="A bridge's signed room token (organizers, e.g. to join as that bridge from a hall PC)")
def bridge_room_token(request, event_id: int, bridge_code: str):
    event = get_event(request.user, event_id, manage=True)
    bridge = get_object_or_404(Bridge, code=bridge_code)
    return Status(200, tokens.join_info(event, bridge))
