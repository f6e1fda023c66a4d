"""The live board page, its snapshot JSON, and the board's launch button (the host console's is the
console API's /api/console/{token}/launch)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bridges import scope
from events.access import get_event

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
        "flagged": _("{count} check-ins from one device (flagged)"),
        "unchecked": _("(unchecked)"),
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
            # The board's own connection, not the event's status (also "live"): a word of its own.
            "connecting": _("connecting…"), "live": pgettext("connection", "live"),
            "reconnecting": _("connection lost, reconnecting…"),
            "forbidden": _("You do not have access to this board."),
        },
        "total": _("Total"),
        "rollCallOpen": pgettext("roll call state", "open"),
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
