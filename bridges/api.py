from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from core.openapi import refusals

from . import scope, services
from .models import Bridge

router = Router(tags=["bridges"])


class BridgeOut(Schema):
    code: str
    name: str
    tier: str
    tier_role: str
    parent_code: str | None
    address: str
    head_name: str
    head_role: str
    head_phone: str
    tech_name: str
    tech_phone: str
    email: str
    expected_participants: int
    internet_line: str
    notes: str

    @staticmethod
    def resolve_tier(obj):
        return obj.tier.label

    @staticmethod
    def resolve_tier_role(obj):
        return obj.tier.role

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class PersonOut(Schema):
    id: int
    full_name: str
    birth_date: date | None
    gender: str
    subject: str
    phone: str
    email: str
    teacher_id: str
    bridge_code: str

    @staticmethod
    def resolve_bridge_code(obj):
        return obj.bridge.code


class ConsoleLinkOut(Schema):
    code: str
    console_url: str


@router.get("/", response=list[BridgeOut], summary="Bridges in the caller's scope")
@paginate  # core.pagination.Page (NINJA_PAGINATION_CLASS): limit and offset capped
def list_bridges(request, parent: str | None = None):
    """Lists the bridges the caller's scope covers, in tree order: every bridge for organizers and for
    officials of the whole province, a district's subtree for a district officer. `parent` keeps the direct
    children of one bridge; paged with `limit` and `offset`. Any logged-in account (one without a role sees
    none).
    """
    bridges = scope.visible_bridges(request.user).select_related("tier", "parent")
    if parent:
        bridges = bridges.filter(parent__code=parent)
    return bridges


@router.get("/{code}", response={200: BridgeOut, **refusals(403, 404)}, summary="One bridge")
def get_bridge(request, code: str):
    """One bridge by its code, with its tier, parent, address and contacts. Any account whose scope covers the
    bridge; 403 for a bridge outside it, 404 for an unknown code.
    """
    bridge = get_object_or_404(Bridge.objects.select_related("tier", "parent"), code=code)
    scope.require_bridge(request.user, bridge)
    return bridge


@router.get("/{code}/people", response={200: list[PersonOut], **refusals(403, 404)},
            summary="The bridge's roster")
@paginate  # core.pagination.Page (NINJA_PAGINATION_CLASS): limit and offset capped
def list_people(request, code: str):
    """The people on one bridge's roster with their personal data (birth date, phone, identifier), paged. Only
    for accounts whose scope covers the bridge (403 otherwise); 404 for an unknown code.
    """
    bridge = get_object_or_404(Bridge, code=code)
    scope.require_bridge(request.user, bridge)
    return bridge.people.select_related("bridge")


@router.post("/{code}/rotate-console", response={200: ConsoleLinkOut, **refusals(403, 404)},
             summary="Replace the bridge's console link")
def rotate_console(request, code: str):
    """Gives the bridge a new secret console link and answers it: the old link stops working at once, and
    the rotation is written to the audit log. Organizers, and district officers for the bridges of their
    district; officials are refused (403), as is a bridge outside the caller's scope.
    """
    bridge = get_object_or_404(Bridge, code=code)
    scope.require_bridge(request.user, bridge, manage=True)
    services.rotate_console_link(bridge, request=request)
    return {"code": bridge.code, "console_url": services.console_url(bridge)}
