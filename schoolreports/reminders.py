"""Reminding the schools that have not answered a round: a job, with a cooldown per school.

The cooldown is the one the event and follow-up reminders use (events.services.reminders): a school is
reminded of one round at most once per REMINDER_COOLDOWN_MINUTES, whoever asks (two officers, a
script calling the API in a loop). Schools without an e-mail address are listed with their phone.
"""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from bridges.models import Bridge
from bridges.services import console_url
from core import audit, jobs
from core.audit import client_ip
from events.services import reminders as event_reminders

from .models import ReportAnswer, ReportReminder, ReportRound
from .rollup import rollup
from .services import ReportRefused

REMIND_JOB = "schoolreports.remind"


def remindable(round_: ReportRound, scope_path: str | None, ids=None) -> list[Bridge]:
    """The schools of the scope that have not submitted (optionally only the chosen ones)."""
    chosen = [row.bridge for row in rollup(round_, scope_path).missing]
    if ids is not None:
        wanted = {int(i) for i in ids}
        chosen = [b for b in chosen if b.pk in wanted]
    return chosen


def _recently(round_: ReportRound):
    return ReportReminder.objects.filter(round=round_, emailed=True, at__gt=event_reminders.cooldown_cutoff())


def _claim(round_: ReportRound, bridges: list[Bridge], by) -> tuple[list[Bridge], list[Bridge], list[int]]:
    # Recorded before sending, under the round's lock (events.services.reminders: the one cooldown).
    return event_reminders.claim_log_reminders(round_, ReportReminder, bridges, by=by, round=round_)


def send_reminders(round_: ReportRound, bridge_ids: list[int], *, user=None, ip=None, job=None) -> dict:
    submitted = set(ReportAnswer.objects.filter(round=round_, status=ReportAnswer.Status.SUBMITTED)
                    .values_list("bridge_id", flat=True))
    bridges = [b for b in Bridge.objects.filter(pk__in=bridge_ids).order_by("path") if b.pk not in submitted]
    by = user if user is not None and user.is_authenticated else None
    if job is not None:
        jobs.progress(job, 0, len(bridges), _("Sending reminders…"))
    sent, without, claimed = _claim(round_, bridges, by)
    held_back = len(bridges) - len(sent) - len(without)
    try:
        with translation.override(settings.LANGUAGE_CODE), mail.get_connection() as connection:
            messages = []
            for bridge in sent:
                context = {"round": round_, "bridge": bridge, "url": console_url(bridge)}
                subject = " ".join(render_to_string("schoolreports/email/reminder_subject.txt", context).split())
                body = render_to_string("schoolreports/email/reminder_body.txt", context)
                messages.append(mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [bridge.email],
                                                  connection=connection))
            if messages:
                connection.send_messages(messages)
    except Exception:
        ReportReminder.objects.filter(pk__in=claimed).delete()  # not sent: the cooldown must not hold them
        raise
    audit.record("schoolreport.remind", user=by, ip=ip, target=round_, summary=round_.title[:200],
                 details={"sent": len(sent), "without_email": [b.code for b in without][:100],
                          "held_back": held_back})
    result = {"sent": len(sent), "without_email": [b.code for b in without], "held_back": held_back}
    if job is not None:
        text = _("%(sent)s reminders sent; %(missing)s schools have no e-mail address (phone them).") % {
            "sent": len(sent), "missing": len(without)}
        if held_back:
            text += " " + _("%(count)s bridges were reminded less than %(minutes)s minutes ago and were skipped.") % {
                "count": held_back, "minutes": settings.REMINDER_COOLDOWN_MINUTES}
        jobs.progress(job, len(bridges), len(bridges), text)
    return result


@jobs.job_kind(REMIND_JOB)
def _remind_job(job) -> dict:
    round_ = ReportRound.objects.get(pk=job.params["round"])
    return send_reminders(round_, job.params["bridges"], user=job.created_by, ip=job.params.get("ip"), job=job)


def start_reminders(round_: ReportRound, bridges: list[Bridge], *, request):
    if not bridges:
        raise ReportRefused({"": _("Every chosen school has answered already: there is no one to remind.")})
    held = dict(_recently(round_).filter(bridge__in=bridges).values_list("bridge_id").annotate(at=Max("at"))
                .order_by())
    if len(held) == len({b.pk for b in bridges}):
        raise ReportRefused({"": event_reminders.cooldown_refusal(min(held.values()))})
    return jobs.start(REMIND_JOB, params={"round": round_.pk, "bridges": [b.pk for b in bridges],
                                          "ip": client_ip(request)}, user=request.user)
