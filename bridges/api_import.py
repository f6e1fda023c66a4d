"""Imports over the API: upload -> preview job -> confirm -> apply job. Organizers only.

Mounted at /api/bridges/imports (before the bridges router, whose "/{code}" would take "imports").
Progress of either job is at /api/jobs/{id}.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from core.audit import client_ip
from core.errors import ErrorOut
from core.models import Job

from . import scope
from .importing import jobs as import_jobs
from .importing.service import split_sheet_names
from .models import Role

router = Router(tags=["imports"])


class ImportJobOut(Schema):
    job_id: int
    kind: str
    status: str
    percent: int
    message: str
    status_url: str
    page_url: str
    apply_job_id: int | None = None
    result: dict


class ConfirmIn(Schema):
    skip_invalid: bool = False


def _out(job: Job) -> dict:
    return {
        "job_id": job.pk, "kind": job.kind, "status": job.status, "percent": job.percent, "message": job.message,
        "status_url": reverse("api:job_status", args=[job.pk]),
        "page_url": reverse("bridges:import_job", args=[job.pk]),
        "apply_job_id": (job.result or {}).get("apply_job"), "result": job.result or {},
    }


def _job(request, job_id: int, *kinds: str) -> Job:
    scope.require_role(request.user, Role.Kind.ORGANIZER)
    return get_object_or_404(Job, pk=job_id, kind__in=kinds or (import_jobs.PREVIEW, import_jobs.APPLY))


@router.post("", response={200: ImportJobOut, 400: ErrorOut},
             summary="Upload a bridge list or roster (multipart: file, kind=bridges|people, bridge=CODE, "
                     "skip_sheets=sheet names to leave out, one per line)")
def start_import(request, kind: Form[str], file: File[UploadedFile], bridge: Form[str] = "",
                 skip_sheets: Form[str] = ""):
    scope.require_role(request.user, Role.Kind.ORGANIZER)
    job = import_jobs.start_preview(user=request.user, uploaded=file, kind=kind, bridge_code=bridge.strip(),
                                    lang=get_language(), skip_sheets=split_sheet_names(skip_sheets))
    return _out(job)


@router.get("/{job_id}", response=ImportJobOut,
            summary="A preview (counts, row problems, planned changes) or an apply job's outcome")
def get_import(request, job_id: int):
    return _out(_job(request, job_id))


@router.post("/{job_id}/confirm", response={200: ImportJobOut, 400: ErrorOut},
             summary="Write what the preview showed, in one transaction; returns the apply job")
def confirm_import(request, job_id: int, payload: ConfirmIn | None = None):
    preview = _job(request, job_id, import_jobs.PREVIEW)
    apply = import_jobs.confirm(preview, user=request.user, skip_invalid=bool(payload and payload.skip_invalid),
                                lang=get_language(), ip=client_ip(request))
    return _out(apply)


@router.post("/{job_id}/cancel", response=ImportJobOut, summary="Abandon a preview and delete its uploaded file")
def cancel_import(request, job_id: int):
    preview = _job(request, job_id, import_jobs.PREVIEW)
    import_jobs.abandon(preview)
    preview.refresh_from_db()
    return _out(preview)
