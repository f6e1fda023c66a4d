"""Organizer pages: events, sessions and agenda, invitations, readiness and reminders.

Organizers edit; district officers see their district and may send reminders; officials read.
"""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridges import scope
from bridges.models import Bridge, Role, Tier
from bridges.services import console_url
from bridges.tree import district_of, intermediate_bridges
from core import qr
from core.models import Job
from core.text import clean_text

from . import participation, services
from .access import get_event, visible_events
from .forms import AgendaItemForm, EventForm, InviteForm, ParticipantGroupsForm, SessionForm
from .models import AgendaItem, Event, Invitation, ReadinessTest, Session
from .services.readiness import scoped_invitations

ORGANIZER = Role.Kind.ORGANIZER
REMINDERS = (Role.Kind.ORGANIZER, Role.Kind.DISTRICT_OFFICER)


def _event(request, pk: int, *, edit: bool = False) -> Event:
    return get_event(request.user, pk, manage=edit)


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _status_counts(event: Event, user) -> dict:
    counts = dict(scoped_invitations(event, user).values_list("status").annotate(n=Count("pk")).order_by())
    return {"total": sum(counts.values()), **{status: counts.get(status, 0) for status in Invitation.Status.values}}


@login_required
def event_list(request):
    role = scope.require_role(request.user)
    events = visible_events(request.user).annotate(
        invited=Count("invitations"),
        ready=Count("invitations", filter=participation.tested_q("invitations__")),
    ).order_by("-starts_at")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "events/event_list.html", {"page": page, "can_edit": role.kind == ORGANIZER})


