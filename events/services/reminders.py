"""Reminders to bridges that have not confirmed, not tested, or failed the test.

Sent as a background job: several hundred e-mails over SMTP take longer than a request should.
"""

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bridges.services import console_url
from core import audit, jobs
from core.audit import client_ip

from ..access import event_for_job
from ..models import Event, Invitation
from .readiness import scoped_invitations

REMINDABLE = (Invitation.Status.INVITED, Invitation.Status.CONFIRMED, Invitation.Status.PROBLEM)
MAIL_BATCH = 50


def reminder_targets(event: Event, user, ids=None) -> QuerySet[Invitation]:
    """Invitations in the user's scope that a reminder makes sense for (optionally only the chosen ones)."""
    invitations = scoped_invitations(event, user).filter(status__in=REMINDABLE)
    if ids is not None:
        invitations = invitations.filter(pk__in=list(ids))
    return invitations


def _message(invitation: Invitation, connection) -> mail.EmailMessage:
    context = {"event": invitation.event, "bridge": invitation.bridge, "invitation": invitation,
               "console_url": console_url(invitation.bridge)}
    subject = " ".join(render_to_string("events/email/reminder_subject.txt", context).split())
    body = render_to_string("events/email/reminder_body.txt", context)
    return mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.bridge.email],
                             connection=connection)


def send_reminders(event: Event, invitation_ids, *, user=None, ip=None, job=None) -> dict:
    invitations = list(Invitation.objects.filter(event=event, pk__in=list(invitation_ids), status__in=REMINDABLE)
                       .select_related("event", "bridge").order_by("bridge__path"))
    with_mail = [inv for inv in invitations if inv.bridge.email]
    without_mail = [inv.bridge.code for inv in invitations if not inv.bridge.email]
    sent_ids = []
    if job is not None:
        jobs.progress(job, 0, len(with_mail), _("Sending reminders…"))
    with translation.override(settings.LANGUAGE_CODE), mail.get_connection() as connection:
        for start in range(0, len(with_mail), MAIL_BATCH):
            batch = with_mail[start:start + MAIL_BATCH]
            connection.send_messages([_message(inv, connection) for inv in batch])
            sent_ids.extend(inv.pk for inv in batch)
            Invitation.objects.filter(pk__in=[inv.pk for inv in batch]).update(
                reminder_count=F("reminder_count") + 1, last_reminded_at=timezone.now())
            if job is not None:
                jobs.progress(job, len(sent_ids), len(with_mail))
    result = {"sent": len(sent_ids), "without_email": without_mail}
    audit.record("event.remind", user=user, ip=ip, target=event, summary=event.title,
                 details={"sent": len(sent_ids), "without_email": without_mail[:100]})
    if job is not None:
        jobs.progress(job, len(sent_ids), len(with_mail), _("%(sent)s reminders sent; %(missing)s bridges have no e-mail address.") % {
            "sent": len(sent_ids), "missing": len(without_mail)})
    return result


@jobs.job_kind("events.reminders")
def _reminder_job(job) -> dict:
    event = event_for_job(job, job.params["event"])
    return send_reminders(event, job.params["invitations"], user=job.created_by, ip=job.params.get("ip"), job=job)


def start_reminders(event: Event, invitations: QuerySet[Invitation], *, request):
    ids = list(invitations.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("There is no one to remind among the chosen bridges."))
    return jobs.start("events.reminders", params={"event": event.pk, "invitations": ids, "ip": client_ip(request)},
                      user=request.user)
