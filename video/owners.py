"""Who owns (moderates) each room of an event's room plan. The one home of that rule.

- The main interactive room: the host bridge (it has no RoomOwner row; `owner_of` answers it).
- A school room: its RoomOwner, a bridge or a named account. Planning gives every school room without
  one its district bridge (the district of its schools, `bridges.tree.district_of`); the organizer may
  name another bridge of the host or intermediate tier, or an account (an organizer or a district officer).

An owner's room token says `affiliation: owner` (video.tokens), which makes them the room's moderator in
Jitsi, so a school room is never left with nobody able to mute, nor handed to the first school to join.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from bridges.models import Bridge, Role, Tier
from bridges.tree import district_of, path_ids
from core import audit
from core.errors import Refused
from events import participation
from events.models import Event, Invitation, JitsiRoom

from .models import RoomOwner

BRIDGE = "bridge"
ACCOUNT = "account"
# Accounts that may moderate a room: officials only read, school coordinators have no account.
MODERATOR_ROLES = (Role.Kind.ORGANIZER, Role.Kind.DISTRICT_OFFICER)


class OwnerRefused(Refused):
    code = "room_owner_refused"


@dataclass(frozen=True)
class Owner:
    """A room's owner as pages and the API show it."""

    kind: str  # BRIDGE or ACCOUNT
    key: str  # the bridge code or the username
    name: str

    @property
    def choice(self) -> str:
        return f"{self.kind}:{self.key}"


def _owner(row: RoomOwner) -> Owner:
    if row.bridge_id is not None:
        return Owner(BRIDGE, row.bridge.code, row.bridge.name)
    return Owner(ACCOUNT, row.user.get_username(), display_name(row.user))


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def owners_of(event: Event) -> dict[int, Owner]:
    """Every room's owner by room id (the main room's is the host); rooms without one are absent."""
    owners = {row.room_id: _owner(row) for row in
              RoomOwner.objects.filter(room__event=event).select_related("bridge", "user")}
    host = event.host
    for room in event.rooms.filter(interactive=True):
        owners[room.pk] = Owner(BRIDGE, host.code, host.name)
    return owners


def owner_of(room: JitsiRoom) -> Owner | None:
    return owners_of(room.event).get(room.pk)


def owns(room: JitsiRoom, *, bridge: Bridge | None = None, user=None) -> bool:
    """Whether the bridge or the account is the room's owner (the host owns the main room)."""
    if bridge is not None and room.interactive and bridge.pk == room.event.host_id:
        return True
    if bridge is not None:
        return RoomOwner.objects.filter(room=room, bridge=bridge).exists()
    if user is not None and user.is_authenticated:
        return RoomOwner.objects.filter(room=room, user=user).exists()
    return False


def rooms_owned_by(event: Event, bridge: Bridge) -> list[JitsiRoom]:
    """The school rooms a bridge moderates besides its own (e.g. a district bridge's schools' rooms)."""
    return list(event.rooms.filter(owner__bridge=bridge, interactive=False).order_by("order", "id"))


def assign_default_owners(event: Event) -> list[str]:
    """Give every school room without an owner its district bridge; warnings for rooms left without one.

    A room's district is the one its schools share; a room whose schools span districts, or that has no
    school yet, keeps waiting for the organizer (the warning says so).
    """
    rooms = list(event.rooms.filter(interactive=False, owner__isnull=True).order_by("order", "id"))
    if not rooms:
        return []
    members = (Invitation.objects.filter(room__in=rooms, viewer=False).exclude(status=Invitation.Status.DECLINED)
               .values_list("room_id", "bridge__path"))
    ancestor_ids = {ancestor for _room, path in members for ancestor in path_ids(path)}
    districts = {b.pk: b for b in Bridge.objects.filter(pk__in=ancestor_ids, tier__role=Tier.Role.INTERMEDIATE)}
    by_room: dict[int, set[int]] = {}
    for room_id, path in members:
        district = district_of(path, districts)
        by_room.setdefault(room_id, set()).add(district.pk if district else 0)
    taking_part = set(Invitation.objects.filter(event=event, bridge_id__in=districts)
                      .exclude(status=Invitation.Status.DECLINED).values_list("bridge_id", flat=True))
    created, warnings = [], []
    for room in rooms:
        found = by_room.get(room.pk, set())
        district_id = next(iter(found)) if len(found) == 1 else 0
        if district_id and district_id in taking_part:
            created.append(RoomOwner(room=room, bridge=districts[district_id]))
        else:
            warnings.append(_("Room %(room)s has no owner yet: name a moderator for it.") % {"room": room.label})
    RoomOwner.objects.bulk_create(created)
    return warnings


