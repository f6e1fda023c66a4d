"""Telling calendars that an event was cancelled: METHOD:CANCEL mailed to every invited bridge with an address.

`events.services.schedule.set_status` starts this job whenever an announced (published or live) event
becomes cancelled, whichever page or API route cancelled it; a draft was never mailed, so it sends
nothing. Mail goes out in a core.jobs job, never in the request. Declined bridges are mailed too:
they received the invitation before declining and may still hold it in their calendar.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core import audit
from core.jobs import job_kind, progress, start
from core.models import Job

from . import calendar
from .access import event_for_job
from .mailing import calendar_part
from .models import Event, Invitation

CANCEL_JOB = "events.cancellation_emails"
# The progress bar moves every this many mails: a row update per mail would cost more than the mail.
PROGRESS_EVERY = 20
# Only these were ever announced to bridges (invitations are mailed only for them).
ANNOUNCED = (Event.Status.PUBLISHED, Event.Status.LIVE)


def mailed_invitations(event: Event):
    return (Invitation.objects.filter(event=event).exclude(bridge__email="")
            .select_related("event", "event__host", "bridge").order_by("bridge__path"))


def cancellation_message(invitation: Invitation, *, connection=None) -> EmailMultiAlternatives:
    """The notice for one invited bridge (which must have an e-mail address), with its CANCEL .ics."""
    event, bridge = invitation.event, invitation.bridge
    context = {"event": event, "bridge": bridge, "when": _when(event),
               "issuer": calendar.issuer(event)}
    message = EmailMultiAlternatives(
        subject=_("Cancelled: %(title)s") % {"title": event.title},
        body=render_to_string("events/cancellation_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[bridge.email],
        connection=connection,
    )
    message.attach(calendar_part(calendar.cancellation_ics(invitation), method="CANCEL"))
    return message


def _when(event: Event) -> str:
    start_at, end_at = calendar.local(event.starts_at), calendar.local(event.ends_at)
    return f"{start_at:%H:%M %d/%m/%Y} – {end_at:%H:%M %d/%m/%Y}"


@job_kind(CANCEL_JOB)
def send_cancellation_emails(job) -> dict:
    with translation.override(job.params.get("language") or "vi"):
        event = event_for_job(job, job.params["event_id"], Event.objects.select_related("host"))
        invitations = list(mailed_invitations(event))
        total = len(invitations)
        progress(job, 0, total, _("Sending %(count)s cancellation notices…") % {"count": total})
        sent, failed = [], []
        with get_connection() as connection:
            for index, invitation in enumerate(invitations, start=1):
                try:
                    cancellation_message(invitation, connection=connection).send()
                except Exception as exc:  # one refused address must not stop the other bridges
                    failed.append({"code": invitation.bridge.code, "error": str(exc)[:200]})
                else:
                    sent.append(invitation.bridge.code)
                if index % PROGRESS_EVERY == 0:
                    progress(job, index)
        without_email = event.invitations.filter(bridge__email="").count()
        audit.record(
            "event.cancellations_sent", user=job.created_by, target=event,
            summary=_("%(sent)s cancellation notices sent") % {"sent": len(sent)},
            details={"job": job.pk, "sent": len(sent), "failed": failed, "without_email": without_email,
                     "sequence": event.sequence},
        )
        progress(job, total, total, _("%(sent)s cancellation notices sent; %(missing)s bridges have no e-mail "
                                      "address; %(failed)s failed.") % {
            "sent": len(sent), "missing": without_email, "failed": len(failed)})
    return {"event_id": event.pk, "sent": len(sent), "failed": failed, "without_email": without_email}


def start_cancellation_emails(event: Event, *, previous_status: str, user=None) -> Job | None:
    """Start the notices for an event just cancelled; None when there is nobody to tell."""
    if previous_status not in ANNOUNCED or not mailed_invitations(event).exists():
        return None
    return start(CANCEL_JOB, params={"event_id": event.pk, "language": translation.get_language()}, user=user)


def latest_job(event: Event) -> Job | None:
    return Job.objects.filter(kind=CANCEL_JOB, params__event_id=event.pk).order_by("-created_at").first()
