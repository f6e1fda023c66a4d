"""School reports' pages: the list (forms, templates, XLSForm import, rounds), the designer of a form (and
publishing it), a round's rollup (who answered, with phones, totals by district, reminders) and one
school's answer. Pages parse, ask schoolreports.services / rollup / reminders, and render.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridges import scope
from bridges.models import Bridge, Role, Tier
from core.errors import Refused
from core.jobs.access import visible_jobs
from core.text import clean_text
from events import access
from events.models import Event

from . import catalogue, designer, reminders, services, xlsform
from . import definition as d
from .access import get_form, get_round, may_remind, require_organizer, require_reader
from .models import Audience, ReportAnswer, ReportForm, ReportRound, RoundSeries
from .panels import panels_for
from .rollup import header_groups, rollup


def parse_when(text: str) -> datetime | None:
    """A time typed as 2026-12-31T17:00 (the browser's picker) or 31/12/2026 17:00."""
    text = clean_text(text)
    if not text:
        return None
    value = parse_datetime(text.replace(" ", "T", 1) if "-" in text else text)
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
        if value is not None:
            break
        try:
            value = datetime.strptime(text, fmt)
        except ValueError:
            continue
    if value is None:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def parse_day(text: str) -> date | None:
    value = parse_when(text)
    return value.date() if value else None


def _codes(text: str) -> list[str]:
    return [c for c in (clean_text(part) for part in (text or "").replace(",", "\n").splitlines()) if c]


@login_required
@require_GET
def index(request):
    role = require_reader(request.user)
    return render(request, "schoolreports/index.html", {
        "forms": ReportForm.objects.all(), "templates": [(k, str(v)) for k, v in catalogue.TEMPLATES.items()],
        "rounds": ReportRound.objects.select_related("form").prefetch_related("audience_bridges")[:100],
        "now": timezone.now(), "is_organizer": role.kind == Role.Kind.ORGANIZER,
    })


@login_required
@require_POST
def create(request):
    require_organizer(request.user)
    try:
        if request.POST.get("template"):
            form = services.copy_template(request.POST["template"], request=request)
        elif request.FILES.get("xlsform"):
            upload = request.FILES["xlsform"]
            imported = xlsform.read(upload.read(xlsform.MAX_BYTES + 1), filename=upload.name or "form.xlsx")
            form = services.create_form(title=imported.title, definition=imported.definition, request=request,
                                        action="schoolreport.form_import")
            for warning in imported.warnings:
                messages.warning(request, warning)
        else:
            form = services.create_form(title=request.POST.get("title", ""),
                                        description=request.POST.get("description", ""), request=request)
    except Refused as exc:
        for reason in getattr(exc, "problems", None) or [exc.user_message]:
            messages.error(request, reason)
        return redirect("schoolreports:index")
    messages.success(request, _("The form is created: add or change its fields, then publish a round."))
    return redirect("schoolreports:form", pk=form.pk)


def _designer_context(request, form: ReportForm, **extra) -> dict:
    version = form.latest_version()
    definition = version.definition
    editing = extra.pop("editing", None)
    if editing is None and request.GET.get("edit"):
        editing = d.field_map(definition).get(request.GET["edit"])
    return {
        "form": form, "version": version, "definition": definition, "types": list(d.TYPES.items()),
        "sections": [{**section, "fields": [{**f, "type_label": d.TYPES[f["type"]]} for f in section["fields"]]}
                     for section in definition["sections"]],
        "max_from": list(d.MAX_FROM.items()), "prefills": [(k, v[0]) for k, v in d.PREFILLS.items()],
        "number_fields": [f for f in d.fields_of(definition) if f["type"] in (d.INTEGER, d.DECIMAL)],
        "editing": editing, "editing_text": {
            "choices": designer.options_text(editing.get("choices")) if editing else "",
            "rows": designer.options_text(editing.get("rows")) if editing else "",
            "columns": designer.options_text(editing.get("columns")) if editing else ""},
        "answered": services.has_answers(version), "rounds": form.rounds.select_related("version"),
        "series": form.series.all(), "audiences": Audience.Kind.choices,
        "districts": Bridge.objects.filter(tier__role=Tier.Role.INTERMEDIATE).order_by("path"),
        "tiers": Tier.objects.all(), "frequencies": RoundSeries.Frequency.choices,
        "events": access.visible_events(request.user).exclude(status=Event.Status.DRAFT).order_by("-starts_at")[:200],
        "is_organizer": scope.is_organizer(request.user), "errors": {}, "posted": {}, **extra,
    }


def _edit(request, form: ReportForm, definition: dict) -> dict:
    action = request.POST.get("action", "")
    post = request.POST
    if action == "add_section":
        return designer.add_section(definition, post.get("title", ""), post.get("help", ""))
    if action == "update_section":
        return designer.update_section(definition, post.get("section", ""), post.get("title", ""),
                                       post.get("help", ""))
    if action == "remove_section":
        return designer.remove_section(definition, post.get("section", ""))
    if action == "field":
        return designer.put_field(definition, post.get("section", ""), designer.field_from_post(post),
                                  replace=post.get("replace") or None)
    if action == "remove_field":
        return designer.remove_field(definition, post.get("field", ""))
    if action in ("up", "down"):
        return designer.move_field(definition, post.get("field", ""), -1 if action == "up" else 1)
    raise Refused(_("Unknown request."))


@login_required
@require_http_methods(["GET", "POST"])
def form_designer(request, pk: int):
    form = get_form(request.user, pk)
    if request.method == "GET":
        return render(request, "schoolreports/designer.html", _designer_context(request, form))
    require_organizer(request.user)
    try:
        if request.POST.get("action") == "meta":
            services.update_form(form, title=request.POST.get("title", ""),
                                 description=request.POST.get("description", ""), request=request)
        else:
            services.save_definition(form, _edit(request, form, form.latest_version().definition), request=request)
    except Refused as exc:
        editing = designer.field_from_post(request.POST) if request.POST.get("action") == "field" else None
        if editing is not None:
            editing["replace"] = request.POST.get("replace", "")
            editing["section"] = request.POST.get("section", "")
        errors = getattr(exc, "errors", None) or {"": exc.user_message}
        return render(request, "schoolreports/designer.html", _designer_context(
            request, form, errors=errors, editing=editing, posted=request.POST), status=400)
    messages.success(request, _("Saved."))
    return redirect("schoolreports:form", pk=form.pk)


@login_required
@require_GET
def form_xlsform(request, pk: int):
    form = get_form(request.user, pk)
    version = form.latest_version()
    data = xlsform.write(form.title, version.definition, form_id=f"bao_cao_{form.pk}", version=version.number)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="xlsform-{form.pk}.xlsx"'
    return response


@login_required
@require_POST
def publish(request, pk: int):
    form = get_form(request.user, pk, manage=True)
    post = request.POST
    try:
        found = services.audience_from_codes(districts=post.getlist("districts"), tier=post.get("tier") or None,
                                             bridges=_codes(post.get("bridges", "")), event=post.get("event") or None,
                                             user=request.user)
        audience = {"audience": post.get("audience", Audience.Kind.ALL), **found}
        if post.get("repeat") in RoundSeries.Frequency.values:
            series = services.create_series(
                form, title=post.get("title", ""), frequency=post["repeat"], starts_on=parse_day(post.get("starts_on", ""))
                or timezone.localdate(), due_days=int(post.get("due_days") or 5), due_hour=int(post.get("due_hour") or 17),
                request=request, **audience)
            opened = [r for r in services.open_due_rounds() if r.series_id == series.pk]
            messages.success(request, _("The repeating report is set up; each period opens its own round."))
            if opened:
                return redirect("schoolreports:round", pk=opened[0].pk)
            return redirect("schoolreports:form", pk=form.pk)
        round_ = services.publish_round(form, title=post.get("title", ""), deadline=parse_when(post.get("deadline", "")),
                                        closes_at=parse_when(post.get("closes_at", "")), request=request, **audience)
    except (Refused, ValueError) as exc:
        errors = getattr(exc, "errors", None) or {"": getattr(exc, "user_message", _("Check the numbers."))}
        return render(request, "schoolreports/designer.html", _designer_context(
            request, form, errors=errors, posted=post), status=400)
    messages.success(request, _("The round is published: the schools see it on their console."))
    return redirect("schoolreports:round", pk=round_.pk)


ANSWERS_PER_PAGE = 50


@login_required
@require_GET
def round_detail(request, pk: int):
    round_ = get_round(request.user, pk)
    role = scope.require_role(request.user)
    district = request.GET.get("district", "")
    state = rollup(round_, scope.scope_path_of(role), district_id=int(district) if district.isdigit() else None)
    job = None
    if request.GET.get("job", "").isdigit():
        job = visible_jobs(request.user).filter(pk=int(request.GET["job"]), kind=reminders.REMIND_JOB).first()
    # The answers table is read page by page (the annex export has every school): 600 schools × 60 numbers
    # on one page took half a second to draw and was not readable anyway.
    answered = Paginator([s for s in state.schools if s.submitted], ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "schoolreports/round.html", {
        "round": round_, "state": state, "job": job, "now": state.now, "answered": answered,
        "answers_query": urlencode({"district": district}) if district else "",
        "audience": services.audience_text(round_), "districts": scope.visible_districts(request.user),
        "can_remind": may_remind(role) and not round_.is_closed(state.now),
        "can_close": role.kind == Role.Kind.ORGANIZER and not round_.is_closed(state.now),
        "district": district, "panels": panels_for(request, round_, state),
        "groups": header_groups(state.columns),
    })


@login_required
@require_POST
def round_remind(request, pk: int):
    round_ = get_round(request.user, pk)
    role = scope.require_role(request.user)
    if not may_remind(role):
        raise PermissionDenied
    ids = None if request.POST.get("which") == "all" else [i for i in request.POST.getlist("bridge") if i.isdigit()]
    if ids == []:
        messages.error(request, _("Choose the schools to remind."))
        return redirect("schoolreports:round", pk=round_.pk)
    try:
        job = reminders.start_reminders(round_, reminders.remindable(round_, scope.scope_path_of(role), ids),
                                        request=request)
    except Refused as exc:
        messages.error(request, exc.user_message)
        return redirect("schoolreports:round", pk=round_.pk)
    return redirect(reverse("schoolreports:round", args=[round_.pk]) + f"?job={job.pk}")


@login_required
@require_POST
def round_close(request, pk: int):
    services.close_round(get_round(request.user, pk, manage=True), request=request)
    messages.success(request, _("The round is closed: schools can no longer answer."))
    return redirect("schoolreports:round", pk=pk)


def _shown(field: dict, value) -> str:
    """A kept value as a person reads it: option labels, yes/no, dd/mm/yyyy."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    labels = {c["key"]: c["label"] for c in field.get("choices", [])}
    if isinstance(value, list):
        return ", ".join(labels.get(v, v) for v in value)
    if field["type"] == d.DATE:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(labels.get(value, value))


@login_required
@require_GET
def answer_detail(request, pk: int, bridge_id: int):
    round_ = get_round(request.user, pk)
    bridge = get_object_or_404(Bridge, pk=bridge_id)
    scope.require_bridge(request.user, bridge)
    answer = get_object_or_404(ReportAnswer.objects.select_related("version"), round=round_, bridge=bridge)
    definition = answer.version.definition
    files = {a.pk: a for a in answer.attachments.all()}
    shown = []
    for section in definition["sections"]:
        for f in section["fields"]:
            if f["type"] == d.GRID:
                shown.append({"field": f, "grid": [{"label": r["label"], "cells": [
                    answer.values.get(d.cell_key(f["key"], r["key"], c["key"])) for c in f["columns"]]}
                    for r in f["rows"]]})
            elif f["type"] == d.FILE:
                item = files.get(answer.values.get(f["key"]))
                shown.append({"field": f, "text": item.name if item else "—", "file": item})
            else:
                shown.append({"field": f, "text": _shown(f, answer.values.get(f["key"]))})
    return render(request, "schoolreports/answer.html", {
        "round": round_, "bridge": bridge, "answer": answer, "shown": shown,
        "submissions": answer.submissions.all(),
    })


@login_required
@require_GET
def attachment(request, pk: int):
    """A file a school attached, for a person whose scope covers the school (services.attachment_for)."""
    item = services.attachment_for(request.user, pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
