"""The room plan of an event: which bridge joins which Jitsi room, or follows the livestream.

One Jitsi room does not carry hundreds of two-way endpoints. The host and the intermediate
bridges share the main interactive room; schools are grouped by their district (the highest
intermediate bridge above them) into rooms of at most N, or follow the livestream as viewers.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from bridges.models import Bridge, Tier
from bridges.tree import district_of, path_ids
from core import audit
from core.errors import Refused
from core.text import clean_text
from events import participation
from events.models import Event, Invitation, JitsiRoom

from . import owners, tokens

MAX_ROOM_SIZE = 1000
# The audit actions keep the "events.room_plan." names they had before this module moved to
# video, so the audit log of an event reads (and filters) the same across the move.


class PlanError(Refused):
    """An edit of the plan that is refused; nothing was changed."""

    code = "room_plan_refused"


@dataclass
class PlanResult:
    rooms_created: int = 0
    assigned: int = 0
    viewers: int = 0
    kept: int = 0
    rooms_removed: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "rooms_created": self.rooms_created, "assigned": self.assigned, "viewers": self.viewers,
            "kept": self.kept, "rooms_removed": self.rooms_removed, "warnings": self.warnings,
        }


def _check_room_size(room_size) -> int:
    try:
        size = int(room_size)
    except (TypeError, ValueError):
        raise PlanError(_("The room size must be a whole number.")) from None
    if not 2 <= size <= MAX_ROOM_SIZE:
        raise PlanError(_("The room size must be between %(low)s and %(high)s.") % {"low": 2, "high": MAX_ROOM_SIZE})
    return size


def _is_interactive_tier(bridge: Bridge, event: Event) -> bool:
    return bridge.pk == event.host_id or bridge.tier.role in (Tier.Role.HOST, Tier.Role.INTERMEDIATE)


def ensure_main_room(event: Event, capacity: int) -> tuple[JitsiRoom, bool]:
    room = tokens.main_room(event)
    if room is not None:
        return room, False
    room = JitsiRoom.objects.create(
        event=event, name=tokens.main_room_name(event), interactive=True, capacity=capacity, order=0,
        label=_("Main room (host and intermediate bridges)"),
    )
    return room, True


@transaction.atomic
def auto_plan(event: Event, room_size: int | None = None, *, schools_as_viewers: bool = False,
              reset: bool = False, request=None) -> PlanResult:
    """Give every invited bridge without a place one (every bridge, with reset=True).

    Re-planning keeps what is already assigned, including hand edits, so it is safe to run again
    after more bridges were invited.
    """
    size = _check_room_size(settings.JITSI_ROOM_SIZE if room_size is None else room_size)
    event = Event.objects.select_for_update().get(pk=event.pk)
    result = PlanResult()
    # Code order, not path order: paths sort /1/10/ before /1/2/, codes are what people read.
    invitations = list(
        event.invitations.select_related("bridge__tier", "room").order_by("bridge__depth", "bridge__code")
    )
    if reset:
        for inv in invitations:
            inv.room, inv.viewer = None, False
        _total, deleted = event.rooms.filter(interactive=False).delete()
        result.rooms_removed = deleted.get(JitsiRoom._meta.label, 0)
    active = []
    for inv in invitations:
        if participation.is_declined(inv.status):
            inv.room, inv.viewer = None, False
        else:
            active.append(inv)

    interactive = [inv for inv in active if _is_interactive_tier(inv.bridge, event)]
    schools = [inv for inv in active if not _is_interactive_tier(inv.bridge, event)]

    # The host takes a seat in the main room even when it has no invitation row.
    needed = len(interactive) + (0 if any(inv.bridge_id == event.host_id for inv in active) else 1)
    main, created = ensure_main_room(event, max(size, needed))
    result.rooms_created += created
    if reset or main.capacity < needed:
        # Intermediate bridges belong in the main room even if it was planned smaller.
        main.capacity = max(size, needed)
        main.save(update_fields=["capacity"])
    for inv in interactive:
        if inv.room_id is None or inv.viewer:
            inv.room, inv.viewer = main, False
            result.assigned += 1
        else:
            result.kept += 1

    if schools_as_viewers:
        for inv in schools:
            if inv.room_id is None and not inv.viewer:
                inv.viewer = True
                result.viewers += 1
            else:
                result.kept += 1
        if not event.livestream_url:
            result.warnings.append(_("The event has no livestream link yet: viewers will see it once it is set."))
    else:
        _pack_schools(event, invitations, schools, size, result)

    Invitation.objects.bulk_update(invitations, ["room", "viewer"], batch_size=500)
    # Every school room gets a moderator: its district bridge unless the organizer named one.
    result.warnings.extend(owners.assign_default_owners(event))
    audit.record(
        "events.room_plan.auto", request=request, target=event,
        summary=_("Room plan drawn up automatically"),
        details={"room_size": size, "schools_as_viewers": schools_as_viewers, "reset": reset, **result.as_dict()},
    )
    return result


def _pack_schools(event: Event, invitations: list[Invitation], schools: list[Invitation], size: int,
                  result: PlanResult) -> None:
    """Per district: fill its existing rooms up to capacity, then open evenly filled new rooms."""
    intermediate_ids = {ancestor for inv in schools for ancestor in path_ids(inv.bridge.path)}
    intermediates = {
        b.pk: b for b in Bridge.objects.filter(pk__in=intermediate_ids, tier__role=Tier.Role.INTERMEDIATE)
    }
    groups: dict[int | None, list[Invitation]] = defaultdict(list)
    for inv in schools:
        district = district_of(inv.bridge.path, intermediates)
        groups[district.pk if district else None].append(inv)

    rooms = list(event.rooms.filter(interactive=False).order_by("order", "id"))
    load: dict[int, int] = defaultdict(int)
    for inv in invitations:
        if inv.room_id is not None and not inv.viewer:
            load[inv.room_id] += 1
    next_order = max([r.order for r in rooms], default=0) + 1

    def by_district_code(item):
        return (0, intermediates[item[0]].code) if item[0] is not None else (1, "")

    for district_pk, members in sorted(groups.items(), key=by_district_code):
        district = intermediates.get(district_pk)
        code = district.code if district else "other"
        waiting = [inv for inv in members if inv.room_id is None and not inv.viewer]
        result.kept += len(members) - len(waiting)
        if not waiting:
            continue
        prefix = tokens.group_room_name(event, code, 0)[:-1]
        own_rooms = [r for r in rooms if r.name.startswith(prefix) and r.name[len(prefix):].isdigit()]
        for room in own_rooms:
            while waiting and load[room.pk] < room.capacity:
                inv = waiting.pop(0)
                inv.room = room
                load[room.pk] += 1
                result.assigned += 1
        if not waiting:
            continue
        # Spread evenly: 150 schools make 75 + 75 rather than 100 + 50.
        count = math.ceil(len(waiting) / size)
        per_room = math.ceil(len(waiting) / count)
        numbers = [int(r.name[len(prefix):]) for r in own_rooms]
        number = max(numbers, default=0)
        label_base = district.name if district else _("Other schools")
        single = not own_rooms and count == 1
        for start in range(0, len(waiting), per_room):
            number += 1
            room = JitsiRoom.objects.create(
                event=event, name=tokens.group_room_name(event, code, number), capacity=size,
                order=next_order, label=label_base if single else f"{label_base} · {number}",
            )
            next_order += 1
            result.rooms_created += 1
            for inv in waiting[start:start + per_room]:
                inv.room = room
                result.assigned += 1


# --- Hand edits -------------------------------------------------------------------------------

VIEWER = "viewer"
UNASSIGNED = ""


@dataclass(frozen=True)
class Move:
    """Put a bridge in a room, make it a livestream viewer, or take it out of the plan."""

    bridge_code: str
    target: str  # a room name, VIEWER or UNASSIGNED


def _room_loads(event: Event) -> dict[int, int]:
    rows = event.invitations.filter(room__isnull=False, viewer=False).values("room_id").annotate(n=Count("id"))
    return {row["room_id"]: row["n"] for row in rows}


@transaction.atomic
def apply_moves(event: Event, moves: list[Move], *, request=None) -> int:
    """Apply all moves or none: a move that would overfill a room refuses the whole batch."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    rooms = {room.name: room for room in event.rooms.all()}
    by_code = {
        inv.bridge.code: inv
        for inv in event.invitations.select_related("bridge__tier", "room").filter(
            bridge__code__in=[m.bridge_code for m in moves]
        )
    }
    loads = _room_loads(event)
    changed = []
    for move in moves:
        inv = by_code.get(move.bridge_code)
        if inv is None:
            raise PlanError(_("Bridge %(code)s is not invited to this event.") % {"code": move.bridge_code})
        if participation.is_declined(inv.status) and move.target != UNASSIGNED:
            raise PlanError(_("Bridge %(code)s declined the invitation.") % {"code": move.bridge_code})
        if move.target == VIEWER:
            new_room, new_viewer = None, True
            if _is_interactive_tier(inv.bridge, event):
                raise PlanError(
                    _("Bridge %(code)s is the host or an intermediate bridge: it stays in a video room.")
                    % {"code": move.bridge_code}
                )
        elif move.target == UNASSIGNED:
            new_room, new_viewer = None, False
        else:
            new_room = rooms.get(move.target)
            new_viewer = False
            if new_room is None:
                raise PlanError(_("There is no room %(room)s in this event.") % {"room": move.target})
        if (inv.room_id, inv.viewer) == ((new_room.pk if new_room else None), new_viewer):
            continue
        if inv.room_id is not None and not inv.viewer:
            loads[inv.room_id] -= 1
        if new_room is not None:
            loads[new_room.pk] = loads.get(new_room.pk, 0) + 1
        changed.append((inv, inv.room.name if inv.room else (VIEWER if inv.viewer else UNASSIGNED), move.target))
        inv.room, inv.viewer = new_room, new_viewer
    for room in rooms.values():
        if loads.get(room.pk, 0) > room.capacity:
            raise PlanError(
                _("Room %(room)s would hold %(count)s bridges, more than its capacity of %(capacity)s.")
                % {"room": room.label, "count": loads[room.pk], "capacity": room.capacity}
            )
    if changed:
        Invitation.objects.bulk_update([c[0] for c in changed], ["room", "viewer"])
        audit.record(
            "events.room_plan.move", request=request, target=event,
            summary=_("%(count)s bridges moved in the room plan") % {"count": len(changed)},
            details={"moves": [{"bridge": inv.bridge.code, "from": old, "to": new} for inv, old, new in changed]},
        )
    return len(changed)


