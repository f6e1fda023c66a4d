"""The live board page, its snapshot JSON, and the launch button (board and host console)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bridges import scope
from bridges.services import bridge_by_console_token, console_actor
from events.access import get_event
from events.participation import current_event as console_event

from .. import launch
from . import state as board


def board_strings() -> dict:
    """The words board.js and the launch overlay put on screen, translated here once."""
    return {
        "states": {
            board.NOT_CONFIRMED: _("not confirmed"), board.CONFIRMED: _("confirmed, not connected"),
            board.ONLINE: _("online"), board.CHECKED_IN: _("checked in"), board.OFFLINE: _("offline"),
        },
        "declined": _("declined"),
        "feed": {
            "checkin": _("A teacher checked in at {bridge}"),
            "checkins": _("{count} teachers checked in at {bridge}"),
            "bridge_checkin": _("{bridge} checked in"),
            "headcount": _("{bridge}: {label} people present"),
            "connected": _("{bridge} connected"),
            "disconnected": _("{bridge} disconnected"),
            "roll_call_opened": _("Roll call opened: {label}"),
            "roll_call_closed": _("Roll call closed: {label}"),
            "launch": _("Launch!"),
            "other": _("{bridge}: {kind}"),
        },
        "connection": {
            "connecting": _("connecting…"), "live": _("live"),
            "reconnecting": _("connection lost, reconnecting…"),
            "forbidden": _("You do not have access to this board."),
        },
        "total": _("Total"),
        "rollCallOpen": _("open"),
        "noMissing": _("No confirmed bridge is missing."),
        "noFeed": _("Nothing yet."),
        "present": _("present"),
        "expected": _("expected"),
        "confirmLaunch": _("Launch now? Every bridge will count down together."),
        "launchFailed": _("The launch could not be sent. Check the connection and press again."),
    }


@login_required
@require_GET
def board_page(request, event_id: int):
    role = scope.require_role(request.user)
    event = get_event(request.user, event_id)
    snapshot = board.snapshot(event.pk, board.scope_path_of(role))
    return render(request, "attendance/board.html", {
        "event": event,
        "snapshot": snapshot,
        "scope_bridge": role.scope,
        "can_launch": launch.may_press(event, user=request.user),
        "states": board.STATES,
        "strings": board_strings(),
    })


@require_GET
@never_cache
def board_snapshot(request, event_id: int):
    role = scope.role_of(request.user)
    if role is None:
        return JsonResponse({"detail": _("You do not have access to this.")}, status=403)
    event = get_event(request.user, event_id)
    return JsonResponse(board.snapshot(event.pk, board.scope_path_of(role)), json_dumps_params={"ensure_ascii": False})


@login_required
@require_POST
def launch_from_board(request, event_id: int):
    event = get_event(request.user, event_id)
    if not launch.may_press(event, user=request.user):
        raise PermissionDenied
    record, created = launch.press(event, actor_label=request.user.get_username(), request=request)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"created": created, "launch": launch.payload(record), "server": board.now_ms()})
    return redirect("attendance:board", event_id=event.pk)


def _console_and_event(token: str):
    bridge = bridge_by_console_token(token)
    if bridge is None:
        return None, None
    return bridge, console_event(bridge)


@csrf_exempt
@require_POST
def launch_from_console(request, token: str):
    """The host bridge's console presses the button; its secret link is the credential (no cookie, so
    no CSRF token either, like the console's other endpoints)."""
    bridge, event = _console_and_event(token)
    if bridge is None or event is None or not launch.may_press(event, console_bridge=bridge):
        return JsonResponse({"detail": _("Only the host bridge's console can launch this event.")}, status=403)
    record, created = launch.press(event, actor_label=console_actor(bridge), request=request)
    return JsonResponse({"created": created, "launch": launch.payload(record), "server": board.now_ms()})


@require_GET
@never_cache
def launch_state_for_console(request, token: str):
    """A console that loads after the launch still shows the launch screen while it lasts."""
    bridge, event = _console_and_event(token)
    if bridge is None:
        return JsonResponse({"detail": _("This console link is not valid.")}, status=404)
    if event is None:
        return JsonResponse({"launch": None, "server": board.now_ms(), "can_press": False, "event_id": None})
    return JsonResponse({"launch": launch.current(event.pk), "server": board.now_ms(), "event_id": event.pk,
                         "title": event.title, "can_press": launch.may_press(event, console_bridge=bridge)},
                        json_dumps_params={"ensure_ascii": False})
