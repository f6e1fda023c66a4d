"""The one django-tasks task: run a Job by id, keep its row true (running, done, failed), beat while it runs.

The Job row, not the task result, is what people see; the task only carries the job id. While a body
runs in a worker, a reporter thread with a database connection of its own writes the row's progress
and `Job.heartbeat_at` (so that core.jobs.recovery can tell a job whose worker died from a long one).

Why a connection of its own: on SQLite a body that reads through a server-side cursor (a print job
iterating thousands of certificates) holds a read snapshot; an UPDATE on that same connection must
upgrade it to a write, and SQLite refuses that at once ("database is locked", no busy wait) as soon as
another process wrote meanwhile, which a second job always does. The reporter's connection holds no
snapshot, so it only waits its turn for the write lock (busy timeout), and two jobs run side by side.
"""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from core.models import Job

from . import kinds

log = logging.getLogger(__name__)

# How soon progress offered by a body reaches the row (coalesced: only the latest values are written).
PROGRESS_FLUSH_SECONDS = 0.2


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
        with _reporting(job.pk):
            result = kinds.body_of(job.kind)(job) or {}
    except Exception as exc:
        log.exception("job %s failed", job.pk)
        _release_connection()
        fail(job, getattr(exc, "user_message", None) or _("The job failed: %(error)s") % {"error": exc})
        return job.status
    except BaseException:
        # The worker is being stopped (a second Ctrl+C, SIGTERM while a job runs): say so, then stop.
        _release_connection()
        fail(job, _("The worker was stopped while this job ran. Start the job again."))
        raise
    _release_connection()
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


def _release_connection() -> None:
    """In a worker, drop the connection the body used before writing the job's outcome: a body that
    stopped inside a cursor (an exception mid-iteration) would otherwise leave SQLite's read snapshot
    open and the outcome could not be written. The next query opens a fresh connection."""
    if not runs_in_caller() and not connection.in_atomic_block:
        connection.close()


class Reporter:
    """Writes one running job's progress and heartbeat from a thread with its own connection."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._pending: dict = {}
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-reporter", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def offer(self, fields: dict) -> None:
        with self._wake:
            self._pending.update(fields)
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join()

    def _run(self) -> None:
        beat_every = settings.JOBS_HEARTBEAT_SECONDS
        next_beat = timezone.now().timestamp() + beat_every
        try:
            while True:
                with self._wake:
                    if not self._pending and not self._stopping:
                        self._wake.wait(max(0.0, next_beat - timezone.now().timestamp()))
                    pending, self._pending = self._pending, {}
                    stopping = self._stopping
                fields = dict(pending)
                if timezone.now().timestamp() >= next_beat:
                    fields["heartbeat_at"] = timezone.now()
                    next_beat = timezone.now().timestamp() + beat_every
                if fields:
                    self._write(fields)
                if stopping:
                    return
                if pending:
                    # Coalesce: a body reporting every page costs at most a few writes a second.
                    threading.Event().wait(PROGRESS_FLUSH_SECONDS)
        finally:
            connections.close_all()

    def _write(self, fields: dict) -> None:
        try:
            Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(**fields)
        except DatabaseError:
            # A body holding a long write transaction on SQLite: progress and heartbeat try again next time.
            log.warning("job %s: progress or heartbeat not written", self.job_id, exc_info=True)
            with self._wake:
                self._pending = {**{k: v for k, v in fields.items() if k != "heartbeat_at"}, **self._pending}


_reporters: dict[int, Reporter] = {}


def reporter_of(job_id: int) -> Reporter | None:
    """The reporter of a job running in this process, None when it runs inline in the caller."""
    return _reporters.get(job_id)


@contextmanager
def _reporting(job_id: int):
    if runs_in_caller():
        # Inline there is no worker to lose, and a second connection would wait on the caller's transaction.
        yield
        return
    reporter = Reporter(job_id)
    _reporters[job_id] = reporter
    reporter.start()
    try:
        yield
    finally:
        _reporters.pop(job_id, None)
        reporter.stop()
