"""Organizer pages: events, sessions and agenda, invitations, readiness and reminders.

Organizers edit; district officers see their district and may send reminders; officials read.
"""


from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from bridges import scope, search
from bridges.models import Bridge, Role, Tier
from bridges.services import console_url
from bridges.tree import district_of, intermediate_bridges
from core import confirm, deletion, qr, undo
from core.confirm import Confirmation
from core.errors import Refused
from core.models import Job
from core.text import clean_text

from . import cancellation, participation, services
from .access import get_event, visible_events
from .forms import AgendaItemForm, EventForm, InviteForm, ParticipantGroupsForm, SessionForm
from .letter_forms import LetterForm
from .models import AgendaItem, Event, Invitation, ReadinessTest, Session
from .services import letters
from .services.readiness import scoped_invitations
from .services.schedule import AGENDA_UNDO_SECONDS

ORGANIZER = Role.Kind.ORGANIZER
INVITATIONS_PER_PAGE = 50  # a page of the invitations list: about four screens at 1366×768
REMINDERS = (Role.Kind.ORGANIZER, Role.Kind.DISTRICT_OFFICER)


def _event(request, pk: int, *, edit: bool = False) -> Event:
    return get_event(request.user, pk, manage=edit)


# The status changes with no way back, and what follows from each (a confirmation states it).
_STATUS_CONSEQUENCES = {
    Event.Status.PUBLISHED: gettext_lazy("Schools see the event on their consoles and calendars at once, and it "
                                         "cannot go back to draft."),
    Event.Status.ENDED: gettext_lazy("The event can no longer be changed: its programme, invitations and rooms "
                                     "stay as they are, and it cannot be reopened."),
}


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
    # The invitation letter's official-document fields (events.services.letters), saved with the event.
    letter_form = LetterForm(request.POST or None, instance=letters.letter_of(event), prefix="letter")
    if request.method == "POST" and form.is_valid() and letter_form.is_valid():
        try:
            services.update_event(event, form.cleaned_data, request=request)
            letters.save_letter(event, letter_form.letter_values, request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event was saved."))
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": event, "letter_form": letter_form})


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
    target = request.POST.get("status", "")
    invited = event.invitations.count()
    if target in _STATUS_CONSEQUENCES and target in services.TRANSITIONS[event.status] \
            and confirm.must_ask(request, invited):
        # No way back from these (services.TRANSITIONS): asked first, with the bridges it reaches.
        n = confirm.number(invited)
        label = Event.Status(target).label
        return confirm.ask(request, Confirmation(
            title=_("Mark as “%(status)s”") % {"status": label}, count=invited,
            summary=ngettext("“%(event)s” becomes “%(status)s” for its %(n)s invited bridge.",
                             "“%(event)s” becomes “%(status)s” for its %(n)s invited bridges.", invited)
            % {"event": event.title, "status": label, "n": n},
            consequence=str(_STATUS_CONSEQUENCES[target]), action_url=request.path,
            cancel_url=reverse("events:detail", args=[event.pk]),
            button=_("Mark as “%(status)s”") % {"status": label}, danger=target == Event.Status.ENDED,
        ))
    try:
        event = services.set_status(event, request.POST.get("status", ""), request=request)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The event is now “%(status)s”.") % {"status": event.get_status_display()})
    return redirect("events:detail", pk=event.pk)


@login_required
def event_cancel(request, pk: int):
    """Cancelling, asked first: who will be mailed the calendar cancellation; afterwards, its progress."""
    event = _event(request, pk)
    can_cancel = Event.Status.CANCELLED in services.TRANSITIONS[event.status]
    if request.method == "POST":
        event = _event(request, pk, edit=True)
        try:
            services.set_status(event, Event.Status.CANCELLED, request=request)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The event was cancelled."))
        return redirect("events:cancel", pk=event.pk)
    scope.require_role(request.user, ORGANIZER)
    return render(request, "events/event_cancel.html", {
        "event": event,
        "can_cancel": can_cancel,
        "announced": event.status in cancellation.ANNOUNCED,
        "with_email": cancellation.mailed_invitations(event).count(),
        "invited": event.invitations.count(),
        "job": cancellation.latest_job(event),
    })


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
@require_http_methods(["GET", "POST"])
def session_delete(request, pk: int, session_id: int):
    """Asked first (core.confirm): the session goes with its agenda; refused when anything was recorded in it."""
    event = _event(request, pk, edit=True)
    session = get_object_or_404(Session, pk=session_id, event=event)
    items = session.agenda.count()
    if confirm.must_ask(request, items):
        return confirm.ask(request, _session_delete_confirmation(request, event, session, items))
    try:
        services.delete_session(session, request=request)
    except ValidationError as exc:
        _refused(request, exc)
    except Refused as exc:  # it holds attendance (core.deletion): the message says what and how many
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Session deleted."))
    return redirect("events:detail", pk=event.pk)


def _session_delete_confirmation(request, event: Event, session: Session, items: int) -> Confirmation:
    back = reverse("events:detail", args=[event.pk]) + f"#session-{session.pk}"
    try:
        deletion.refuse_if_recorded(session)
    except Refused as refused:  # evidence under it (core.deletion): say so now, offer nothing to confirm
        return Confirmation(title=_("Delete the session “%(title)s”") % {"title": session.title}, count=items,
                            summary=refused.message, consequence="", action_url=request.path, cancel_url=back,
                            button="", allowed=False)
    return Confirmation(
        title=_("Delete the session “%(title)s”") % {"title": session.title}, count=items,
        summary=ngettext("The session is deleted with its %(n)s agenda item.",
                         "The session is deleted with its %(n)s agenda items.", items) % {"n": confirm.number(items)},
        consequence=_("This cannot be undone. Calendars, letters and consoles show the programme without it; "
                      "a roll call that was opened in it would have kept it from being deleted."),
        action_url=request.path, cancel_url=back, button=_("Delete the session"), danger=True,
    )


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
    """One click, no question: the message that follows carries an Undo button for a few minutes."""
    event = _event(request, pk, edit=True)
    item = get_object_or_404(AgendaItem.objects.select_related("session__event"), pk=item_id, session__event=event)
    try:
        services.delete_agenda_item(item, request=request)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        undo.offer(request, _("“%(title)s” was deleted from the agenda. You can undo this for %(minutes)s minutes.")
                   % {"title": item.title, "minutes": AGENDA_UNDO_SECONDS // 60},
                   reverse("events:agenda_restore", args=[event.pk, item.pk]))
    return redirect(reverse("events:detail", args=[event.pk]) + f"#session-{item.session_id}")


@login_required
@require_POST
def agenda_restore(request, pk: int, item_id: int):
    event = _event(request, pk, edit=True)
    try:
        item = services.restore_agenda_item(event, item_id, request=request)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("events:detail", pk=event.pk)
    messages.success(request, _("“%(title)s” is back on the agenda.") % {"title": item.title})
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
                preview = services.invite_preview(event, bridges)
                if confirm.must_ask(request, preview.created):
                    return confirm.ask(request, _invite_confirmation(request, event, form, bridges, preview, how))
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


def _invite_confirmation(request, event: Event, form: InviteForm, bridges, preview, how: str) -> Confirmation:
    fields = [(name, value) for name, value in confirm.carried(request) if name != "codes"]
    if form.cleaned_data["mode"] == "list":
        # An uploaded file is not posted twice: the confirmation carries the codes it was read to.
        fields.append(("codes", "\n".join(bridge.code for bridge in bridges)))
    n = confirm.number(preview.created)
    notes = [ngettext("%(n)s of them is invited already and keeps its answer.",
                      "%(n)s of them are invited already and keep their answers.",
                      preview.already) % {"n": confirm.number(preview.already)}] if preview.already else []
    return Confirmation(
        title=_("Invite bridges"), count=preview.created,
        summary=(ngettext("%(n)s bridge (%(how)s) will be invited to “%(event)s”.",
                          "%(n)s bridges (%(how)s) will be invited to “%(event)s”.", preview.created)
                 % {"n": n, "how": how, "event": event.title}) if preview.created
        else _("Every bridge you chose is invited already: there is nobody new to invite."),
        consequence=_("Each one sees the event on its console at once and is counted in readiness until it "
                      "answers. No e-mail is sent now: letters and e-mails go from the Letters tab. An invitation "
                      "is not withdrawn here: a school that will not come declines it."),
        notes=notes, action_url=request.path, cancel_url=reverse("events:invite", args=[event.pk]),
        fields=fields, allowed=preview.created > 0,
        button=ngettext("Invite %(n)s bridge", "Invite %(n)s bridges", preview.created) % {"n": n},
    )


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
    # By code or name, with or without Vietnamese marks (bridges.search).
    invitations = search.filter_queryset(invitations, query, bridge_field="bridge")
    page = Paginator(invitations, INVITATIONS_PER_PAGE).get_page(request.GET.get("page"))
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
    preview = services.reminder_preview(targets)
    if preview["chosen"] and confirm.must_ask(request, preview["mailed"]):
        return confirm.ask(request, _reminder_confirmation(request, event, preview))
    try:
        job = services.start_reminders(event, targets, request=request)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect(reverse("events:readiness", args=[event.pk]) + "#reminders")
    messages.success(request, _("Sending reminders to %(count)s bridges.") % {"count": len(job.params["invitations"])})
    return redirect(reverse("events:readiness", args=[event.pk]) + f"?job={job.pk}#reminders")


def _reminder_confirmation(request, event: Event, preview: dict) -> Confirmation:
    count = preview["mailed"]
    n = confirm.number(count)
    notes = []
    if preview["no_email"]:
        notes.append(ngettext("%(n)s bridge has no e-mail address: phone it instead.",
                              "%(n)s bridges have no e-mail address: phone them instead.",
                              preview["no_email"]) % {"n": confirm.number(preview["no_email"])})
    if preview["held_back"]:
        notes.append(ngettext("%(n)s bridge was reminded less than %(minutes)s minutes ago and is skipped.",
                              "%(n)s bridges were reminded less than %(minutes)s minutes ago and are skipped.",
                              preview["held_back"]) % {"n": confirm.number(preview["held_back"]),
                                                       "minutes": settings.REMINDER_COOLDOWN_MINUTES})
    return Confirmation(
        title=_("Send reminders"), count=count,
        summary=ngettext("%(n)s reminder will be e-mailed now, with the bridge's console link.",
                         "%(n)s reminders will be e-mailed now, each with its bridge's console link.", count)
        % {"n": n} if count else _("Nobody can be e-mailed a reminder now."),
        consequence=_("An e-mail cannot be called back once sent. Each bridge is then held back from another "
                      "reminder for %(minutes)s minutes.") % {"minutes": settings.REMINDER_COOLDOWN_MINUTES},
        notes=notes, action_url=request.path, section="reminders", allowed=count > 0,
        cancel_url=reverse("events:readiness", args=[event.pk]) + "#reminders",
        button=ngettext("Send %(n)s reminder", "Send %(n)s reminders", count) % {"n": n},
    )
