"""Imports over the API: upload -> preview job -> confirm -> apply job. Organizers only.

Mounted at /api/bridges/imports (before the bridges router, whose "/{code}" would take "imports").
Progress of either job is at /api/jobs/{id}.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from core.audit import client_ip
from core.models import Job
from core.openapi import refusals

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


class RereadIn(Schema):
    encoding: str = Field("", description="utf-8, utf-16, cp1258, tcvn3, or empty to detect")
    skip_sheets: list[str] = Field(default_factory=list, description="sheet names to leave out")


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


@router.post("", response={200: ImportJobOut, **refusals(400, 403)},
             summary="Upload a bridge list or roster (multipart: file, kind=bridges|people, bridge=CODE, "
                     "skip_sheets=sheet names to leave out, one per line)")
def start_import(request, kind: Form[str], file: File[UploadedFile], bridge: Form[str] = "",
                 skip_sheets: Form[str] = "", encoding: Form[str] = ""):
    """Uploads a spreadsheet or text file of bridges or of one bridge's people and starts a preview job that
    reads it without writing anything: what would be created, updated and skipped, and each row's problem.
    Poll it here or at /api/jobs/{id}. A file that cannot be read (junk, encrypted, too large) or an unknown
    bridge answers 400. Organizers only.
    """
    scope.require_role(request.user, Role.Kind.ORGANIZER)
    job = import_jobs.start_preview(user=request.user, uploaded=file, kind=kind, bridge_code=bridge.strip(),
                                    lang=get_language(), skip_sheets=split_sheet_names(skip_sheets),
                                    encoding=encoding.strip())
    return _out(job)


@router.get("/{job_id}", response={200: ImportJobOut, **refusals(403, 404)},
            summary="A preview (counts, row problems, planned changes) or an apply job's outcome")
def get_import(request, job_id: int):
    """One import job: a preview with its counts, row problems and planned changes, or an apply job with what
    it wrote. Organizers only; 404 for a job that is not an import.
    """
    return _out(_job(request, job_id))


@router.post("/{job_id}/reread", response={200: ImportJobOut, **refusals(400, 403, 404)},
             summary="Read the same upload again with a chosen encoding or other sheets left out")
def reread_import(request, job_id: int, payload: RereadIn):
    """Starts a new preview job on the file of a finished preview, read with the chosen text encoding or with
    other sheets left out; the old preview can then no longer be confirmed. Organizers only.
    """
    preview = _job(request, job_id, import_jobs.PREVIEW)
    again = import_jobs.reread(preview, user=request.user, encoding=payload.encoding.strip(),
                               skip_sheets=payload.skip_sheets, lang=get_language())
    return _out(again)


@router.post("/{job_id}/confirm", response={200: ImportJobOut, **refusals(400, 403, 404)},
             summary="Write what the preview showed, in one transaction; returns the apply job")
def confirm_import(request, job_id: int, payload: ConfirmIn | None = None):
    """Starts the apply job that writes what the preview showed, in one transaction, re-reading and re-checking
    the file first; rows with problems are left out only with `skip_invalid`. A preview that is not ready,
    already confirmed or whose file is gone answers 400. Organizers only; written to the audit log.
    """
    preview = _job(request, job_id, import_jobs.PREVIEW)
    apply = import_jobs.confirm(preview, user=request.user, skip_invalid=bool(payload and payload.skip_invalid),
                                lang=get_language(), ip=client_ip(request))
    return _out(apply)


@router.post("/{job_id}/cancel", response={200: ImportJobOut, **refusals(403, 404)},
             summary="Abandon a preview and delete its uploaded file")
def cancel_import(request, job_id: int):
    """Abandons a preview that will not be confirmed and deletes its uploaded file. Organizers only; 404 for a
    job that is not a preview.
    """
    preview = _job(request, job_id, import_jobs.PREVIEW)
    import_jobs.abandon(preview)
    preview.refresh_from_db()
    return _out(preview)
