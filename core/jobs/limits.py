"""How many heavy jobs a person may start: one at a time, JOBS_HEAVY_PER_DAY in 24 hours, none for a
read-only account.

A heavy job (print PDFs, invitation letters, certificates; `@job_kind(..., heavy=True)`) takes a
worker for minutes; without a limit one account could queue a day of work for every worker
(issue 15: unlimited 16,000-page print jobs). Jobs started by a command (no person) are the
operator's and are not limited.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core import roles
from core.errors import Refused
from core.models import Job

from .kinds import heavy_kinds, is_heavy

DAY = timedelta(hours=24)
UNFINISHED = (Job.Status.PENDING, Job.Status.RUNNING)


class JobRefused(Refused):
    code = "job_limit"
    status = 429


def check(kind: str, user, now=None) -> None:
    """Refuse (before anything is written) a heavy job this person may not start now.

    Call inside the transaction that creates the job: the user row is locked, so two clicks at once
    cannot both pass (on SQLite the IMMEDIATE transaction already holds the write lock)."""
    if not is_heavy(kind) or user is None or not user.is_authenticated:
        return
    if not roles.may_start_heavy_jobs(user):
        raise JobRefused(_("Your account is read-only: it cannot start print, letter or certificate jobs."),
                         code="job_forbidden", status=403)
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    mine = Job.objects.filter(created_by=user, kind__in=heavy_kinds())
    concurrent = settings.JOBS_HEAVY_CONCURRENT_PER_USER
    unfinished = list(mine.filter(status__in=UNFINISHED).order_by("created_at")[:concurrent])
    if len(unfinished) >= concurrent:
        raise JobRefused(_("Your job #%(id)s (started at %(time)s) is not finished yet: wait for it before "
                           "starting another print, letter or certificate job.") % {
            "id": unfinished[0].pk, "time": _local(unfinished[0].created_at)}, code="job_running")
    now = now or timezone.now()
    per_day = settings.JOBS_HEAVY_PER_DAY
    today = list(mine.filter(created_at__gt=now - DAY).order_by("-created_at").values_list("created_at", flat=True)
                 [:per_day])
    if len(today) >= per_day:
        raise JobRefused(_("You started %(count)s print, letter or certificate jobs in the last 24 hours, the "
                           "most allowed; you can start the next one at %(time)s.") % {
            "count": per_day, "time": _local(today[-1] + DAY)}, code="job_daily_limit")


def _local(at) -> str:
    return formats.date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")
