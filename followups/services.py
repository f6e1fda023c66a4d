"""Follow-up reports after a training: opening a form, the schools' answers, who is missing, reminders.

The schools asked are the school bridges invited to the event (not those that declined). Answers are
checked here, once, whether they come from the console page or the API: negative or absurd numbers
are refused with the reason; an answer after the deadline is accepted and marked late; nothing is
accepted once the organizer has closed the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bridges.models import Bridge, Person, Tier
from bridges.services import console_actor
from bridges.tree import group_of_loading as district_of
from core import attachments, audit, jobs
from core.audit import client_ip
from core.errors import Refused
from core.text import clean_text
from events import participation
from events.models import Event, Invitation
from events.services import reminders as event_reminders

from .models import FollowUpAnswer, FollowUpForm, FollowUpReminder

# Ceilings for numbers no school can report; a school that gives its size gets that as the ceiling.
MAX_STUDENTS = 5000
MAX_CLASSES = 500
MAX_TEACHERS_WITHOUT_ROSTER = 300
MAX_NOTES = 2000
# Stored on Job rows (and looked up by the page): the name it had while follow-ups lived in attendance.
REMIND_JOB = "attendance.followup_reminders"
# 1234, 1.234 or 1,234 (Vietnamese writes thousands with a dot); a sign is kept to refuse it by name.
WHOLE_NUMBER = re.compile(r"^[-+]?(\d+|\d{1,3}([.,]\d{3})+)$")


class FollowUpError(Refused):
    """Refused input; `errors` maps a field (or "" for the whole form) to the reason."""

    code = "followup_refused"

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()), fields={name: [reason] for name, reason in errors.items()})


# --- Forms ----------------------------------------------------------------------------------------

def open_form(event: Event, *, title: str, deadline: datetime | None, instructions: str = "", request=None,
              now: datetime | None = None) -> FollowUpForm:
    now = now or timezone.now()
    if deadline is not None and timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)  # typed in the province's local time
    errors = {}
    title = clean_text(title)[:255]
    if not title:
        errors["title"] = _("Give the follow-up report a title.")
    if deadline is None:
        errors["deadline"] = _("Give a deadline.")
    elif deadline <= now:
        errors["deadline"] = _("The deadline must be in the future.")
    if event.status in (Event.Status.DRAFT, Event.Status.CANCELLED):
        errors[""] = _("Follow-up reports are for events that took place; this one is a draft or cancelled.")
    if errors:
        raise FollowUpError(errors)
    user = getattr(request, "user", None)
    form = FollowUpForm.objects.create(
        event=event, title=title, instructions=instructions.strip()[:4000], deadline=deadline,
        created_by=user if user is not None and user.is_authenticated else None)
    audit.record("followup.open", request=request, target=form, summary=title[:200],
                 details={"event_id": event.pk, "deadline": deadline.isoformat()})
    return form


def close_form(form: FollowUpForm, *, request=None) -> FollowUpForm:
    if form.closed_at is None:
        form.closed_at = timezone.now()
        form.save(update_fields=["closed_at"])
        audit.record("followup.close", request=request, target=form, summary=form.title[:200])
    return form


def expected_schools(form_or_event) -> QuerySet[Bridge]:
    """The schools asked to answer: school bridges invited to the event that did not decline."""
    event = form_or_event.event if isinstance(form_or_event, FollowUpForm) else form_or_event
    return participation.invitees(event).filter(tier__role=Tier.Role.SCHOOL)


def forms_for_school(bridge: Bridge) -> list[FollowUpForm]:
    events = Invitation.objects.filter(bridge=bridge).exclude(status=Invitation.Status.DECLINED).values("event_id")
    if bridge.tier.role != Tier.Role.SCHOOL:
        return []
    return list(FollowUpForm.objects.filter(event_id__in=events).select_related("event").order_by("-deadline"))


def form_for_school(bridge: Bridge, form_id) -> FollowUpForm | None:
    try:
        pk = int(form_id)
    except (TypeError, ValueError):
        return None
    return next((f for f in forms_for_school(bridge) if f.pk == pk), None)


# --- Answers --------------------------------------------------------------------------------------

def _count(data: dict, name: str, label: str, ceiling: int, ceiling_reason: str, errors: dict,
           required: bool = True) -> int | None:
    raw = data.get(name)
    text = clean_text(raw).replace(" ", "") if raw is not None else ""
    if text == "":
        if required:
            errors[name] = _("%(field)s: enter a number (0 if none).") % {"field": label}
        return None
    if not WHOLE_NUMBER.match(text):
        errors[name] = _("%(field)s: “%(value)s” is not a whole number.") % {"field": label, "value": str(raw)[:20]}
        return None
    value = int(re.sub(r"[.,]", "", text))
    if value < 0:
        errors[name] = _("%(field)s cannot be negative.") % {"field": label}
        return None
    if value > ceiling:
        errors[name] = ceiling_reason % {"field": label, "max": ceiling}
        return None
    return value


def check_answer(bridge: Bridge, data: dict, attachment=None) -> dict:
    """The cleaned answer, or FollowUpError with every reason at once."""
    errors: dict[str, str] = {}
    too_many = _("%(field)s: %(max)s at most; check the number.")
    school_students = _count(data, "school_students", _("Students at the school"), 10 * MAX_STUDENTS, too_many,
                             errors, required=False)
    students_ceiling, students_reason = MAX_STUDENTS, too_many
    if school_students is not None and school_students < MAX_STUDENTS:
        students_ceiling = school_students
        students_reason = _("%(field)s: more than the school's %(max)s students.")
    students = _count(data, "students_trained", _("Students trained"), students_ceiling, students_reason, errors)
    classes = _count(data, "classes_held", _("Classes held"), MAX_CLASSES, too_many, errors)
    roster = Person.objects.filter(bridge=bridge).count()
    teachers_ceiling = roster or MAX_TEACHERS_WITHOUT_ROSTER
    teachers_reason = _("%(field)s: more than the %(max)s teachers on the school's roster.") if roster else too_many
    teachers = _count(data, "teachers_led", _("Teachers who led them"), teachers_ceiling, teachers_reason, errors)
    if classes and students == 0:
        errors["students_trained"] = _("Classes were held but no student was trained: check the numbers.")
    notes = str(data.get("notes") or "").strip()
    if len(notes) > MAX_NOTES:
        errors["notes"] = _("Notes: %(max)s characters at most.") % {"max": MAX_NOTES}
    submitted_by = clean_text(data.get("submitted_by"))[:120]
    if attachment is not None:
        reason = attachments.refusal(attachment, _("Attachment"))
        if reason:
            errors["attachment"] = reason
    if errors:
        raise FollowUpError(errors)
    return {"students_trained": students, "classes_held": classes, "teachers_led": teachers,
            "school_students": school_students, "notes": notes, "submitted_by": submitted_by}


def submit(form: FollowUpForm, bridge: Bridge, data: dict, *, attachment=None, request=None,
           now: datetime | None = None) -> tuple[FollowUpAnswer, bool]:
    """Store the school's answer (a later one replaces it). Returns (answer, created)."""
    now = now or timezone.now()
    if form.is_closed:
        raise FollowUpError({"": _("This follow-up report is closed: answers are no longer accepted.")})
    if not expected_schools(form).filter(pk=bridge.pk).exists():
        raise FollowUpError({"": _("This school is not asked for this follow-up report.")})
    values = check_answer(bridge, data, attachment)
    with transaction.atomic():
        answer = FollowUpAnswer.objects.select_for_update().filter(form=form, bridge=bridge).first()
        created = answer is None
        if created:
            answer = FollowUpAnswer(form=form, bridge=bridge, submitted_at=now, late=now > form.deadline)
        for key, value in values.items():
            setattr(answer, key, value)
        answer.updated_at = now
        if attachment is not None:
            answer.attachment_name = attachments.display_name(attachment)
            answer.attachment.save(attachment.name, attachment, save=False)
        answer.save()
    audit.record("followup.submit" if created else "followup.update", request=request,
                 actor_label=console_actor(bridge), target=answer,
                 summary=f"{form.title[:150]} – {bridge.code}",
                 details={**{k: v for k, v in values.items() if k != "notes"}, "late": answer.late,
                          "attachment": bool(attachment)})
    return answer, created


