"""HTTP API of the video rooms: the room plan and room tokens, mounted under /api/events/ by config/api.py.

The console's join data is the console's API (/api/console/{token}/jitsi, console/api_video.py).
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from bridges import scope
from bridges.models import Bridge
from core import confirm
from core.openapi import refusals
from core.text import clean_text
from events.access import get_event
from events.models import Event, JitsiRoom

from . import owners, room_plan, tokens

router = Router(tags=["video rooms"])


class OwnerOut(Schema):
    kind: str  # "bridge" or "account"
    key: str  # the bridge code or the username
    name: str


class RoomOut(Schema):
    name: str
    label: str
    interactive: bool
    capacity: int
    bridge_count: int
    bridges: list[str]
    # Who moderates the room (the host for the main room); null while a school room has none.
    owner: OwnerOut | None = None


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
    # With reset: the number of bridges placed now (in rooms or viewers) that the caller saw and accepts to
    # re-place; another number answers 409 count_changed and nothing is changed (core.confirm).
    expected: int | None = None


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
    expires_at: datetime = Field(description="When the token stops opening the room (the end of the session it "
                                             "joins plus JITSI_TOKEN_MARGIN_HOURS): ask again before then.")
    display_name: str
    affiliation: str
    script_url: str


def _owner_out(owner: owners.Owner | None) -> dict | None:
    return None if owner is None else {"kind": owner.kind, "key": owner.key, "name": owner.name}


def _room_out(room: JitsiRoom) -> dict:
    members = list(room.invitations.filter(viewer=False).select_related("bridge"))
    return {"name": room.name, "label": room.label, "interactive": room.interactive, "capacity": room.capacity,
            "bridge_count": len(members), "bridges": [inv.bridge.code for inv in members],
            "owner": _owner_out(owners.owner_of(room))}


def _plan_out(event: Event, user) -> dict:
    role = scope.require_role(user)
    plan = room_plan.plan_for(event, None if role.scope is None else scope.visible_bridges(user))
    return {
        "event_id": event.pk,
        "rooms": [
            {
                "name": rv.room.name, "label": rv.room.label, "interactive": rv.room.interactive,
                "capacity": rv.room.capacity, "bridge_count": rv.total,
                "bridges": [inv.bridge.code for inv in rv.members], "owner": _owner_out(rv.owner),
            }
            for rv in plan.rooms
        ],
        "viewers": [inv.bridge.code for inv in plan.viewers],
        "unassigned": [inv.bridge.code for inv in plan.unassigned],
        "declined": [inv.bridge.code for inv in plan.declined],
        "livestream_url": event.livestream_url,
    }


@router.get("/{event_id}/rooms", response={200: PlanOut, **refusals(403, 404)},
            summary="The event's room plan (bridges listed within scope)")
def get_room_plan(request, event_id: int):
    """The event's video rooms with their capacity and the bridges placed in each, the bridges that follow on
    the livestream, those without a place and those that declined. Any account with a role; district
    officers and officials see only the bridges of their scope.
    """
    return _plan_out(get_event(request.user, event_id), request.user)


@router.post("/{event_id}/rooms/auto", response={200: AutoPlanOut, **refusals(400, 403, 404, 409)},
             summary="Plan rooms automatically (keeps existing places unless reset)")
def auto_plan_rooms(request, event_id: int, payload: AutoPlanIn):
    """Gives every invited bridge without a place one: the host and intermediate bridges in interactive rooms,
    schools in rooms of at most `room_size` (or as livestream viewers). Places already given, by hand
    included, are kept unless `reset`, which forgets every place and hand edit and cannot be undone: pass the
    number of bridges placed now as `expected` to be answered 409 `count_changed` (nothing changed) if it
    moved. Answers what was created and any warnings. Organizers only.
    """
    event = get_event(request.user, event_id, manage=True)
    if payload.reset and payload.expected is not None:
        counts = room_plan.room_counts(event)
        confirm.require_expected(payload.expected, counts["in_rooms"] + counts["viewers"])
    result = room_plan.auto_plan(event, payload.room_size, schools_as_viewers=payload.schools_as_viewers,
                                 reset=payload.reset, request=request)
    return Status(200, result.as_dict())


@router.post("/{event_id}/rooms/move", response={200: MovedOut, **refusals(400, 403, 404)},
             summary="Move bridges between rooms, to the livestream, or out of the plan (all or nothing)")
def move_bridges(request, event_id: int, payload: MovesIn):
    """Moves bridges by code to a room, to the livestream (`viewer`) or out of the plan (""). All the moves are
    made or none: one that would overfill a room, or names an unknown bridge or room, refuses the whole list
    with 400. Organizers only.
    """
    event = get_event(request.user, event_id, manage=True)
    moves = [room_plan.Move(bridge_code=clean_text(m.bridge), target=clean_text(m.target)) for m in payload.moves]
    moved = room_plan.apply_moves(event, moves, request=request)
    return Status(200, {"moved": moved})


@router.post("/{event_id}/rooms/{room_name}/capacity", response={200: RoomOut, **refusals(400, 403, 404)},
             summary="Change a room's capacity")
def set_room_capacity(request, event_id: int, room_name: str, payload: CapacityIn):
    """Sets how many bridges one room of the event holds; a capacity below the bridges already in the room
    answers 400 (move some out first). Organizers only; 404 for a room of another event.
    """
    room = get_object_or_404(JitsiRoom, event=get_event(request.user, event_id, manage=True), name=room_name)
    room = room_plan.set_capacity(room, payload.capacity, request=request)
    return Status(200, _room_out(room))


@router.get("/{event_id}/jitsi/token/{bridge_code}", response={200: JoinOut, **refusals(403, 404)},
            summary="A bridge's signed room token (organizers, e.g. to join as that bridge from a hall PC)")
def bridge_room_token(request, event_id: int, bridge_code: str):
    """Join data for one bridge in its room: the video server's domain, the room, a signed JWT and the display
    name, for joining as that bridge from another computer. Organizers only; 403 with the reason when the
    bridge may not join (declined, a livestream viewer, not in the plan), 404 for an unknown bridge.
    """
    event = get_event(request.user, event_id, manage=True)
    bridge = get_object_or_404(Bridge, code=bridge_code)
    return Status(200, tokens.join_info(event, bridge))


class OwnerIn(Schema):
    # Exactly one: an invited host or intermediate bridge, or an organizer's / district officer's account.
    bridge: str | None = None
    username: str | None = None


@router.put("/{event_id}/rooms/{room_name}/owner", response={200: RoomOut, **refusals(400, 403, 404)},
            summary="Name the owner (moderator) of a school room: a bridge or an account")
def set_room_owner(request, event_id: int, room_name: str, payload: OwnerIn):
    """Makes a bridge (`bridge`: the code of an invited host or intermediate bridge, e.g. the district) or an
    account (`username`: an organizer or a district officer) the owner of one school room: their room token
    then makes them its moderator in Jitsi. Planning gives each school room its district bridge; this
    replaces it. 400 when the choice cannot own the room (a school, a declined or uninvited bridge, an
    account of another role, both or neither given, the main room, which the host owns). Organizers only.
    """
    room = get_object_or_404(JitsiRoom, event=get_event(request.user, event_id, manage=True), name=room_name)
    if payload.bridge and not payload.username:
        choice = f"{owners.BRIDGE}:{clean_text(payload.bridge)}"
    elif payload.username and not payload.bridge:
        choice = f"{owners.ACCOUNT}:{clean_text(payload.username)}"
    else:
        choice = ""
    bridge, user = owners.parse_choice(room.event, choice)
    owners.set_owner(room, bridge=bridge, user=user, request=request)
    return Status(200, _room_out(room))


@router.get("/{event_id}/rooms/{room_name}/moderator-token", response={200: JoinOut, **refusals(403, 404)},
            summary="Join data for the signed-in account in a room it moderates (owner token)")
def moderator_token(request, event_id: int, room_name: str):
    """Join data (domain, room, signed JWT with `context.user.affiliation` "owner", display name) for the
    account that is the named owner of the room, to moderate it from its own computer. 403 with the reason
    when the account does not own the room or the event is over or cancelled.
    """
    event = get_event(request.user, event_id)
    get_object_or_404(JitsiRoom, event=event, name=room_name)
    return Status(200, tokens.account_join_info(event, request.user, room_name))
