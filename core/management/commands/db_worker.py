"""`manage.py db_worker`: django-tasks' database worker, which also settles jobs whose worker died.

core is listed before django_tasks.backends.database in INSTALLED_APPS, so this command answers to
the name. It runs core.jobs.recovery once before taking tasks (a single worker restarting after a
crash frees its own jobs at once) and then every JOBS_RECOVERY_SECONDS (another machine's worker died).
It also deletes expired job files at start and every JOB_FILES_PURGE_SECONDS (core.jobs.retention), and
runs what the apps registered in core.jobs.periodic (e.g. the report tallies' safety net, training.tallies).
"""

import os

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks.backends.database.management.commands import db_worker

from core.jobs import periodic, recovery, retention


class Command(db_worker.Command):
    help = "Run background jobs from the database queue (and mark failed the jobs of dead workers)."

    def handle(self, *args, **options):
        if options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent only restarts the child, which does the work.
            return super().handle(*args, **options)
        recovery.recover()
        stop = recovery.watch(settings.JOBS_RECOVERY_SECONDS)
        stop_purge = retention.watch(settings.JOB_FILES_PURGE_SECONDS)
        stop_periodic = periodic.watch()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
            stop_purge.set()
            stop_periodic.set()