# --- Who has answered -----------------------------------------------------------------------------

@dataclass
class SchoolStatus:
    bridge: Bridge
    district_id: int
    district_name: str
    answer: FollowUpAnswer | None
    reminders: int = 0
    last_reminded_at: datetime | None = None

    @property
    def submitted(self) -> bool:
        return self.answer is not None


@dataclass
class DistrictRollup:
    id: int | None
    name: str
    expected: int = 0
    submitted: int = 0
    late: int = 0
    students: int = 0
    classes: int = 0
    teachers: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    def add(self, school: SchoolStatus) -> None:
        self.expected += 1
        if school.answer is not None:
            self.submitted += 1
            self.late += school.answer.late
            self.students += school.answer.students_trained
            self.classes += school.answer.classes_held
            self.teachers += school.answer.teachers_led


@dataclass
class FollowUpStatus:
    form: FollowUpForm
    now: datetime
    schools: list[SchoolStatus]
    districts: list[DistrictRollup] = field(default_factory=list)
    total: DistrictRollup | None = None

    @property
    def overdue(self) -> bool:
        return self.now > self.form.deadline

    @property
    def missing(self) -> list[SchoolStatus]:
        return [s for s in self.schools if not s.submitted]

    @property
    def submitted(self) -> list[SchoolStatus]:
        return [s for s in self.schools if s.submitted]

    @property
    def overdue_list(self) -> list[SchoolStatus]:
        """Schools that have not answered although the deadline has passed."""
        return self.missing if self.overdue else []

    @property
    def late(self) -> list[SchoolStatus]:
        return [s for s in self.schools if s.answer is not None and s.answer.late]


