"""Background jobs with progress.

Embedded default: a worker thread in this process (JOBS_MODE=thread). Tests and commands run
them inline. A job's function receives the Job and calls `progress()`; whatever it returns is
stored as the job's result.
"""

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Job

log = logging.getLogger(__name__)

_REGISTRY: dict[str, Callable[[Job], dict]] = {}


def job_kind(name: str):
    """Register a function as the body of jobs of this kind."""

    def register(fn):
        _REGISTRY[name] = fn
        return fn

    return register


def progress(job: Job, done: int, total: int | None = None, message: str | None = None) -> None:
    job.done = done
    fields = ["done"]
    if total is not None:
        job.total = total
        fields.append("total")
    if message is not None:
        job.message = message[:500]
        fields.append("message")
    Job.objects.filter(pk=job.pk).update(**{f: getattr(job, f) for f in fields})


def _run(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    job.status = Job.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        result = _REGISTRY[job.kind](job) or {}
    except Exception as exc:
        log.exception("job %s failed", job.pk)
        job.status = Job.Status.FAILED
        job.message = (getattr(exc, "user_message", None) or _("The job failed: %(error)s") % {"error": exc})[:500]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return
    job.refresh_from_db(fields=["done", "total", "message", "result_file"])
    job.result = result
    job.status = Job.Status.DONE
    job.done = max(job.done, job.total)
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "status", "done", "finished_at"])


def _thread_body(job_id: int) -> None:
    try:
        _run(job_id)
    finally:
        close_old_connections()
        connection.close()


def start(kind: str, *, params: dict | None = None, user=None, mode: str | None = None) -> Job:
    if kind not in _REGISTRY:
        raise KeyError(kind)
    job = Job.objects.create(kind=kind, params=params or {}, created_by=user if user and user.is_authenticated else None)
    mode = mode or settings.JOBS_MODE
    if mode == "inline":
        _run(job.pk)
        job.refresh_from_db()
    else:
        from django.db import transaction

        # The thread must see the Job row (and whatever the caller wrote) committed.
        transaction.on_commit(lambda: threading.Thread(target=_thread_body, args=(job.pk,), daemon=True).start())
    return job
