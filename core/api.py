from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .jobs.access import visible_jobs
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
    role = role_of(request.user)
    return {
        "username": request.user.get_username(),
        "role": role.kind if role else None,
        "scope_code": role.scope.code if role and role.scope else None,
    }


@router.get("/jobs/{job_id}", response=JobOut, summary="Progress of a background job")
def job_status(request, job_id: int):
    return job_out(get_object_or_404(visible_jobs(request.user), pk=job_id))