def status(form: FollowUpForm, scope_path: str | None, *, now: datetime | None = None) -> FollowUpStatus:
    now = now or timezone.now()
    schools = expected_schools(form).select_related("tier").order_by("path")
    if scope_path:
        schools = schools.filter(path__startswith=scope_path)
    schools = list(schools)
    answers = {a.bridge_id: a for a in FollowUpAnswer.objects.filter(form=form, bridge__in=[s.pk for s in schools])}
    reminders = {row["bridge_id"]: row for row in FollowUpReminder.objects.filter(form=form).values("bridge_id")
                 .annotate(n=Count("id"), last=Max("at"))}
    ancestors: dict[int, dict] = {}
    rows, rollups = [], {}
    for bridge in schools:
        district = district_of(bridge.path, ancestors) or {"id": bridge.pk, "name": bridge.name}
        reminded = reminders.get(bridge.pk, {})
        row = SchoolStatus(bridge, district["id"], district["name"], answers.get(bridge.pk),
                           reminded.get("n", 0), reminded.get("last"))
        rows.append(row)
        rollups.setdefault(district["id"], DistrictRollup(district["id"], district["name"])).add(row)
    total = DistrictRollup(None, _("Total"))
    for row in rows:
        total.add(row)
    return FollowUpStatus(form, now, rows, sorted(rollups.values(), key=lambda d: d.name), total)


# --- Reminders ------------------------------------------------------------------------------------

def followup_url(bridge: Bridge) -> str:
    # The school's page of the console app (/c/<token>/followup/), named like bridges.services.console_url.
    return settings.SITE_URL + reverse("console_followup", args=[bridge.console_token])


def remindable(form: FollowUpForm, scope_path: str | None, ids=None) -> list[Bridge]:
    rows = status(form, scope_path).missing
    chosen = [r.bridge for r in rows]
    if ids is not None:
        wanted = {int(i) for i in ids}
        chosen = [b for b in chosen if b.pk in wanted]
    return chosen


