"""`manage.py purge_job_files`: delete job files older than JOB_FILES_KEEP_DAYS (core.jobs.retention).

Every db_worker already does this hourly; schedule this command (cron, daily) where no worker runs, or
pass --enqueue to hand the work to a worker as a django-tasks task.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from core.jobs import retention


class Command(BaseCommand):
    help = "Delete the files of jobs that finished more than JOB_FILES_KEEP_DAYS days ago."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true",
                            help="Queue the purge for a db_worker (django-tasks) instead of running it here.")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = retention.purge_expired_files_task.enqueue()
            self.stdout.write(f"Queued job file purge (task {result.id}).")
            return
        counts = retention.purge_expired_files()
        self.stdout.write(f"{counts['expired']} job files older than {settings.JOB_FILES_KEEP_DAYS} days deleted; "
                          f"{counts['orphans']} files without a job deleted.")
