"""The import page: upload -> preview (a job with progress) -> confirm (a second job) -> result.

Organizers only: an import can create bridges anywhere in the tree and move people between bridges.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.audit import client_ip
from core.models import Job
from core.text import clean_text

from . import scope
from .importing import jobs as import_jobs
from .importing.errors import ImportFileError
from .importing.reading import encoding_choices, too_large_message
from .importing.service import split_sheet_names
from .models import Bridge, Person, Role

# Room for the form fields around the file in a multipart body.
_MULTIPART_SLACK = 64 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file lists"), choices=(
        ("bridges", gettext_lazy("Bridges (bridge list)")), ("people", gettext_lazy("People (roster)"))))
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx, .csv or Unicode Text .txt)"))
    bridge = forms.CharField(label=gettext_lazy("Bridge code for every person (optional)"), required=False,
                             max_length=40, help_text=gettext_lazy("Leave empty when the roster has a school column."))

    skip_sheets = forms.CharField(
        label=gettext_lazy("Sheets to leave out (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One sheet name per line. Every other sheet of the workbook is read."))

    encoding = forms.ChoiceField(
        label=gettext_lazy("Text encoding"), required=False, choices=encoding_choices,
        help_text=gettext_lazy("Leave on automatic unless the names in the preview look wrong."))

    def clean_skip_sheets(self):
        return split_sheet_names(self.cleaned_data.get("skip_sheets"))

    def clean_bridge(self):
        return clean_text(self.cleaned_data.get("bridge"))


def _require_organizer(request):
    scope.require_role(request.user, Role.Kind.ORGANIZER)


def _import_jobs():
    return Job.objects.filter(kind__in=(import_jobs.PREVIEW, import_jobs.APPLY))


@csrf_exempt
@login_required
def import_start(request):
    _require_organizer(request)
    if request.method == "POST":
        # Refuse an oversized body before Django parses it (and before the CSRF check reads it).
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.IMPORT_MAX_BYTES + _MULTIPART_SLACK:
            return _render_start(request, UploadForm(), error=too_large_message(), status=413)
    return csrf_protect(_import_start)(request)


def _import_start(request):
    if request.method != "POST":
        return _render_start(request, UploadForm(initial={"kind": request.GET.get("kind", "bridges")}))
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_start(request, form, status=400)
    try:
        job = import_jobs.start_preview(
            user=request.user, uploaded=form.cleaned_data["file"], kind=form.cleaned_data["kind"],
            bridge_code=form.cleaned_data["bridge"], lang=get_language(),
            skip_sheets=form.cleaned_data["skip_sheets"], encoding=form.cleaned_data["encoding"],
        )
    except ImportFileError as exc:
        return _render_start(request, form, error=exc.user_message, status=400)
    return redirect("bridges:import_job", pk=job.pk)


def _render_start(request, form, *, error="", status=200):
    recent = _import_jobs().select_related("created_by")[:10]
    return render(request, "bridges/import_start.html", {
        "form": form, "error": error, "recent": recent,
        "max_mb": round(settings.IMPORT_MAX_BYTES / 1024 / 1024, 1),
    }, status=status)


FIELD_LABELS = {
    "stt": gettext_lazy("row number"),
    "parent": gettext_lazy("parent bridge"),
    "bridge": gettext_lazy("bridge"),
    "tier": gettext_lazy("tier"),
}


def field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    for model in (Bridge, Person):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except Exception:  # noqa: S112 - not a field of this model, try the next
            continue
    return name


@login_required
def import_job(request, pk: int):
    _require_organizer(request)
    job = get_object_or_404(_import_jobs(), pk=pk)
    context = {"job": job, "result": job.result or {}}
    if job.kind == import_jobs.PREVIEW:
        apply = import_jobs.apply_job_of(job)
        if apply is not None and apply.status != Job.Status.FAILED:
            return redirect("bridges:import_job", pk=apply.pk)
        context["failed_apply"] = apply
        result = job.result or {}
        context["columns"] = [(c["label"], field_label(c["field"])) for c in result.get("columns", [])]
        context["rows"] = [
            {**row, "changes": [(field_label(name), old, new) for name, (old, new) in row["changes"].items()]}
            for row in result.get("rows", [])
        ]
        context["reread"] = RereadForm(initial={
            "encoding": job.params.get("encoding", ""), "skip_sheets": "\n".join(job.params.get("skip_sheets", []))})
        context["errors"] = [p for p in result.get("problems", []) if p["level"] == "error"]
        context["warnings"] = [p for p in result.get("problems", []) if p["level"] == "warning"]
        return render(request, "bridges/import_preview.html", context)
    context["preview"] = Job.objects.filter(pk=(job.params or {}).get("preview_job")).first()
    return render(request, "bridges/import_result.html", context)


@login_required
@require_POST
def import_confirm(request, pk: int):
    _require_organizer(request)
    preview = get_object_or_404(_import_jobs(), pk=pk, kind=import_jobs.PREVIEW)
    try:
        apply = import_jobs.confirm(preview, user=request.user, skip_invalid=bool(request.POST.get("skip_invalid")),
                                    lang=get_language(), ip=client_ip(request))
    except ImportFileError as exc:
        messages.error(request, exc.user_message)
        return redirect("bridges:import_job", pk=preview.pk)
    return redirect("bridges:import_job", pk=apply.pk)


class RereadForm(forms.Form):
    encoding = UploadForm.base_fields["encoding"]
    skip_sheets = UploadForm.base_fields["skip_sheets"]
    clean_skip_sheets = UploadForm.clean_skip_sheets


@login_required
@require_POST
def import_reread(request, pk: int):
    """Read the uploaded file again with another encoding or other sheets left out."""
    _require_organizer(request)
    preview = get_object_or_404(_import_jobs(), pk=pk, kind=import_jobs.PREVIEW)
    form = RereadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an encoding from the list."))
        return redirect("bridges:import_job", pk=preview.pk)
    try:
        again = import_jobs.reread(preview, user=request.user, encoding=form.cleaned_data["encoding"],
                                   skip_sheets=form.cleaned_data["skip_sheets"], lang=get_language())
    except ImportFileError as exc:
        messages.error(request, exc.user_message)
        return redirect("bridges:import_job", pk=preview.pk)
    return redirect("bridges:import_job", pk=again.pk)


@login_required
@require_POST
def import_cancel(request, pk: int):
    _require_organizer(request)
    preview = get_object_or_404(_import_jobs(), pk=pk, kind=import_jobs.PREVIEW)
    import_jobs.abandon(preview)
    messages.info(request, _("The import was cancelled; the uploaded file was deleted."))
    return redirect("bridges:import")
