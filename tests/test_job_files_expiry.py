"""Job files (reports, letters, certificate ZIPs, print PDFs) expire after JOB_FILES_KEEP_DAYS (issue 15)."""

import io
import logging
import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.backends.database.models import DBTaskResult

from core.models import Job


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOB_FILES_KEEP_DAYS = 30
    return Path(settings.MEDIA_ROOT)


def finished_job(user, days_ago: int, name: str) -> Job:
    job = Job.objects.create(kind="reports.export", status=Job.Status.DONE, created_by=user, message="Sẵn sàng")
    job.result_file.save(name, ContentFile(b"personal data"), save=False)
    job.finished_at = timezone.now() - timedelta(days=days_ago)
    job.save()
    return job


def old_file(path: Path, days_ago: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"left behind")
    then = (timezone.now() - timedelta(days=days_ago)).timestamp()
    os.utime(path, (then, then))
    return path


@pytest.mark.django_db
def test_files_older_than_the_setting_are_deleted_and_the_job_says_so(media, organizer, client):
    old = finished_job(organizer, 31, "bao-cao-cu.xlsx")
    recent = finished_job(organizer, 2, "bao-cao-moi.xlsx")
    old_path, recent_path = Path(old.result_file.path), Path(recent.result_file.path)
    orphan = old_file(media / "jobs" / "2026" / "10" / "orphan.zip", 40)
    young_orphan = old_file(media / "jobs" / "2026" / "12" / "young.zip", 1)
    out = io.StringIO()
    call_command("purge_job_files", stdout=out)
    assert out.getvalue().strip() == "1 job files older than 30 days deleted; 1 files without a job deleted."
    assert not old_path.exists() and recent_path.exists() and not orphan.exists() and young_orphan.exists()
    old.refresh_from_db()
    assert old.result_file.name == "" and old.status == Job.Status.DONE
    assert old.message == "Tệp đã được xóa 30 ngày sau khi việc hoàn tất; hãy chạy lại việc để có tệp mới."
    client.force_login(organizer)
    assert client.get(f"/jobs/{old.pk}/download").status_code == 404
    assert client.get(f"/jobs/{recent.pk}/download").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_purge_is_a_task_a_worker_runs(media, organizer, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}
    old = finished_job(organizer, 45, "thu-moi.zip")
    call_command("purge_job_files", "--enqueue", stdout=io.StringIO())
    task = DBTaskResult.objects.get(task_path="core.jobs.retention.purge_expired_files_task")
    assert task.status == TaskResultStatus.READY
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    level = logging.getLogger("django_tasks").level
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO(),
                     stderr=io.StringIO())
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        logging.getLogger("django_tasks").setLevel(level)
    task.refresh_from_db()
    old.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCEEDED and old.result_file.name == ""