def _check_capacity(value) -> int:
    try:
        capacity = int(value)
    except (TypeError, ValueError):
        raise PlanError(_("The capacity must be a whole number.")) from None
    if not 1 <= capacity <= MAX_ROOM_SIZE:
        raise PlanError(_("The capacity must be between %(low)s and %(high)s.") % {"low": 1, "high": MAX_ROOM_SIZE})
    return capacity


@transaction.atomic
def set_capacity(room: JitsiRoom, capacity, *, request=None) -> JitsiRoom:
    capacity = _check_capacity(capacity)
    room = JitsiRoom.objects.select_for_update().get(pk=room.pk)
    members = room.invitations.filter(viewer=False).count()
    if capacity < members:
        raise PlanError(
            _("Room %(room)s already holds %(count)s bridges: move some out before lowering its capacity.")
            % {"room": room.label, "count": members}
        )
    old = room.capacity
    if old != capacity:
        room.capacity = capacity
        room.save(update_fields=["capacity"])
        audit.record(
            "events.room_plan.capacity", request=request, target=room,
            summary=f"{room.name}: {old} → {capacity}", details={"event": room.event_id, "from": old, "to": capacity},
        )
    return room


@transaction.atomic
def add_room(event: Event, label: str, capacity, *, request=None) -> JitsiRoom:
    """An extra (non-interactive) room the organizer fills by hand."""
    label = clean_text(label)[:200]
    if not label:
        raise PlanError(_("Give the room a name."))
    capacity = _check_capacity(capacity)
    number = 1
    existing = set(event.rooms.values_list("name", flat=True))
    while tokens.group_room_name(event, "extra", number) in existing:
        number += 1
    order = (event.rooms.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    room = JitsiRoom.objects.create(
        event=event, name=tokens.group_room_name(event, "extra", number), label=label, capacity=capacity,
        order=order,
    )
    audit.record("events.room_plan.room_added", request=request, target=room, summary=f"{room.name}: {label}",
                 details={"event": event.pk, "capacity": capacity})
    return room


@transaction.atomic
def remove_room(room: JitsiRoom, *, request=None) -> None:
    if room.interactive:
        raise PlanError(_("The main room cannot be removed."))
    if room.invitations.exists():
        raise PlanError(_("Room %(room)s still has bridges: move them out first.") % {"room": room.label})
    audit.record("events.room_plan.room_removed", request=request, target=room, summary=room.name,
                 details={"event": room.event_id})
    room.delete()


# --- Reading the plan ---------------------------------------------------------------------------

@dataclass
class RoomView:
    room: JitsiRoom
    members: list[Invitation]
    total: int
    owner: owners.Owner | None = None

    @property
    def free(self) -> int:
        return max(self.room.capacity - self.total, 0)


@dataclass
class PlanView:
    rooms: list[RoomView]
    viewers: list[Invitation]
    unassigned: list[Invitation]
    declined: list[Invitation]
    host_without_invitation: bool


def plan_for(event: Event, visible_bridges=None) -> PlanView:
    """The plan as a reader sees it: counts are whole rooms; listed bridges only those in scope."""
    invitations = event.invitations.select_related("bridge__tier", "bridge__parent", "room")
    if visible_bridges is not None:
        invitations = invitations.filter(bridge__in=visible_bridges)
    members: dict[int, list[Invitation]] = defaultdict(list)
    viewers, unassigned, declined = [], [], []
    for inv in invitations.order_by("bridge__depth", "bridge__code"):
        if participation.is_declined(inv.status):
            declined.append(inv)
        elif inv.viewer:
            viewers.append(inv)
        elif inv.room_id is None:
            unassigned.append(inv)
        else:
            members[inv.room_id].append(inv)
    loads = _room_loads(event)
    room_owners = owners.owners_of(event)
    rooms = [
        RoomView(room=room, members=members.get(room.pk, []), total=loads.get(room.pk, 0),
                 owner=room_owners.get(room.pk))
        for room in event.rooms.all()
        if visible_bridges is None or members.get(room.pk)
    ]
    host_invited = event.invitations.filter(bridge_id=event.host_id).exists()
    return PlanView(rooms=rooms, viewers=viewers, unassigned=unassigned, declined=declined,
                    host_without_invitation=not host_invited)


def room_counts(event: Event) -> dict:
    """Totals for a summary line and the API."""
    invitations = event.invitations.exclude(status=Invitation.Status.DECLINED)
    return invitations.aggregate(
        in_rooms=Count("id", filter=Q(room__isnull=False, viewer=False)),
        viewers=Count("id", filter=Q(viewer=True)),
        unassigned=Count("id", filter=Q(room__isnull=True, viewer=False)),
    ) | {"rooms": event.rooms.count()}
