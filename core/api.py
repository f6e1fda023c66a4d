from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .jobs.access import result_file_response, visible_jobs
from .openapi import CSV, PDF, XLSX, ZIP, file_response, refusals
from .roles import role_of

router = Router(tags=["core"])


class JobOut(Schema):
    id: int
    kind: str
    status: str
    done: int
    total: int
    percent: int
    message: str
    result: dict
    result_url: str | None
    created_at: datetime
    finished_at: datetime | None


def job_out(job) -> dict:
    return {
        "id": job.pk, "kind": job.kind, "status": job.status, "done": job.done, "total": job.total,
        "percent": job.percent, "message": job.message, "result": job.result,
        "result_url": job.download_url or None,
        "created_at": job.created_at, "finished_at": job.finished_at,
    }


class MeOut(Schema):
    username: str
    role: str | None
    scope_code: str | None


@router.get("/me", response=MeOut, summary="The logged-in account and its scope")
def me(request):
    """The caller's account: its user name, its role (organizer, district officer or official; null for an
    account without a role) and the code of the bridge its scope starts at (null for the whole province).
    Any logged-in account may call it.
    """
    role = role_of(request.user)
    return {
        "username": request.user.get_username(),
        "role": role.kind if role else None,
        "scope_code": role.scope.code if role and role.scope else None,
    }


@router.get("/jobs/{job_id}", response={200: JobOut, **refusals(404)}, summary="Progress of a background job")
def job_status(request, job_id: int):
    """Where a background job (an import, a batch of letters, an export, certificates) stands: done out of
    total, its message, its result and, once it has produced a file, `result_url`. Callable by the account
    that started the job, and by organizers for every job; any other job is a 404.
    """
    return job_out(get_object_or_404(visible_jobs(request.user), pk=job_id))


@router.get("/jobs/{job_id}/file", response={200: None, **refusals(404)}, summary="The file a background job produced",
            openapi_extra=file_response(ZIP, XLSX, CSV, PDF, description="The job's file, as an attachment: a ZIP "
                                        "of letters or certificates, an xlsx workbook, a CSV sheet or a print PDF."))
def job_file(request, job_id: int):
    """Downloads the file a finished job produced (the same file as its `result_url`), with the content type of
    its kind. Callable by the account that started the job, and by organizers; a job the caller may not see, or
    one without a file yet, is a 404."""
    return result_file_response(request.user, job_id)
