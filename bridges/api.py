from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

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
@paginate(LimitOffsetPagination)
def list_bridges(request, parent: str | None = None):
    bridges = scope.visible_bridges(request.user).select_related("tier", "parent")
    if parent:
        bridges = bridges.filter(parent__code=parent)
    return bridges


@router.get("/{code}", response=BridgeOut, summary="One bridge")
def get_bridge(request, code: str):
    bridge = get_object_or_404(Bridge.objects.select_related("tier", "parent"), code=code)
    scope.require_bridge(request.user, bridge)
    return bridge


@router.get("/{code}/people", response=list[PersonOut], summary="The bridge's roster")
@paginate(LimitOffsetPagination)
def list_people(request, code: str):
    bridge = get_object_or_404(Bridge, code=code)
    scope.require_bridge(request.user, bridge)
    return bridge.people.select_related("bridge")


@router.post("/{code}/rotate-console", response=ConsoleLinkOut, summary="Replace the bridge's console link")
def rotate_console(request, code: str):
    bridge = get_object_or_404(Bridge, code=code)
    scope.require_bridge(request.user, bridge, manage=True)
    services.rotate_console_link(bridge, request=request)
    return {"code": bridge.code, "console_url": services.console_url(bridge)}