def send_reminders(form: FollowUpForm, bridge_ids: list[int], *, user=None, ip=None, job=None) -> dict:
    bridges = list(Bridge.objects.filter(pk__in=bridge_ids).order_by("path"))
    answered = set(FollowUpAnswer.objects.filter(form=form).values_list("bridge_id", flat=True))
    bridges = [b for b in bridges if b.pk not in answered]
    by = user if user is not None and user.is_authenticated else None
    if job is not None:
        jobs.progress(job, 0, len(bridges), _("Sending reminders…"))
    sent, without, claimed = _claim(form, bridges, by)
    held_back = len(bridges) - len(sent) - len(without)
    try:
        with translation.override(settings.LANGUAGE_CODE), mail.get_connection() as connection:
            messages = []
            for bridge in sent:
                context = {"form": form, "event": form.event, "bridge": bridge, "url": followup_url(bridge)}
                subject = " ".join(render_to_string("followups/email/followup_reminder_subject.txt", context).split())
                body = render_to_string("followups/email/followup_reminder_body.txt", context)
                messages.append(mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [bridge.email],
                                                  connection=connection))
            if messages:
                connection.send_messages(messages)
    except Exception:
        # Not sent: the cooldown must not hold these schools back.
        FollowUpReminder.objects.filter(pk__in=claimed).delete()
        raise
    audit.record("followup.remind", user=by, ip=ip, target=form, summary=form.title[:200],
                 details={"sent": len(sent), "without_email": [b.code for b in without][:100], "held_back": held_back})
    result = {"sent": len(sent), "without_email": [b.code for b in without]}
    if held_back:
        result["held_back"] = held_back
    if job is not None:
        text = _("%(sent)s reminders sent; %(missing)s schools have no e-mail address (phone them).") % {
            "sent": len(sent), "missing": len(without)}
        if held_back:
            text += " " + _("%(count)s bridges were reminded less than %(minutes)s minutes ago and were skipped.") % {
                "count": held_back, "minutes": settings.REMINDER_COOLDOWN_MINUTES}
        jobs.progress(job, len(bridges), len(bridges), text)
    return result


def _recently_reminded(form: FollowUpForm, now=None) -> QuerySet[FollowUpReminder]:
    return FollowUpReminder.objects.filter(form=form, emailed=True, at__gt=event_reminders.cooldown_cutoff(now))


def _claim(form: FollowUpForm, bridges: list[Bridge], by) -> tuple[list[Bridge], list[Bridge], list[int]]:
    # Recorded before sending, under the form's lock (events.services.reminders: the one cooldown).
    return event_reminders.claim_log_reminders(form, FollowUpReminder, bridges, by=by, form=form)


@jobs.job_kind(REMIND_JOB)
def _remind_job(job) -> dict:
    form = FollowUpForm.objects.select_related("event").get(pk=job.params["form"])
    return send_reminders(form, job.params["bridges"], user=job.created_by, ip=job.params.get("ip"), job=job)


def reminder_preview(form: FollowUpForm, bridges: list[Bridge]) -> dict:
    """What reminding these schools would do now, sending nothing (the counts a confirmation states):
    `mailed` e-mails sent, `no_email` schools without an address, `held_back` reminded within the cooldown."""
    held = set(_recently_reminded(form).filter(bridge__in=bridges).values_list("bridge_id", flat=True))
    due = [b for b in bridges if b.pk not in held]
    return {"chosen": len(bridges), "mailed": sum(1 for b in due if b.email),
            "no_email": sum(1 for b in due if not b.email), "held_back": len(bridges) - len(due)}


def start_reminders(form: FollowUpForm, bridges: list[Bridge], *, request):
    if not bridges:
        raise FollowUpError({"": _("Every chosen school has answered already: there is no one to remind.")})
    mailable = {b.pk for b in bridges if b.email}
    held = dict(_recently_reminded(form).filter(bridge__in=mailable).values_list("bridge_id").annotate(at=Max("at"))
                .order_by())
    if mailable and len(held) == len(mailable):
        # Every chosen school with an address was just mailed (events.services.reminders' cooldown).
        raise FollowUpError({"": event_reminders.cooldown_refusal(min(held.values()))})
    return jobs.start(REMIND_JOB, params={"form": form.pk, "bridges": [b.pk for b in bridges],
                                          "ip": client_ip(request)}, user=request.user)
