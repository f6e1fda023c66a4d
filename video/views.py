"""Pages and endpoints of the video rooms: the room plan page and the event_sync webhook."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bridges import scope
from core.text import clean_text
from events.access import get_event
from events.models import Event, JitsiRoom

from . import room_plan, webhooks


def _plan_scope(user):
    """None = the whole plan; otherwise the bridges the reader may see listed."""
    role = scope.require_role(user)
    return None if role.scope is None else scope.visible_bridges(user)


@login_required
def room_plan_page(request, event_id: int):
    event = get_event(request.user, event_id)
    visible = _plan_scope(request.user)
    can_edit = scope.is_organizer(request.user)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        try:
            _handle_edit(request, event)
        except room_plan.PlanError as refused:
            messages.error(request, refused.message)
        return redirect("video:room_plan", event_id=event.pk)
    plan = room_plan.plan_for(event, visible)
    targets = [(room.name, room.label) for room in event.rooms.all()]
    return render(request, "video/room_plan.html", {
        "event": event,
        "plan": plan,
        "counts": room_plan.room_counts(event),
        "can_edit": can_edit,
        "targets": targets,
        "default_room_size": settings.JITSI_ROOM_SIZE,
        "VIEWER": room_plan.VIEWER,
    })


def _handle_edit(request, event: Event) -> None:
    action = request.POST.get("action")
    if action == "auto":
        result = room_plan.auto_plan(
            event, request.POST.get("room_size") or settings.JITSI_ROOM_SIZE,
            schools_as_viewers=request.POST.get("schools_as_viewers") == "on",
            reset=request.POST.get("reset") == "on", request=request,
        )
        messages.success(request, _(
            "Room plan updated: %(assigned)s bridges placed, %(viewers)s livestream viewers, "
            "%(kept)s kept where they were, %(rooms)s new rooms."
        ) % {"assigned": result.assigned, "viewers": result.viewers, "kept": result.kept,
             "rooms": result.rooms_created})
        for warning in result.warnings:
            messages.warning(request, warning)
    elif action == "move":
        codes = [clean_text(code) for code in request.POST.getlist("bridge") if clean_text(code)]
        if not codes:
            raise room_plan.PlanError(_("Select the bridges to move first."))
        target = clean_text(request.POST.get("target"))
        changed = room_plan.apply_moves(event, [room_plan.Move(code, target) for code in codes], request=request)
        messages.success(request, _("%(count)s bridges moved.") % {"count": changed})
    elif action == "capacity":
        room = get_object_or_404(JitsiRoom, event=event, name=request.POST.get("room"))
        room_plan.set_capacity(room, request.POST.get("capacity"), request=request)
        messages.success(request, _("Capacity saved."))
    elif action == "add_room":
        room = room_plan.add_room(event, request.POST.get("label"), request.POST.get("capacity"), request=request)
        messages.success(request, _("Room %(room)s added.") % {"room": room.label})
    elif action == "remove_room":
        room = get_object_or_404(JitsiRoom, event=event, name=request.POST.get("room"))
        room_plan.remove_room(room, request=request)
        messages.success(request, _("Room removed."))
    else:
        raise room_plan.PlanError(_("Unknown action."))


@csrf_exempt  # called by the Jitsi server, authenticated by the shared secret header
@require_POST
def jitsi_webhook(request, subject: str | None = None, action: str | None = None):
    path_event = None
    if subject is not None:
        path_event = webhooks.PATHS.get((subject, action))
        if path_event is None:
            return JsonResponse({"detail": _("Unknown webhook event.")}, status=404)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    try:
        if declared > webhooks.MAX_BODY_BYTES:
            webhooks.authenticate(request.headers.get("Authorization", ""))
            raise webhooks.WebhookRejected(413, _("The webhook body is too large."))
        row, created = webhooks.receive(
            request.body, request.headers.get("Authorization", ""), path_event=path_event
        )
    except webhooks.WebhookRejected as rejected:
        return JsonResponse({"detail": rejected.message}, status=rejected.status)
    return JsonResponse({"stored": created, "duplicate": not created, "id": row.pk})