@login_required
def event_create(request):
    scope.require_role(request.user, ORGANIZER)
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(**form.cleaned_data, request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event was created. Now add its sessions and agenda."))
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": None})


@login_required
def event_edit(request, pk: int):
    event = _event(request, pk, edit=True)
    form = EventForm(request.POST or None, initial=EventForm.initial_for(event))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_event(event, form.cleaned_data, request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event was saved."))
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@login_required
def event_detail(request, pk: int):
    event = _event(request, pk)
    role = scope.role_of(request.user)
    can_edit = role.kind == ORGANIZER and event.status not in (Event.Status.ENDED, Event.Status.CANCELLED)
    sessions = list(event.sessions.prefetch_related("agenda"))
    tiers = list(Tier.objects.order_by("order"))
    groups = {group.tier_id: group for group in event.participant_groups.all()}
    context = {
        "event": event, "sessions": sessions, "can_edit": can_edit,
        "transitions": [Event.Status(s) for s in Event.Status.values if s in services.TRANSITIONS[event.status]]
        if role.kind == ORGANIZER else [],
        "groups": [(tier, groups.get(tier.pk)) for tier in tiers],
        "counts": _status_counts(event, request.user),
    }
    if can_edit:
        start = timezone.localtime(event.starts_at)
        context["session_form"] = SessionForm(initial={"day": start.date()}, prefix="new-session")
        for session in sessions:
            items = list(session.agenda.all())
            begin = timezone.localtime(items[-1].ends_at if items else session.starts_at).time()
            session.add_form = AgendaItemForm(session=session, initial={"start": begin}, prefix=f"agenda-{session.pk}")
        context["groups_form"] = ParticipantGroupsForm(
            tiers=tiers, initial={f"tier_{tier.pk}": group.description for tier, group in context["groups"] if group})
    return render(request, "events/event_detail.html", context)


@login_required
@require_POST
def event_status(request, pk: int):
    event = _event(request, pk, edit=True)
    try:
        event = services.set_status(event, request.POST.get("status", ""), request=request)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The event is now “%(status)s”.") % {"status": event.get_status_display()})
    return redirect("events:detail", pk=event.pk)


@login_required
@require_POST
def participant_groups(request, pk: int):
    event = _event(request, pk, edit=True)
    form = ParticipantGroupsForm(request.POST, tiers=Tier.objects.order_by("order"))
    if form.is_valid():
        try:
            services.set_participant_groups(event, form.descriptions(), request=request)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Participant groups saved."))
    return redirect(reverse("events:detail", args=[event.pk]) + "#groups")


# --- sessions and agenda --------------------------------------------------------------------

@login_required
def session_create(request, pk: int):
    event = _event(request, pk, edit=True)
    form = SessionForm(request.POST or None, prefix="new-session",
                       initial={"day": timezone.localtime(event.starts_at).date()})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.add_session(event, **form.values(), request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Session added."))
            return redirect(reverse("events:detail", args=[event.pk]) + f"#session-{session.pk}")
    return render(request, "events/session_form.html", {"form": form, "event": event, "session": None})


@login_required
def session_edit(request, pk: int, session_id: int):
    event = _event(request, pk, edit=True)
    session = get_object_or_404(Session, pk=session_id, event=event)
    form = SessionForm(request.POST or None, initial=SessionForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(session, form.values(), request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Session saved."))
            return redirect(reverse("events:detail", args=[event.pk]) + f"#session-{session.pk}")
    return render(request, "events/session_form.html", {"form": form, "event": event, "session": session})


@login_required
@require_POST
def session_delete(request, pk: int, session_id: int):
    event = _event(request, pk, edit=True)
    session = get_object_or_404(Session, pk=session_id, event=event)
    try:
        services.delete_session(session, request=request)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Session deleted."))
    return redirect("events:detail", pk=event.pk)


@login_required
def agenda_create(request, pk: int, session_id: int):
    event = _event(request, pk, edit=True)
    session = get_object_or_404(Session, pk=session_id, event=event)
    form = AgendaItemForm(request.POST or None, session=session, prefix=f"agenda-{session.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            services.add_agenda_item(session, **form.values(), request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Agenda item added."))
            return redirect(reverse("events:detail", args=[event.pk]) + f"#session-{session.pk}")
    return render(request, "events/agenda_form.html", {"form": form, "event": event, "session": session, "item": None})


@login_required
def agenda_edit(request, pk: int, item_id: int):
    event = _event(request, pk, edit=True)
    item = get_object_or_404(AgendaItem.objects.select_related("session"), pk=item_id, session__event=event)
    form = AgendaItemForm(request.POST or None, session=item.session, initial=AgendaItemForm.initial_for(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agenda_item(item, form.values(), request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Agenda item saved."))
            return redirect(reverse("events:detail", args=[event.pk]) + f"#session-{item.session_id}")
    return render(request, "events/agenda_form.html",
                  {"form": form, "event": event, "session": item.session, "item": item})


@login_required
@require_POST
def agenda_delete(request, pk: int, item_id: int):
    event = _event(request, pk, edit=True)
    item = get_object_or_404(AgendaItem.objects.select_related("session__event"), pk=item_id, session__event=event)
    try:
        services.delete_agenda_item(item, request=request)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Agenda item deleted."))
    return redirect(reverse("events:detail", args=[event.pk]) + f"#session-{item.session_id}")


# --- invitations ----------------------------------------------------------------------------

def _bridges_to_invite(request, form: InviteForm):
    """The bridges the form designates, and row problems of an imported list."""
    visible = scope.visible_bridges(request.user)
    mode = form.cleaned_data["mode"]
    if mode == "all":
        return visible, [], _("all")
    if mode == "subtree":
        root = form.cleaned_data["root"]
        return visible.filter(path__startswith=root.path), [], _("subtree of %(code)s") % {"code": root.code}
    if mode == "selection":
        return list(form.cleaned_data["selection"]), [], _("selection")
    rows = services.parse_code_text(form.cleaned_data.get("codes") or "")
    upload = form.cleaned_data.get("file")
    if upload is not None:
        rows += services.parse_code_file(upload)
    bridges, problems = services.resolve_codes(request.user, rows)
    return bridges, problems, _("imported list")


@login_required
def invite(request, pk: int):
    event = _event(request, pk, edit=True)
    visible = scope.visible_bridges(request.user)
    form = InviteForm(request.POST or None, request.FILES or None, bridges=visible)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            bridges, problems, how = _bridges_to_invite(request, form)
            if not problems:
                result = services.invite_bridges(event, bridges, request=request, how=how)
        except ValidationError as exc:
            problems = exc.messages
        if not problems:
            messages.success(request, _("%(created)s bridges invited (%(already)s were already invited).") % {
                "created": result.created, "already": result.already})
            return redirect("events:invitations", pk=event.pk)
    invited_ids = set(event.invitations.values_list("bridge_id", flat=True))
    bridges = list(visible.select_related("tier").order_by("path").only("id", "code", "name", "depth", "tier__label"))
    for bridge in bridges:
        bridge.already_invited = bridge.pk in invited_ids
    return render(request, "events/invite.html", {
        "event": event, "form": form, "problems": problems, "bridges": bridges, "invited_count": len(invited_ids),
        "ticked": set(request.POST.getlist("selection")) if request.method == "POST" else set(),
    })


@login_required
def invitation_list(request, pk: int):
    event = _event(request, pk)
    latest = ReadinessTest.objects.filter(invitation=OuterRef("pk")).order_by("-at", "-id")
    invitations = scoped_invitations(event, request.user).select_related("bridge", "bridge__tier").annotate(
        last_test_at=Subquery(latest.values("at")[:1])).order_by("bridge__path")
    status = request.GET.get("status", "")
    if status in Invitation.Status.values:
        invitations = invitations.filter(status=status)
    district_code = clean_text(request.GET.get("district"))
    districts = intermediate_bridges()
    if district_code:
        district = next((d for d in districts.values() if d["code"] == district_code), None)
        invitations = invitations.filter(bridge__path__startswith=district["path"]) if district else invitations.none()
    query = clean_text(request.GET.get("q"))
    if query:
        invitations = invitations.filter(Q(bridge__code__icontains=query) | Q(bridge__name__icontains=query))
    page = Paginator(invitations, 100).get_page(request.GET.get("page"))
    counts = _status_counts(event, request.user)
    for invitation in page:
        district = district_of(invitation.bridge.path, districts)
        invitation.district_name = district["name"] if district else ""
    visible_districts = sorted(
        (d for d in districts.values() if scope.can_see_bridge(request.user, Bridge(path=d["path"]))),
        key=lambda d: d["name"])
    return render(request, "events/invitation_list.html", {
        "event": event, "page": page, "status": status,
        "status_tabs": [(value, label, counts[value]) for value, label in Invitation.Status.choices],
        "district_code": district_code, "districts": visible_districts, "query": query,
        "counts": counts, "filter_query": _filter_query(request),
    })


def _filter_query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _invitation(request, pk: int, code: str, *, manage: bool = False) -> Invitation:
    event = _event(request, pk)
    invitation = get_object_or_404(Invitation.objects.select_related("event", "bridge", "bridge__tier",
                                                                     "bridge__parent"), event=event, bridge__code=code)
    scope.require_bridge(request.user, invitation.bridge, manage=manage)
    return invitation


@login_required
def invitation_detail(request, pk: int, code: str):
    invitation = _invitation(request, pk, code)
    can_manage = scope.can_manage_bridge(request.user, invitation.bridge)
    return render(request, "events/invitation_detail.html", {
        "event": invitation.event, "invitation": invitation, "bridge": invitation.bridge,
        "tests": invitation.readiness_tests.order_by("-at", "-id")[:20], "can_manage": can_manage,
        "console_url": console_url(invitation.bridge) if can_manage else "",
    })


@login_required
def invitation_qr(request, pk: int, code: str):
    """The console link as a QR code, to print or show; it is a secret, so only for those who manage the bridge."""
    invitation = _invitation(request, pk, code, manage=True)
    response = HttpResponse(qr.png(console_url(invitation.bridge), border=2), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


# --- readiness and reminders ----------------------------------------------------------------

@login_required
def readiness(request, pk: int):
    event = _event(request, pk)
    role = scope.role_of(request.user)
    job = None
    job_id = request.GET.get("job", "")
    if job_id.isdigit():
        job = Job.objects.filter(pk=int(job_id), kind="events.reminders", created_by=request.user).first()
    return render(request, "events/readiness.html", {
        "event": event, "summary": services.readiness_summary(event, request.user),
        "can_remind": role.kind in REMINDERS, "job": job,
    })


@login_required
@require_POST
def reminders(request, pk: int):
    event = _event(request, pk)
    scope.require_role(request.user, *REMINDERS)
    which = request.POST.get("which", "chosen")
    statuses = {"not_confirmed": [Invitation.Status.INVITED], "problems": [Invitation.Status.PROBLEM],
                "untested": [Invitation.Status.CONFIRMED]}
    if which == "chosen":
        ids = [int(value) for value in request.POST.getlist("invitation") if value.isdigit()]
        targets = services.reminder_targets(event, request.user, ids=ids)
    elif which in statuses:
        targets = services.reminder_targets(event, request.user).filter(status__in=statuses[which])
    else:
        targets = Invitation.objects.none()
    try:
        job = services.start_reminders(event, targets, request=request)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("events:readiness", pk=event.pk)
    messages.success(request, _("Sending reminders to %(count)s bridges.") % {"count": len(job.params["invitations"])})
    return redirect(reverse("events:readiness", args=[event.pk]) + f"?job={job.pk}")
