"""Reminders to bridges that have not confirmed, not tested, or failed the test.

Sent as a background job: several hundred e-mails over SMTP take longer than a request should.
"""

from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from bridges.services import console_url
from core import audit, jobs
from core.audit import client_ip

from ..access import event_for_job
from ..models import Event, Invitation
from .readiness import scoped_invitations

REMINDABLE = (Invitation.Status.INVITED, Invitation.Status.CONFIRMED, Invitation.Status.PROBLEM)
MAIL_BATCH = 50


# --- the cooldown: one home for "how often may a school be reminded" (follow-up reminders use it too) ---

def cooldown() -> timedelta:
    """A school gets at most one reminder of one event (or follow-up report) per REMINDER_COOLDOWN_MINUTES:
    repeated clicks, two officers or a script calling the API in a loop send nothing more."""
    return timedelta(minutes=settings.REMINDER_COOLDOWN_MINUTES)


def cooldown_cutoff(now=None):
    """Reminders sent after this moment still hold the school back."""
    return (now or timezone.now()) - cooldown()


def cooldown_refusal(last_reminded_at) -> str:
    """Why nobody is reminded now, with the time the earliest school may be reminded again."""
    again = formats.date_format(timezone.localtime(last_reminded_at + cooldown()), "SHORT_DATETIME_FORMAT")
    return _("The chosen schools were all reminded less than %(minutes)s minutes ago; the next reminder can "
             "be sent at %(time)s.") % {"minutes": settings.REMINDER_COOLDOWN_MINUTES, "time": again}


def claim_log_reminders(owner, log_model, bridges: list, *, by=None, **owner_field):
    """Record reminders in a reminder log (follow-ups, school reports) before they are sent, under the row
    lock of what they are about (`owner`, found by `owner_field`), so two jobs at once cannot both mail a
    school within the cooldown. Returns (bridges to mail, bridges without an address, the ids of the rows
    recorded for the first ones, in order)."""
    with transaction.atomic():
        type(owner).objects.select_for_update().filter(pk=owner.pk).first()
        recent = log_model.objects.filter(emailed=True, at__gt=cooldown_cutoff(), **owner_field)
        held = set(recent.values_list("bridge_id", flat=True))
        due = [b for b in bridges if b.pk not in held]
        to_mail = [b for b in due if b.email]
        without = [b for b in due if not b.email]
        rows = log_model.objects.bulk_create(
            [log_model(bridge=b, by=by, emailed=True, **owner_field) for b in to_mail]
            + [log_model(bridge=b, by=by, emailed=False, **owner_field) for b in without])
    return to_mail, without, [row.pk for row in rows[:len(to_mail)]]


def _due_q(now=None) -> Q:
    return Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=cooldown_cutoff(now))


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
    held_back = 0
    with translation.override(settings.LANGUAGE_CODE), mail.get_connection() as connection:
        for start in range(0, len(with_mail), MAIL_BATCH):
            batch = _claim(with_mail[start:start + MAIL_BATCH])
            held_back += min(MAIL_BATCH, len(with_mail) - start) - len(batch)
            try:
                connection.send_messages([_message(inv, connection) for inv in batch])
            except Exception:
                _unclaim(batch)  # not sent: the cooldown must not hold these schools back
                raise
            sent_ids.extend(inv.pk for inv in batch)
            if job is not None:
                jobs.progress(job, len(sent_ids) + held_back, len(with_mail))
    result = {"sent": len(sent_ids), "without_email": without_mail, "held_back": held_back}
    audit.record("event.remind", user=user, ip=ip, target=event, summary=event.title,
                 details={"sent": len(sent_ids), "without_email": without_mail[:100], "held_back": held_back})
    if job is not None:
        text = _("%(sent)s reminders sent; %(missing)s bridges have no e-mail address.") % {
            "sent": len(sent_ids), "missing": len(without_mail)}
        if held_back:
            text += " " + _("%(count)s bridges were reminded less than %(minutes)s minutes ago and were skipped.") % {
                "count": held_back, "minutes": settings.REMINDER_COOLDOWN_MINUTES}
        jobs.progress(job, len(with_mail), len(with_mail), text)
    return result


def _claim(batch: list[Invitation]) -> list[Invitation]:
    """The invitations of this batch no other reminder took within the cooldown, marked reminded now.

    One conditional UPDATE per invitation: two reminder jobs running at once (two officers, a script)
    cannot both claim a school, whatever the database."""
    claimed = []
    for invitation in batch:
        now = timezone.now()
        if Invitation.objects.filter(_due_q(now), pk=invitation.pk).update(
                reminder_count=F("reminder_count") + 1, last_reminded_at=now):
            invitation.previous_reminded_at = invitation.last_reminded_at
            claimed.append(invitation)
    return claimed


def _unclaim(batch: list[Invitation]) -> None:
    for invitation in batch:
        Invitation.objects.filter(pk=invitation.pk).update(
            reminder_count=F("reminder_count") - 1, last_reminded_at=invitation.previous_reminded_at)


@jobs.job_kind("events.reminders")
def _reminder_job(job) -> dict:
    event = event_for_job(job, job.params["event"])
    return send_reminders(event, job.params["invitations"], user=job.created_by, ip=job.params.get("ip"), job=job)


def reminder_preview(invitations: QuerySet[Invitation]) -> dict:
    """What reminding these invitations would do now, sending nothing: the counts a confirmation states.

    `mailed`: e-mails sent now; `no_email`: bridges without an address (phone them); `held_back`: reminded
    within the cooldown, skipped."""
    with_address = invitations.exclude(bridge__email="")
    return {"chosen": invitations.count(), "mailed": with_address.filter(_due_q()).count(),
            "no_email": invitations.filter(bridge__email="").count(),
            "held_back": with_address.exclude(_due_q()).count()}


def start_reminders(event: Event, invitations: QuerySet[Invitation], *, request):
    if not invitations.exists():
        raise ValidationError(_("There is no one to remind among the chosen bridges."))
    mailable = invitations.exclude(bridge__email="")
    if mailable.exists() and not mailable.filter(_due_q()).exists():
        # Every chosen school with an address is within its cooldown: the earliest reminded is free first.
        earliest = mailable.order_by("last_reminded_at").values_list("last_reminded_at", flat=True).first()
        raise ValidationError(cooldown_refusal(earliest))
    ids = list(invitations.filter(_due_q()).values_list("pk", flat=True))
    return jobs.start("events.reminders", params={"event": event.pk, "invitations": ids, "ip": client_ip(request)},
                      user=request.user)
