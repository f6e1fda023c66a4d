"""Who may see and change which bridges and people. Every view, endpoint and consumer asks here."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import Bridge, Person, Role


def role_of(user) -> Role | None:
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role(user=user, kind=Role.Kind.ORGANIZER)
    return getattr(user, "diemcau_role", None)


def scope_path_of(role: Role | None) -> str | None:
    """The path prefix a role's view is limited to; None for the whole province (or no role)."""
    return role.scope.path if role is not None and role.scope_id else None


def scope_path(user) -> str | None:
    return scope_path_of(role_of(user))


def _subtree_q(scope: Bridge | None, field: str = "") -> Q:
    if scope is None:
        return Q()
    return Q(**{f"{field}path__startswith": scope.path})


def visible_bridges(user) -> QuerySet[Bridge]:
    role = role_of(user)
    if role is None:
        return Bridge.objects.none()
    return Bridge.objects.filter(_subtree_q(role.scope))


def visible_people(user) -> QuerySet[Person]:
    role = role_of(user)
    if role is None:
        return Person.objects.none()
    return Person.objects.filter(_subtree_q(role.scope, "bridge__"))


def visible_districts(user) -> QuerySet[Bridge]:
    """The intermediate bridges (districts) a user may filter by, in tree order."""
    from .models import Tier

    return visible_bridges(user).filter(tier__role=Tier.Role.INTERMEDIATE).order_by("path")


def can_see_bridge(user, bridge: Bridge) -> bool:
    role = role_of(user)
    if role is None:
        return False
    return role.scope is None or bridge.path.startswith(role.scope.path)


def is_organizer(user) -> bool:
    role = role_of(user)
    return role is not None and role.kind == Role.Kind.ORGANIZER


def can_manage_bridge(user, bridge: Bridge) -> bool:
    """Organizers manage everything; district officers manage (nudge, correct) their subtree."""
    role = role_of(user)
    if role is None or role.kind == Role.Kind.OFFICIAL:
        return False
    return can_see_bridge(user, bridge)


def may_start_heavy_jobs(user) -> bool:
    """Print PDFs, letters and certificates cost minutes of a worker and produce documents: organizers and
    district officers start them; the official reads and exports numbers (not a heavy job) and no more."""
    role = role_of(user)
    return role is not None and role.kind != Role.Kind.OFFICIAL


def require_role(user, *kinds: str) -> Role:
    role = role_of(user)
    if role is None or (kinds and role.kind not in kinds):
        raise PermissionDenied
    return role


def require_bridge(user, bridge: Bridge, *, manage: bool = False) -> None:
    allowed = can_manage_bridge(user, bridge) if manage else can_see_bridge(user, bridge)
    if not allowed:
        raise PermissionDenied
