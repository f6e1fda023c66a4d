"""Background jobs on django-tasks: the database queue, `manage.py db_worker`, failures, dead workers.

The suite runs jobs inline (JOBS_MODE=inline, django-tasks' ImmediateBackend); these tests switch to the
real DatabaseBackend and run the real worker command with --batch (take every ready task, then stop).
They are marked `services` so that the queue is also tried on PostgreSQL, where workers lock rows.
"""

import io
import logging
import signal
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command, get_commands
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks.backends.database.models import DBTaskResult

from core import jobs
from core.jobs import recovery
from core.models import Job

ECHO, BROKEN, REFUSED, BEATING = "tests.echo", "tests.broken", "tests.refused", "tests.beating"


@jobs.job_kind(ECHO)
def echo(job):
    jobs.progress(job, 1, 2, "half way")
    job.result_file.save("echo.txt", ContentFile(job.params["word"].encode()), save=False)
    job.save(update_fields=["result_file"])
    return {"echo": job.params["word"]}


@jobs.job_kind(BROKEN)
def broken(job):
    raise ValueError("disk full")


class Refusal(Exception):
    user_message = "Nothing to print for this event."


@jobs.job_kind(REFUSED)
def refused(job):
    raise Refusal


@jobs.job_kind(BEATING)
def beating(job):
    """Outlives a few heartbeats, and reports whether the worker's heartbeat moved meanwhile."""
    first = Job.objects.get(pk=job.pk).heartbeat_at
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if Job.objects.get(pk=job.pk).heartbeat_at > first:
            return {"beat": True}
        time.sleep(0.05)
    return {"beat": False}


@pytest.fixture
def database_queue(settings, tmp_path):
    """The DatabaseBackend instead of the suite's ImmediateBackend; gives `work()`, one worker run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    saved_signals = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    package_logger = logging.getLogger("django_tasks")
    saved_level = package_logger.level

    def work():
        out = io.StringIO()
        # English, so that the messages the worker writes are the msgids the tests compare with.
        with translation.override("en"):
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out, stderr=out)
        return out.getvalue()

    yield work
    # The worker installs its own signal handlers and logger level: give pytest its own back.
    for sig, handler in saved_signals.items():
        signal.signal(sig, handler)
    package_logger.setLevel(saved_level)


def test_core_answers_to_db_worker():
    # core comes before django_tasks' database app in INSTALLED_APPS, so `db_worker` is the one that recovers.
    assert get_commands()["db_worker"] == "core"


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_a_job_waits_in_the_database_until_the_worker_runs_it(database_queue, client, django_user_model):
    user = django_user_model.objects.create_user("gv", password="pw-Secret-123")
    with transaction.atomic():
        job = jobs.start(ECHO, params={"word": "xin chào"}, user=user)
        # Queued only after commit: a worker must find the Job row.
        assert not DBTaskResult.objects.exists()
    job.refresh_from_db()
    task = DBTaskResult.objects.get(id=job.task_id)
    assert job.status == Job.Status.PENDING and task.status == TaskResultStatus.READY
    assert task.task_path == "core.jobs.runner.run_job" and task.args_kwargs["args"] == [job.pk]

    database_queue()

    job.refresh_from_db()
    task.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"echo": "xin chào"}
    assert (job.done, job.total, job.message) == (2, 2, "half way") and job.finished_at is not None
    assert task.status == TaskResultStatus.SUCCEEDED and task.return_value == "done"
    client.force_login(user)
    status = client.get(f"/api/jobs/{job.pk}").json()
    assert status["status"] == "done" and status["percent"] == 100 and status["result_url"]
    download = client.get(reverse("core:job_download", args=[job.pk]))
    assert b"".join(download.streaming_content).decode() == "xin chào"


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_a_failing_job_is_marked_failed_with_its_message(database_queue):
    broken_job = jobs.start(BROKEN)
    refused_job = jobs.start(REFUSED)

    database_queue()

    broken_job.refresh_from_db()
    refused_job.refresh_from_db()
    assert broken_job.status == Job.Status.FAILED and broken_job.message == "The job failed: disk full"
    assert broken_job.finished_at is not None
    # An exception that carries a translated user_message is shown as it is.
    assert refused_job.status == Job.Status.FAILED and refused_job.message == "Nothing to print for this event."


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_a_running_job_keeps_beating_in_the_worker(database_queue, settings):
    settings.JOBS_HEARTBEAT_SECONDS = 0.05
    job = jobs.start(BEATING)

    database_queue()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"beat": True}


def _backdate(job: Job, **ago) -> None:
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(**ago))


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_the_worker_settles_jobs_whose_worker_died(database_queue):
    hour_ago = timezone.now() - timedelta(hours=1)
    # Left RUNNING by a worker killed an hour ago: no heartbeat since.
    dead = Job.objects.create(kind=ECHO, status=Job.Status.RUNNING, heartbeat_at=hour_ago)
    _backdate(dead, hours=2)
    # Another worker, alive, beat a moment ago: its job is left alone.
    alive = Job.objects.create(kind=ECHO, status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    _backdate(alive, hours=2)
    # The worker took the task and was cut short before the job row said anything.
    cut_short = jobs.start(ECHO, params={"word": "a"})
    cut_short.refresh_from_db()
    DBTaskResult.objects.filter(id=cut_short.task_id).update(
        status=TaskResultStatus.FAILED, started_at=hour_ago, finished_at=hour_ago)
    # Created, but its process died before it could queue the task.
    never_queued = Job.objects.create(kind=ECHO)
    _backdate(never_queued, hours=1)

    database_queue()

    for job in (dead, alive, cut_short, never_queued):
        job.refresh_from_db()
    assert dead.status == Job.Status.FAILED and dead.finished_at is not None
    assert dead.message == "The worker running this job stopped before it finished. Start the job again."
    assert cut_short.status == Job.Status.FAILED
    assert cut_short.message == "The job stopped unexpectedly. Start the job again."
    assert never_queued.status == Job.Status.FAILED
    assert never_queued.message == "The job was never queued for a worker. Start the job again."
    assert alive.status == Job.Status.RUNNING
    with translation.override("vi"):
        assert _(dead.message) != dead.message and _(never_queued.message) != never_queued.message


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_recovery_leaves_queued_and_beating_jobs_alone(database_queue):
    queued = jobs.start(ECHO, params={"word": "b"})
    _backdate(queued, hours=3)  # waited long for a worker, but its task is still ready
    beating_job = Job.objects.create(kind=ECHO, status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    assert recovery.recover() == 0
    assert recovery.recover(now=timezone.now() + timedelta(hours=1)) == 1  # the heartbeat went silent
    beating_job.refresh_from_db()
    queued.refresh_from_db()
    assert beating_job.status == Job.Status.FAILED and queued.status == Job.Status.PENDING


@pytest.mark.django_db
def test_inline_mode_runs_the_job_at_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = jobs.start(ECHO, params={"word": "c"})
    assert job.status == Job.Status.DONE and job.result == {"echo": "c"} and job.task_id
