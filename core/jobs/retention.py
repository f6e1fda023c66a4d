"""Job files expire: report workbooks, ZIPs of letters and certificates, print PDFs are deleted
JOB_FILES_KEEP_DAYS after their job finished.

They hold personal data (names, birth dates, console links on letters) and were kept forever. The job row
stays (who made what, when, its result); its file goes and its message says so, so the page tells the
person to start the job again. Files under the jobs' folder that no job names any more (a job deleted
from the admin) go too once as old.

Scheduled twice over: every `manage.py db_worker` purges when it starts and each JOB_FILES_PURGE_SECONDS
(core/management/commands/db_worker.py), and `manage.py purge_job_files` (cron, or `--enqueue` to hand it
to a worker as the django-tasks task `purge_expired_files_task`) does it where no worker runs.
"""

import logging
import os
import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from core.models import Job

log = logging.getLogger(__name__)

JOB_FILES_DIR = "jobs"  # Job.result_file's upload_to starts here


def cutoff(now=None):
    return (now or timezone.now()) - timedelta(days=settings.JOB_FILES_KEEP_DAYS)


def purge_expired_files(now=None) -> dict:
    """Delete the files of jobs finished before the cutoff, and unreferenced old files; returns the counts."""
    before = cutoff(now)
    expired = Job.objects.filter(finished_at__lt=before).exclude(result_file="")
    removed = 0
    for job in expired.iterator():
        name = job.result_file.name
        default_storage.delete(name)
        Job.objects.filter(pk=job.pk, result_file=name).update(
            result_file="", message=_("The file was deleted %(days)s days after the job finished; start the job "
                                      "again for a new one.") % {"days": settings.JOB_FILES_KEEP_DAYS})
        removed += 1
    orphans = _purge_orphans(before)
    if removed or orphans:
        log.info("job files purged: %s expired, %s without a job", removed, orphans)
    return {"expired": removed, "orphans": orphans}


def _purge_orphans(before) -> int:
    root = Path(settings.MEDIA_ROOT) / JOB_FILES_DIR
    if not root.is_dir():
        return 0
    named = set(Job.objects.exclude(result_file="").values_list("result_file", flat=True))
    count = 0
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        relative = path.relative_to(settings.MEDIA_ROOT).as_posix()
        if relative in named or path.stat().st_mtime >= before.timestamp():
            continue
        os.remove(path)
        count += 1
    return count


@task()
def purge_expired_files_task() -> dict:
    return purge_expired_files()


def watch(interval: float) -> threading.Event:
    """Purge now and every `interval` seconds in a daemon thread until the returned event is set."""
    stop = threading.Event()

    def loop():
        try:
            while True:
                try:
                    purge_expired_files()
                except (DatabaseError, OSError):
                    log.warning("job file purge failed; trying again later", exc_info=True)
                if stop.wait(interval):
                    return
        finally:
            connections.close_all()

    threading.Thread(target=loop, name="job-file-purge", daemon=True).start()
    return stop
