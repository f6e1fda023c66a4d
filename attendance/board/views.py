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
from events.models import Event

from .. import launch
from . import state as board
from .coalescer import Coalescer


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
            # Per bridge and minute (attendance.board.state.summarise_checkins): "Trường X: +23 giáo viên".
            "checkin": _("{bridge}: +1 teacher"),
            "checkins": _("{bridge}: +{count} teachers"),
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
        # Group mode (a nation's board: more bridges than BOARD_TILES_MAX): the table's groups are picked to see
        # their bridges.
        "pickGroup": _("Choose a unit in the table above to see its bridges."),
        "viewingGroup": _("Bridges of {group}. Choose another unit in the table above to see its bridges."),
        "showGroup": _("Show the bridges of {group}"),
        "rollCallOpen": pgettext("roll call state", "open"),
        "noMissing": _("No confirmed bridge is missing."),
        "noFeed": _("Nothing yet."),
        "present": _("present"),
        "expected": _("expected"),
        "confirmLaunch": _("Launch now? Every bridge will count down together."),
        "confirmEarly": _("Launch early anyway? Every bridge will count down together and the event becomes live."),
        "launchFailed": _("The launch could not be sent. Check the connection and press again."),
        # The page's own words ("Launched at %(when)s"), with board.js's placeholder in them.
        "launchedAt": _("Launched at %(when)s") % {"when": "{when}"},
    }


@login_required
@require_GET
def board_page(request, event_id: int):
    role = scope.require_role(request.user)
    event = get_event(request.user, event_id)
    # In group mode (a nation's organizer) `?group=<code>` picks the group whose tiles are shown.
    snapshot = Coalescer.snapshot_now(event, board.scope_path_of(role), request.GET.get("group"))
    return render(request, "attendance/board.html", {
        "event": event,
        "snapshot": snapshot,
        "scope_bridge": role.scope,
        "can_launch": launch.may_press(event, user=request.user),
        "early": launch.how_early(event) is not None,
        "live_label": Event.Status.LIVE.label,
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
    # What board.js reloads: from the event's board in memory when one runs in this process, as the API does.
    snapshot = Coalescer.snapshot_now(event, board.scope_path_of(role), request.GET.get("group"))
    return JsonResponse(snapshot, json_dumps_params={"ensure_ascii": False})


@login_required
@require_POST
def launch_from_board(request, event_id: int):
    """The board's launch button. Before the event's start the launch is refused until the organizer
    confirms an early launch (`early=1`): board.js asks with the refusal's words, without scripts the
    confirm page (attendance/launch_confirm.html) does."""
    event = get_event(request.user, event_id)
    if not launch.may_press(event, user=request.user):
        raise PermissionDenied
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    early = request.POST.get("early") in ("1", "true", "on")
    try:
        record, created = launch.press(event, actor_label=request.user.get_username(), request=request, early=early)
    except launch.LaunchRefused as refused:
        if wants_json:
            return JsonResponse(refused.as_dict(), status=refused.status)
        return render(request, "attendance/launch_confirm.html", {"event": event, "refusal": refused},
                      status=refused.status)
    if wants_json:
        return JsonResponse({"created": created, "launch": launch.payload(record), "server": board.now_ms()})
    return redirect("attendance:board", event_id=event.pk)