def parse_choice(event: Event, choice: str) -> tuple[Bridge | None, object | None]:
    """A choice "bridge:<code>" or "account:<username>" as (bridge, user); refused when it cannot own."""
    kind, _sep, key = (choice or "").partition(":")
    if kind == BRIDGE and key:
        bridge = Bridge.objects.select_related("tier").filter(code=key).first()
        if bridge is None:
            raise OwnerRefused(_("There is no bridge %(code)s.") % {"code": key})
        return bridge, None
    if kind == ACCOUNT and key:
        user = get_user_model().objects.filter(username=key, is_active=True).first()
        if user is None:
            raise OwnerRefused(_("There is no account %(name)s.") % {"name": key})
        return None, user
    raise OwnerRefused(_("Choose a bridge or an account to moderate the room."))


def _check_bridge(event: Event, bridge: Bridge) -> None:
    if bridge.pk == event.host_id:
        return
    if bridge.tier.role not in (Tier.Role.HOST, Tier.Role.INTERMEDIATE):
        raise OwnerRefused(_("%(bridge)s is a school: a room is moderated by a district or host bridge, or by "
                             "an account.") % {"bridge": bridge.name})
    invitation = Invitation.objects.filter(event=event, bridge=bridge).first()
    if invitation is None:
        raise OwnerRefused(_("Bridge %(code)s is not invited to this event.") % {"code": bridge.code})
    if participation.is_declined(invitation.status):
        raise OwnerRefused(_("Bridge %(code)s declined the invitation.") % {"code": bridge.code})


def _check_account(user) -> None:
    role = Role.objects.filter(user=user).first()
    if role is None or role.kind not in MODERATOR_ROLES:
        raise OwnerRefused(_("Only an organizer or a district officer account can moderate a room."))


@transaction.atomic
def set_owner(room: JitsiRoom, *, bridge: Bridge | None = None, user=None, request=None) -> Owner:
    """Make a bridge or an account the owner of a school room (replacing the one it had)."""
    if room.interactive:
        raise OwnerRefused(_("The main room is moderated by the host bridge."))
    if (bridge is None) == (user is None):
        raise OwnerRefused(_("Choose a bridge or an account to moderate the room."))
    event = room.event
    if bridge is not None:
        _check_bridge(event, bridge)
    else:
        _check_account(user)
    previous = RoomOwner.objects.select_related("bridge", "user").filter(room=room).first()
    old = _owner(previous).choice if previous is not None else ""
    RoomOwner.objects.update_or_create(room=room, defaults={"bridge": bridge, "user": user})
    owner = owner_of(room)
    if owner.choice != old:
        audit.record("events.room_plan.owner", request=request, target=room,
                     summary=f"{room.name}: {old or '—'} → {owner.choice}",
                     details={"event": event.pk, "from": old, "to": owner.choice})
    return owner


def candidates(event: Event) -> list[Owner]:
    """Who the organizer may name: the invited host and intermediate bridges, then moderator accounts."""
    bridges = (Bridge.objects.filter(invitations__event=event, tier__role__in=(Tier.Role.HOST, Tier.Role.INTERMEDIATE))
               .exclude(invitations__event=event, invitations__status=Invitation.Status.DECLINED)
               .order_by("depth", "code").distinct())
    accounts = (get_user_model().objects.filter(diemcau_role__kind__in=MODERATOR_ROLES, is_active=True)
                .order_by("username"))
    return ([Owner(BRIDGE, b.code, b.name) for b in bridges]
            + [Owner(ACCOUNT, u.get_username(), display_name(u)) for u in accounts])
