"""Pages and endpoints of the video rooms: the room plan page and the event_sync webhook."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bridges import scope, search
from core import confirm
from core.confirm import Confirmation
from core.errors import Refused
from core.text import clean_text
from events.access import get_event
from events.models import Event, JitsiRoom

from . import owners, room_plan, tokens, webhooks
from .page_policy import jitsi_page


def _plan_scope(user):
    """None = the whole plan; otherwise the bridges the reader may see listed."""
    role = scope.require_role(user)
    return None if role.scope is None else scope.visible_bridges(user)


ROOM_MEMBERS_SHOWN = 50  # per room on the plan page; a room's full list is one click away (?room=)
MEMBERS_PER_PAGE = 100
SMALL_PLAN = 30  # a plan listing at most this many bridges shows its rooms open


@login_required
def room_plan_page(request, event_id: int):
    event = get_event(request.user, event_id)
    visible = _plan_scope(request.user)
    can_edit = scope.is_organizer(request.user)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        asking = _reset_confirmation(request, event)
        if asking is not None:
            return asking
        try:
            _handle_edit(request, event)
        except Refused as refused:  # room_plan.PlanError, owners.OwnerRefused
            messages.error(request, refused.message)
        return redirect("video:room_plan", event_id=event.pk)
    plan = room_plan.plan_for(event, visible)
    targets = [(room.name, room.label) for room in event.rooms.all()]
    context = {
        "event": event,
        "plan": plan,
        "counts": room_plan.room_counts(event),
        "can_edit": can_edit,
        "targets": targets,
        "default_room_size": settings.JITSI_ROOM_SIZE,
        "VIEWER": room_plan.VIEWER,
        "owner_choices": owners.candidates(event) if can_edit else [],
        "my_owner_key": f"{owners.ACCOUNT}:{request.user.get_username()}",
    }
    context.update(_listing(request, plan))
    return render(request, "video/room_plan.html", context)


def _listing(request, plan: room_plan.PlanView) -> dict:
    """What of the plan's long lists the page shows: each room folded with its first bridges, the chosen
    room (?room=) open and paged, and the bridges a search finds (by code or name, bridges.search)."""
    chosen = clean_text(request.GET.get("room"))
    listed = sum(len(rv.members) for rv in plan.rooms) + len(plan.viewers) + len(plan.unassigned)
    small = listed <= SMALL_PLAN
    for key, members, holder in ([(rv.room.name, rv.members, rv) for rv in plan.rooms]
                                 + [(room_plan.VIEWER, plan.viewers, None), ("unassigned", plan.unassigned, None)]):
        if key == chosen:
            shown = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
        else:
            shown = members[:ROOM_MEMBERS_SHOWN]
        group = {"shown": shown, "more": 0 if key == chosen else max(len(members) - ROOM_MEMBERS_SHOWN, 0),
                 "open": small or key == chosen, "paged": key == chosen}
        if holder is not None:
            holder.listing = group
        elif key == room_plan.VIEWER:
            viewers = group
        else:
            unassigned = group
    query = clean_text(request.GET.get("q"))
    found = None
    if query:
        words = search.words(query)
        everyone = [inv for rv in plan.rooms for inv in rv.members] + plan.viewers + plan.unassigned + plan.declined
        found = Paginator([inv for inv in everyone if search.matches(inv.bridge, words)],
                          MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return {"viewers_listing": viewers, "unassigned_listing": unassigned, "chosen_room": chosen, "query": query,
            "found": found, "listed": listed,
            "query_string": urlencode({"q": query} if query else {"room": chosen})}


def _reset_confirmation(request, event: Event):
    """"Start over" forgets every place and hand edit: asked first (core.confirm) with how many lose theirs."""
    if request.POST.get("action") != "auto" or request.POST.get("reset") != "on":
        return None
    counts = room_plan.room_counts(event)
    placed = counts["in_rooms"] + counts["viewers"]
    if not confirm.must_ask(request, placed):
        return None
    n = confirm.number(placed)
    return confirm.ask(request, Confirmation(
        title=_("Plan the rooms again from the start"), count=placed,
        summary=ngettext("%(n)s bridge loses its place and is placed again; hand edits are forgotten.",
                         "%(n)s bridges lose their places and are placed again; hand edits are forgotten.",
                         placed) % {"n": n},
        consequence=_("School rooms are removed and drawn up again, with their moderators chosen again. Bridges "
                      "may end up in another room: consoles show the new room at once. This cannot be undone."),
        action_url=request.path, cancel_url=reverse("video:room_plan", args=[event.pk]),
        button=_("Start over"), danger=True,
    ))


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
    elif action == "owner":
        room = get_object_or_404(JitsiRoom, event=event, name=request.POST.get("room"))
        bridge, user = owners.parse_choice(event, clean_text(request.POST.get("owner")))
        owner = owners.set_owner(room, bridge=bridge, user=user, request=request)
        messages.success(request, _("%(owner)s now moderates %(room)s.") % {"owner": owner.name, "room": room.label})
    elif action == "remove_room":
        room = get_object_or_404(JitsiRoom, event=event, name=request.POST.get("room"))
        room_plan.remove_room(room, request=request)
        messages.success(request, _("Room removed."))
    else:
        raise room_plan.PlanError(_("Unknown action."))


@login_required
@jitsi_page  # the call: the Jitsi domain, camera and microphone
def moderate_room(request, event_id: int, room_name: str):
    """The room a named moderator account owns, embedded with its owner token (Jitsi's IFrame API)."""
    event = get_event(request.user, event_id)
    room = get_object_or_404(JitsiRoom, event=event, name=room_name)
    join, refusal = None, ""
    try:
        join = tokens.account_join_info(event, request.user, room.name)
    except tokens.TokenRefused as refused:
        refusal = refused.message
    return render(request, "video/moderate_room.html", {"event": event, "room": room, "join": join,
                                                        "refusal": refusal}, status=200 if join else 403)


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
