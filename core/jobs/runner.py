"""The one django-tasks task: run a Job by id, keep its row true (running, done, failed), beat while it runs.

The Job row, not the task result, is what people see; the task only carries the job id. While a body
runs in a worker, a thread refreshes `Job.heartbeat_at` so that core.jobs.recovery can tell a job whose
worker died from a long one.
"""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from core.models import Job

from . import kinds

log = logging.getLogger(__name__)


@task()
def run_job(job_id: int) -> str:
    return execute(job_id)


def runs_in_caller() -> bool:
    """True when the configured backend runs a task at once in the process that enqueues it."""
    return isinstance(run_job.get_backend(), ImmediateBackend)


def enqueue(job_id: int) -> None:
    result = run_job.enqueue(job_id)
    # Remembered so that recovery can ask the backend what became of the task.
    Job.objects.filter(pk=job_id).update(task_id=str(result.id))


def execute(job_id: int) -> str:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status != Job.Status.PENDING:
        # Gone, finished, or settled by recovery: a task delivered twice never runs a job twice.
        return job.status if job else "missing"
    job.status, job.heartbeat_at = Job.Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "heartbeat_at"])
    try:
        with _heartbeat(job.pk):
            result = kinds.body_of(job.kind)(job) or {}
    except Exception as exc:
        log.exception("job %s failed", job.pk)
        fail(job, getattr(exc, "user_message", None) or _("The job failed: %(error)s") % {"error": exc})
        return job.status
    except BaseException:
        # The worker is being stopped (a second Ctrl+C, SIGTERM while a job runs): say so, then stop.
        fail(job, _("The worker was stopped while this job ran. Start the job again."))
        raise
    job.refresh_from_db(fields=["done", "total", "message", "result_file"])
    job.result = result
    job.status = Job.Status.DONE
    job.done = max(job.done, job.total)
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "status", "done", "finished_at"])
    return job.status


def fail(job: Job, message: str) -> None:
    job.status = Job.Status.FAILED
    job.message = str(message)[:500]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])


@contextmanager
def _heartbeat(job_id: int):
    if runs_in_caller():
        # Inline there is no worker to lose, and a second connection would wait on the caller's transaction.
        yield
        return
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(settings.JOBS_HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    # A body holding a long write transaction on SQLite: the next beat tries again.
                    log.warning("job %s: heartbeat not written", job_id, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
