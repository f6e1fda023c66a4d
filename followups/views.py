"""Follow-up reports: the organizer opens one, officers follow and remind. Schools answer from their
console (the console app's page /c/<token>/followup/ and its API).

The downloads (workbook, CSV) are the reports app's: it adds them to the form's page as a panel.
"""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridges import scope, search
from bridges.models import Bridge, Role
from bridges.tree import unit_order
from core import confirm
from core.confirm import Confirmation
from core.jobs.access import visible_jobs
from core.text import clean_text
from events.access import get_event

from . import services as followup
from .access import get_answer, get_form
from .models import FollowUpForm
from .panels import panels_for


def parse_deadline(text: str) -> datetime | None:
    """A deadline typed as 2025-06-30T17:00 (the browser's picker) or 30/06/2025 17:00."""
    text = clean_text(text)
    if not text:
        return None
    value = parse_datetime(text.replace(" ", "T", 1) if "-" in text else text)
    if value is None:
        for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if value is None:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _may_remind(role) -> bool:
    return role.kind in (Role.Kind.ORGANIZER, Role.Kind.DISTRICT_OFFICER)


@login_required
@require_http_methods(["GET", "POST"])
def followup_list(request, event_id: int):
    role = scope.require_role(request.user)
    event = get_event(request.user, event_id)
    errors, posted, status = {}, {}, 200
    if request.method == "POST":
        if role.kind != Role.Kind.ORGANIZER:
            raise PermissionDenied
        posted = request.POST
        deadline = parse_deadline(posted.get("deadline", ""))
        try:
            form = followup.open_form(event, title=posted.get("title", ""), deadline=deadline,
                                      instructions=posted.get("instructions", ""), request=request)
        except followup.FollowUpError as exc:
            errors, status = exc.errors, 400
            if posted.get("deadline") and deadline is None:
                errors["deadline"] = _("Write the deadline as dd/mm/yyyy hh:mm.")
        else:
            messages.success(request, _("The follow-up report is open: the schools see it on their console."))
            return redirect("followups:detail", pk=form.pk)
    return render(request, "followups/followup_list.html", {
        "event": event, "forms": FollowUpForm.objects.filter(event=event).select_related("round"),
        "can_open": role.kind == Role.Kind.ORGANIZER, "errors": errors, "posted": posted,
        "schools": followup.expected_schools(event).count(), "tab": "reports",
    }, status=status)


@login_required
@require_GET
def followup_detail(request, pk: int):
    form = get_form(request.user, pk)
    role = scope.require_role(request.user)
    state = followup.status(form, scope.scope_path_of(role))
    job = None
    if request.GET.get("job", "").isdigit():
        job = visible_jobs(request.user).filter(pk=int(request.GET["job"]), kind=followup.REMIND_JOB).first()
    # Hundreds of schools: listed by district in folded groups, searched by code or name (bridges.search).
    query = clean_text(request.GET.get("q"))
    words = search.words(query)
    missing = [s for s in state.missing if search.matches(s.bridge, words)]
    answered = [s for s in state.submitted if search.matches(s.bridge, words)]
    return render(request, "followups/followup_detail.html", {
        "form": form, "event": form.event, "state": state, "panels": panels_for(request, form, state),
        "can_remind": _may_remind(role) and not form.is_closed, "can_close": role.kind == Role.Kind.ORGANIZER,
        "job": job, "tab": "reports", "query": query,
        "missing_groups": _by_district(missing), "missing_count": len(missing),
        "answer_groups": _by_district(answered), "answer_count": len(answered),
        "open_groups": bool(query) or len(state.schools) <= GROUPS_OPEN_UP_TO,
    })


GROUPS_OPEN_UP_TO = 30  # a short list shows its groups open; a province's is folded by district


def _by_district(rows) -> list[dict]:
    """Rows grouped by district, the districts in the one order of units (bridges.tree.unit_order)."""
    groups: dict = {}
    for row in rows:
        group = groups.setdefault(row.district_id, {"name": row.district_name, "rows": [], "late": 0})
        group["rows"].append(row)
        group["late"] += bool(row.answer and row.answer.late)
    codes = dict(Bridge.objects.filter(pk__in=list(groups)).values_list("pk", "code"))
    return [groups[key] for key in sorted(groups, key=lambda key: unit_order(codes.get(key, ""), groups[key]["name"]))]


