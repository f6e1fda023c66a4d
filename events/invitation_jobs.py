"""Bulk invitation work as background jobs: a ZIP of every invited bridge's PDF, and the e-mails.

Both run through core.jobs so the organizer's page (and the API) shows a progress bar; the event's
shared layout (EventSheet) is built once and reused for every bridge.
"""

import tempfile
import time
import zipfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import get_connection
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import audit
from core.errors import Refused
from core.jobs import job_kind, progress, start
from core.models import Job
from core.text import fold

from . import calendar
from .access import event_for_job
from .invitation_pdf import EventSheet, render
from .mailing import invitation_message
from .models import Event, Invitation

PDF_JOB = "events.invitation_pdfs"
MAIL_JOB = "events.invitation_emails"
JOB_KINDS = (PDF_JOB, MAIL_JOB)
# Progress is written at most this often: a row update per PDF would cost more than the PDF.
PROGRESS_EVERY_S = 0.25


class JobError(Refused):
    """A reason shown to the organizer as the job's message."""

    code = "letters_refused"


def _invitations(event: Event, *, exclude_declined: bool = False):
    rows = Invitation.objects.filter(event=event).select_related("bridge", "bridge__tier", "room")
    if exclude_declined:
        rows = rows.exclude(status=Invitation.Status.DECLINED)
    return rows.order_by("bridge__path")


def _throttled(job, total: int):
    last = 0.0

    def report(done: int, message: str) -> None:
        nonlocal last
        now = time.monotonic()
        if done == total or now - last >= PROGRESS_EVERY_S:
            progress(job, done, total, message)
            last = now

    return report


def _zip_name(index: int, invitation: Invitation) -> str:
    bridge = invitation.bridge
    return f"{index:04d}_{slugify(bridge.code) or bridge.pk}_{slugify(fold(bridge.name))[:60]}.pdf"


@job_kind(PDF_JOB, heavy=True)
def build_invitation_zip(job) -> dict:
    with translation.override(job.params.get("language") or "vi"):
        event = event_for_job(job, job.params["event_id"], calendar.event_queryset())
        invitations = list(_invitations(event))
        if not invitations:
            raise JobError(_("No bridge has been invited to this event yet."))
        total = len(invitations)
        report = _throttled(job, total)
        report(0, _("Preparing %(count)s invitations…") % {"count": total})
        sheet = EventSheet.build(event)
        with tempfile.TemporaryFile() as spool:
            # PDFs are compressed already: storing them is as small and much faster.
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
                for index, invitation in enumerate(invitations, start=1):
                    archive.writestr(_zip_name(index, invitation), render(sheet, invitation.bridge, invitation))
                    report(index, _("%(done)s of %(total)s invitations") % {"done": index, "total": total})
            spool.seek(0)
            job.result_file.save(f"giay-moi-su-kien-{event.pk}.zip", File(spool), save=False)
        job.save(update_fields=["result_file"])
    return {"event_id": event.pk, "count": total}


@job_kind(MAIL_JOB, heavy=True)
def send_invitation_emails(job) -> dict:
    with translation.override(job.params.get("language") or "vi"):
        event = event_for_job(job, job.params["event_id"], calendar.event_queryset())
        require_mailable(event)
        invitations = list(_invitations(event, exclude_declined=True))
        with_email = [inv for inv in invitations if inv.bridge.email]
        without_email = [inv.bridge.code for inv in invitations if not inv.bridge.email]
        total = len(with_email)
        report = _throttled(job, total)
        report(0, _("Sending %(count)s e-mails…") % {"count": total})
        sheet = EventSheet.build(event)
        attach_pdf = bool(job.params.get("attach_pdf", True))
        sent, failed = [], []
        with get_connection() as connection:
            for index, invitation in enumerate(with_email, start=1):
                message = invitation_message(invitation, sheet=sheet, attach_pdf=attach_pdf, connection=connection)
                try:
                    message.send()
                except Exception as exc:  # one refused address must not stop the other bridges
                    failed.append({"code": invitation.bridge.code, "error": str(exc)[:200]})
                else:
                    sent.append(invitation.bridge.code)
                report(index, _("%(done)s of %(total)s e-mails") % {"done": index, "total": total})
        audit.record(
            "event.invitations_sent", user=job.created_by, target=event,
            summary=_("%(sent)s invitation e-mails sent") % {"sent": len(sent)},
            details={"job": job.pk, "sent": len(sent), "failed": failed, "without_email": without_email,
                     "attach_pdf": attach_pdf},
        )
    message = _("%(sent)s e-mails sent; %(missing)s bridges have no e-mail address; %(failed)s failed.") % {
        "sent": len(sent), "missing": len(without_email), "failed": len(failed)}
    progress(job, total, total, message)
    return {"event_id": event.pk, "sent": len(sent), "failed": failed, "without_email": without_email}


def mail_counts(event: Event) -> dict:
    """Who an e-mail run would reach now (declined bridges are not mailed): the counts its confirmation states."""
    invitations = _invitations(event, exclude_declined=True)
    return {"mailed": invitations.exclude(bridge__email="").count(),
            "no_email": invitations.filter(bridge__email="").count(),
            "declined": event.invitations.filter(status=Invitation.Status.DECLINED).count()}


def require_mailable(event: Event) -> None:
    if event.status not in (Event.Status.PUBLISHED, Event.Status.LIVE):
        raise ValidationError(_("Invitations are e-mailed only for a published event that has not ended."))


def start_invitation_zip(event: Event, *, user, language: str | None = None):
    if not event.invitations.exists():
        raise ValidationError(_("No bridge has been invited to this event yet."))
    return start(PDF_JOB, params={"event_id": event.pk, "language": language or translation.get_language()},
                 user=user)


def start_invitation_emails(event: Event, *, user, request=None, attach_pdf: bool = True,
                            language: str | None = None):
    require_mailable(event)
    if not event.invitations.exclude(bridge__email="").exists():
        raise ValidationError(_("None of the invited bridges has an e-mail address."))
    audit.record("event.invitations_send_started", request=request, user=user, target=event, summary=event.title)
    return start(MAIL_JOB, params={"event_id": event.pk, "attach_pdf": attach_pdf,
                                   "language": language or translation.get_language()}, user=user)


def latest_jobs(event: Event):
    return Job.objects.filter(kind__in=JOB_KINDS, params__event_id=event.pk).order_by("-created_at")
