"""Fetching a form or round for a person. Every account with a role may read them (what a rollup shows is
cut to the person's scope by the caller, bridges.scope); changing them is the organizers' (403)."""

from django.shortcuts import get_object_or_404

from bridges import scope
from bridges.models import Role

from .models import ReportForm, ReportRound


def require_reader(user) -> Role:
    return scope.require_role(user)


def require_organizer(user) -> Role:
    return scope.require_role(user, Role.Kind.ORGANIZER)


def may_remind(role: Role) -> bool:
    return role.kind in (Role.Kind.ORGANIZER, Role.Kind.DISTRICT_OFFICER)


def get_form(user, pk, *, manage: bool = False) -> ReportForm:
    if manage:
        require_organizer(user)
    else:
        require_reader(user)
    return get_object_or_404(ReportForm, pk=pk)


def get_round(user, pk, *, manage: bool = False) -> ReportRound:
    if manage:
        require_organizer(user)
    else:
        require_reader(user)
    return get_object_or_404(ReportRound.objects.select_related("form", "version", "audience_tier", "audience_event"), pk=pk)