def _detail_url(form: FollowUpForm, section: str, job=None) -> str:
    return reverse("followups:detail", args=[form.pk]) + (f"?job={job.pk}" if job else "") + f"#{section}"


@login_required
@require_POST
def followup_remind(request, pk: int):
    form = get_form(request.user, pk)
    role = scope.require_role(request.user)
    if not _may_remind(role):
        raise PermissionDenied
    back = _detail_url(form, "followup-missing")
    ids = request.POST.getlist("bridge") if request.POST.get("which") != "all" else None
    try:
        ids = [int(i) for i in ids] if ids is not None else None
        if ids == []:
            raise ValueError
        bridges = followup.remindable(form, scope.scope_path_of(role), ids)
        preview = followup.reminder_preview(form, bridges)
        if bridges and confirm.must_ask(request, preview["mailed"]):
            return confirm.ask(request, _remind_confirmation(request, form, preview, back))
        job = followup.start_reminders(form, bridges, request=request)
    except ValueError:
        messages.error(request, _("Choose the schools to remind."))
        return redirect(back)
    except followup.FollowUpError as exc:
        messages.error(request, exc.user_message)
        return redirect(back)
    return redirect(_detail_url(form, "followup-missing", job))


def _remind_confirmation(request, form: FollowUpForm, preview: dict, back: str) -> Confirmation:
    count = preview["mailed"]
    n = confirm.number(count)
    notes = []
    if preview["no_email"]:
        notes.append(ngettext("%(n)s school has no e-mail address: phone it instead.",
                              "%(n)s schools have no e-mail address: phone them instead.",
                              preview["no_email"]) % {"n": confirm.number(preview["no_email"])})
    if preview["held_back"]:
        notes.append(ngettext("%(n)s school was reminded less than %(minutes)s minutes ago and is skipped.",
                              "%(n)s schools were reminded less than %(minutes)s minutes ago and are skipped.",
                              preview["held_back"]) % {"n": confirm.number(preview["held_back"]),
                                                       "minutes": settings.REMINDER_COOLDOWN_MINUTES})
    return Confirmation(
        title=_("Remind the schools"), count=count,
        summary=ngettext("%(n)s school that has not answered “%(title)s” will be e-mailed a reminder now.",
                         "%(n)s schools that have not answered “%(title)s” will be e-mailed a reminder now.",
                         count) % {"n": n, "title": form.title} if count else _("Nobody can be e-mailed a reminder now."),
        consequence=_("An e-mail cannot be called back once sent. Each school is then held back from another "
                      "reminder for %(minutes)s minutes.") % {"minutes": settings.REMINDER_COOLDOWN_MINUTES},
        notes=notes, action_url=request.path, cancel_url=back, section="followup-missing", allowed=count > 0,
        button=ngettext("Send %(n)s reminder", "Send %(n)s reminders", count) % {"n": n},
    )


@login_required
@require_POST
def followup_close(request, pk: int):
    form = get_form(request.user, pk, manage=True)
    if not form.is_closed:
        state = followup.status(form, None)
        missing = len(state.missing)
        if confirm.must_ask(request, missing):
            n = confirm.number(missing)
            return confirm.ask(request, Confirmation(
                title=_("Close “%(title)s”") % {"title": form.title}, count=missing,
                summary=(ngettext("%(n)s school has not answered yet and will not be able to any more.",
                                  "%(n)s schools have not answered yet and will not be able to any more.", missing)
                         % {"n": n}) if missing else _("Every school has answered."),
                consequence=_("Schools can no longer send or change an answer from their console. The answers "
                              "received stay, with their workbook and CSV."),
                action_url=request.path, cancel_url=reverse("followups:detail", args=[form.pk]),
                button=_("Close: accept no more answers"), danger=True,
            ))
    followup.close_form(form, request=request)
    messages.success(request, _("The follow-up report is closed: schools can no longer answer."))
    return redirect("followups:detail", pk=form.pk)


@login_required
@require_GET
def followup_attachment(request, pk: int):
    answer = get_answer(request.user, pk)
    scope.require_bridge(request.user, answer.bridge)
    if answer.attachment is None:
        raise Http404
    item = answer.attachment
    return FileResponse(item.file.open("rb"), as_attachment=True,
                        filename=item.name or item.file.name.rsplit("/", 1)[-1])
