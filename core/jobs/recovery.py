"""Jobs that no live worker will finish are marked failed, with a reason, instead of "running" forever.

`manage.py db_worker` calls `recover()` when it starts and then every JOBS_RECOVERY_SECONDS (see
core/management/commands/db_worker.py), so with several workers a surviving one settles the jobs of
a dead one. A settled job is not run again by itself: some kinds send mail, and a second run would
send it twice; the person starts it again.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from core.models import Job

from .runner import run_job

log = logging.getLogger(__name__)

FINISHED_TASK = {TaskResultStatus.SUCCEEDED, TaskResultStatus.FAILED}


def recover(now=None) -> int:
    """Mark failed every unfinished job whose worker is gone; returns how many were settled."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOBS_STALE_SECONDS)
    settled = 0
    for job in Job.objects.filter(status__in=[Job.Status.PENDING, Job.Status.RUNNING]):
        reason = _reason(job, stale)
        # Only if the row is still as read: a job that beat or moved on meanwhile is left alone.
        if reason and Job.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at).update(
            status=Job.Status.FAILED, message=reason[:500], finished_at=now,
        ):
            log.warning("job %s (%s) settled as failed: %s", job.pk, job.kind, reason)
            settled += 1
    return settled


def _reason(job: Job, stale) -> str | None:
    if job.status == Job.Status.RUNNING and (job.heartbeat_at or job.created_at) < stale:
        return _("The worker running this job stopped before it finished. Start the job again.")
    if not run_job.get_backend().supports_get_result:
        return None  # a backend that keeps no task results tells nothing more
    task = _task(job.task_id)
    if task is not None and task.status in FINISHED_TASK:
        # The task ended without the job row being finished: the runner itself was cut short.
        return _("The job stopped unexpectedly. Start the job again.")
    if job.status != Job.Status.PENDING:
        return None
    if task is None and job.created_at < stale:
        return _("The job was never queued for a worker. Start the job again.")
    if task is not None and task.status == TaskResultStatus.RUNNING and task.started_at < stale:
        # A worker took the task and died before it could mark the job running.
        return _("The worker running this job stopped before it finished. Start the job again.")
    return None


def _task(task_id: str):
    """The backend's result for this job's task; None when it has no such task."""
    if not task_id:
        return None
    try:
        return run_job.get_backend().get_result(task_id)
    except TaskResultDoesNotExist:
        return None


def watch(interval: float) -> threading.Event:
    """Run `recover()` every `interval` seconds in a daemon thread until the returned event is set."""
    stop = threading.Event()

    def loop():
        try:
            while not stop.wait(interval):
                try:
                    recover()
                except DatabaseError:
                    log.warning("job recovery failed; trying again later", exc_info=True)
        finally:
            connections.close_all()

    threading.Thread(target=loop, name="job-recovery", daemon=True).start()
    return stop
