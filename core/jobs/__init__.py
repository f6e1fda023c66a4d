"""Background jobs with progress, run by django-tasks.

`@job_kind("name")` registers a body; `start("name", params=..., user=...)` creates the Job row and
queues one django-tasks task that runs it (core.jobs.runner); the body reports with `progress()`
and may put a file on `job.result_file`. The Job row is what pages and the API show.

JOBS_MODE=database (the default): the task waits in the database until `manage.py db_worker` takes
it, so web processes never run a job. JOBS_MODE=inline: django-tasks' ImmediateBackend runs it at
once in the caller (tests, `make test`).

Heavy kinds (`@job_kind(..., heavy=True)`) are limited per person by core.jobs.limits; a refusal is a
`limits.JobRefused` (a core.errors.Refused) raised before anything is written.
"""

from django.db import transaction

from core.models import Job

from . import limits, runner
from .kinds import is_known, job_kind

__all__ = ["job_kind", "progress", "start"]


def progress(job: Job, done: int, total: int | None = None, message: str | None = None) -> None:
    job.done = done
    fields = ["done"]
    if total is not None:
        job.total = total
        fields.append("total")
    if message is not None:
        job.message = message[:500]
        fields.append("message")
    values = {f: getattr(job, f) for f in fields}
    reporter = runner.reporter_of(job.pk)
    if reporter is not None:
        # In a worker the row is written from the reporter's own connection (see core.jobs.runner).
        reporter.offer(values)
    else:
        Job.objects.filter(pk=job.pk).update(**values)


def start(kind: str, *, params: dict | None = None, user=None) -> Job:
    if not is_known(kind):
        raise KeyError(kind)
    person = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        limits.check(kind, person)
        job = Job.objects.create(kind=kind, params=params or {}, created_by=person)
    if runner.runs_in_caller():
        # Inline: the body runs now, inside the caller's transaction, and sees what it wrote.
        runner.enqueue(job.pk)
        job.refresh_from_db()
    else:
        # A worker in another process must find the Job row (and whatever the caller wrote) committed.
        transaction.on_commit(lambda: runner.enqueue(job.pk))
    return job
