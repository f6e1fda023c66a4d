"""Background jobs: bulk issue, and one merged PDF of a training's certificates for printing."""

import tempfile

from django.core.files import File
from django.utils.translation import gettext as _

from core import jobs
from events.access import event_for_job
from events.models import Event

from . import services
from .certificate_pdf import write_merged
from .models import Certificate

ISSUE = "issue_certificates"
PRINT = "certificates_print"


@jobs.job_kind(ISSUE, heavy=True)
def issue_job(job) -> dict:
    event = event_for_job(job, job.params["event_id"])
    jobs.progress(job, 0, None, _("Checking who is eligible…"))

    def report(done, total):
        jobs.progress(job, done, total, _("Issuing: %(done)s of %(total)s") % {"done": done, "total": total})

    result = services.issue_certificates(event, user=job.created_by, progress=report)
    jobs.progress(job, result.issued, max(result.issued, job.total), _(
        "%(eligible)s eligible: %(issued)s issued now, %(skipped)s already had one.") % result.as_dict())
    return result.as_dict()


def print_queryset(event: Event, district_path: str | None = None, scope_path: str | None = None):
    certs = Certificate.objects.filter(event=event, status=Certificate.Status.VALID).select_related("event")
    for path in (scope_path, district_path):
        if path:
            certs = certs.filter(person__bridge__path__startswith=path)
    # Printed per school, in the order the schools are listed in the tree.
    return certs.order_by("person__bridge__path", "seq")


@jobs.job_kind(PRINT, heavy=True)
def print_job(job) -> dict:
    event = event_for_job(job, job.params["event_id"])
    certs = print_queryset(event, job.params.get("district_path"), job.params.get("scope_path"))
    total = certs.count()
    if not total:
        from .errors import TrainingError

        raise TrainingError(_("There is no valid certificate to print."))
    jobs.progress(job, 0, total, _("Drawing pages…"))

    def report(done):
        jobs.progress(job, done, total, _("Pages: %(done)s of %(total)s") % {"done": done, "total": total})

    with tempfile.TemporaryFile() as target:
        count = write_merged(certs.iterator(chunk_size=500), target, event.title, progress=report)
        target.seek(0)
        job.result_file.save(f"giay-chung-nhan-{event.pk}.pdf", File(target), save=False)
    job.save(update_fields=["result_file"])
    jobs.progress(job, count, total, _("%(count)s pages ready to print.") % {"count": count})
    return {"pages": count}
