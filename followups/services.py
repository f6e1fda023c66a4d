"""Follow-up reports after a training: opening a form, the schools' answers, who is missing, reminders.

A follow-up is a round of the report engine (schoolreports) asked with the shipped "replication results"
template: opening one opens its round (the school bridges invited to the event that did not decline, the
follow-up's deadline), closing one closes it. Answers are the engine's: checked by schoolreports.validation
whether they come from the console page or the API, a late first one marked, every submission kept and
audited, reminders sent by schoolreports.reminders. This module keeps what is the follow-up's own: the link
from the training to its round, the follow-up's field names, the rollup of its three numbers by district.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bridges.models import Bridge, Tier
from bridges.tree import group_of_loading as district_of
from core import audit, jobs
from core.errors import Refused
from core.text import clean_text
from events import participation
from events.models import Event, Invitation
from events.services import reminders as event_reminders
from schoolreports import catalogue
from schoolreports import reminders as report_reminders
from schoolreports import services as reports
from schoolreports.models import Audience, ReportAnswer, ReportAttachment, ReportReminder, ReportRound

from .models import FollowUpForm

# The shipped template a follow-up's round is asked with (schoolreports.catalogue).
REPLICATION = "replication"


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
    with transaction.atomic():
        form = FollowUpForm.objects.create(
            event=event, title=title, instructions=instructions.strip()[:4000], deadline=deadline,
            created_by=user if user is not None and user.is_authenticated else None)
        link_round(form, request=request, now=now)
    audit.record("followup.open", request=request, target=form, summary=title[:200],
                 details={"event_id": event.pk, "deadline": deadline.isoformat()})
    return form


def link_round(form: FollowUpForm, *, request=None, now: datetime | None = None) -> ReportRound:
    """The follow-up's engine round, opened if it has none yet: a report form copied from the shipped
    "replication results" template, asked of the event's invitees by the follow-up's deadline."""
    if form.round_id is not None:
        return form.round
    now = min(now or timezone.now(), form.created_at or timezone.now(), form.deadline - timedelta(minutes=1))
    with transaction.atomic():
        report = reports.create_form(title=form.title, description=form.instructions, template_key=REPLICATION,
                                     definition=catalogue.template(REPLICATION)[1], request=request)
        form.round = reports.publish_round(report, title=form.title, deadline=form.deadline,
                                           audience=Audience.Kind.INVITEES, event=form.event, request=request,
                                           now=now)
        if form.closed_at is not None:
            reports.close_round(form.round, request=request)
        form.save(update_fields=["round"])
    return form.round


def close_form(form: FollowUpForm, *, request=None) -> FollowUpForm:
    if form.closed_at is None:
        form.closed_at = timezone.now()
        form.save(update_fields=["closed_at"])
        if form.round_id is not None:
            reports.close_round(form.round, request=request)
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
    return list(FollowUpForm.objects.filter(event_id__in=events).select_related("event", "round")
                .order_by("-deadline"))


def form_for_school(bridge: Bridge, form_id) -> FollowUpForm | None:
    try:
        pk = int(form_id)
    except (TypeError, ValueError):
        return None
    return next((f for f in forms_for_school(bridge) if f.pk == pk), None)


# --- Answers: kept by the report engine -----------------------------------------------------------

# The follow-up's names (console page, API) and the keys of the replication template (schoolreports.catalogue)
# its round is asked with; the engine checks the values (schoolreports.validation) and keeps every submission.
FIELDS = {"students_trained": "hs_duoc_tap_huan", "classes_held": "so_lop", "teachers_led": "gv_huong_dan",
          "school_students": "so_hs_truong", "notes": "ghi_chu"}
ATTACHMENT_KEY = "tai_lieu"
_NAMES = {**{key: name for name, key in FIELDS.items()}, ATTACHMENT_KEY: "attachment"}


@dataclass
class FollowUpResult:
    """A school's follow-up answer as the follow-up pages, API and sheets read it: the engine's submitted
    answer (schoolreports.ReportAnswer) under the follow-up's names."""

    answer: ReportAnswer
    attachment: ReportAttachment | None = None

    def _value(self, name):
        return self.answer.values.get(FIELDS[name])

    @property
    def pk(self) -> int:
        return self.answer.pk

    @property
    def bridge(self) -> Bridge:
        return self.answer.bridge

    @property
    def students_trained(self) -> int:
        return self._value("students_trained") or 0

    @property
    def classes_held(self) -> int:
        return self._value("classes_held") or 0

    @property
    def teachers_led(self) -> int:
        return self._value("teachers_led") or 0

    @property
    def school_students(self) -> int | None:
        return self._value("school_students")

    @property
    def notes(self) -> str:
        return self._value("notes") or ""

    @property
    def submitted_by(self) -> str:
        return self.answer.typed_by

    @property
    def submitted_at(self) -> datetime:
        return self.answer.submitted_at

    @property
    def updated_at(self) -> datetime:
        return self.answer.updated_at

    @property
    def late(self) -> bool:
        return self.answer.late

    @property
    def attachment_name(self) -> str:
        return self.attachment.name if self.attachment is not None else ""


def results(answers, by: str = "bridge_id") -> dict[int, FollowUpResult]:
    """The submitted engine answers as FollowUpResults keyed by `by` (bridge id, or round_id for one school's),
    each with the file its values name."""
    answers = list(answers)
    named = {a.values.get(ATTACHMENT_KEY) for a in answers} - {None}
    files = {f.pk: f for f in ReportAttachment.objects.filter(pk__in=named)} if named else {}
    return {getattr(a, by): FollowUpResult(a, files.get(a.values.get(ATTACHMENT_KEY))) for a in answers}


def submitted_answers(form: FollowUpForm) -> QuerySet[ReportAnswer]:
    return ReportAnswer.objects.filter(round_id=form.round_id, status=ReportAnswer.Status.SUBMITTED)


def answer_of(form: FollowUpForm, bridge: Bridge) -> FollowUpResult | None:
    return results(submitted_answers(form).filter(bridge=bridge)).get(bridge.pk)


def _refused(exc: Refused) -> FollowUpError:
    """The engine's refusal under the follow-up's field names (what the console page's inputs are called)."""
    errors = getattr(exc, "errors", None) or {"": exc.user_message}
    return FollowUpError({_NAMES.get(key, key): reason for key, reason in errors.items()})


def _values(data) -> dict:
    values = {}
    for name, key in FIELDS.items():
        raw = data.get(name)
        text = str(raw).strip() if raw is not None else ""
        if text:
            values[key] = text
    return values


def submit(form: FollowUpForm, bridge: Bridge, data: dict, *, attachment=None, request=None,
           now: datetime | None = None) -> tuple[FollowUpResult, bool]:
    """Send the school's answer to the follow-up's engine round (a later one corrects it; the engine keeps every
    submission, marks a late first one, audits). Returns (answer, first submission)."""
    now = now or timezone.now()
    if form.is_closed:
        raise FollowUpError({"": _("This follow-up report is closed: answers are no longer accepted.")})
    if form.round_id is None or not expected_schools(form).filter(pk=bridge.pk).exists():
        raise FollowUpError({"": _("This school is not asked for this follow-up report.")})
    values = _values(data)
    round_ = ReportRound.objects.select_related("version").get(pk=form.round_id)
    try:
        if attachment is not None:
            values[ATTACHMENT_KEY] = reports.attach(round_, bridge, ATTACHMENT_KEY, attachment, request=request,
                                                    now=now).pk
        else:
            previous = answer_of(form, bridge)
            if previous is not None and previous.attachment is not None:
                values[ATTACHMENT_KEY] = previous.attachment.pk  # a correction keeps the file sent before
        answer, first = reports.submit(round_, bridge, values, typed_by=str(data.get("submitted_by") or ""),
                                       request=request, now=now)
    except Refused as exc:
        raise _refused(exc) from exc
    return results([answer])[bridge.pk], first


# --- Who has answered -----------------------------------------------------------------------------

@dataclass
class SchoolStatus:
    bridge: Bridge
    district_id: int
    district_name: str
    answer: FollowUpResult | None
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
        return self.now > self.form.due

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
    answers = results(submitted_answers(form).filter(bridge__in=[s.pk for s in schools]).select_related("bridge"))
    reminders = {row["bridge_id"]: row for row in ReportReminder.objects.filter(round_id=form.round_id)
                 .values("bridge_id").annotate(n=Count("id"), last=Max("at")).order_by()}
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


# --- Reminders: the engine's (schoolreports.reminders), on the follow-up's round ----------------------

REMIND_JOB = report_reminders.REMIND_JOB


def remindable(form: FollowUpForm, scope_path: str | None, ids=None) -> list[Bridge]:
    rows = status(form, scope_path).missing
    chosen = [r.bridge for r in rows]
    if ids is not None:
        wanted = {int(i) for i in ids}
        chosen = [b for b in chosen if b.pk in wanted]
    return chosen


def _recently_reminded(form: FollowUpForm, now=None) -> QuerySet[ReportReminder]:
    return ReportReminder.objects.filter(round_id=form.round_id, emailed=True,
                                         at__gt=event_reminders.cooldown_cutoff(now))


def reminder_preview(form: FollowUpForm, bridges: list[Bridge]) -> dict:
    """What reminding these schools would do now, sending nothing (the counts a confirmation states):
    `mailed` e-mails sent, `no_email` schools without an address, `held_back` reminded within the cooldown."""
    held = set(_recently_reminded(form).filter(bridge__in=bridges).values_list("bridge_id", flat=True))
    due = [b for b in bridges if b.pk not in held]
    return {"chosen": len(bridges), "mailed": sum(1 for b in due if b.email),
            "no_email": sum(1 for b in due if not b.email), "held_back": len(bridges) - len(due)}


def start_reminders(form: FollowUpForm, bridges: list[Bridge], *, request):
    """The engine's reminder job on the follow-up's round (its cooldown, its log, its mail)."""
    if not bridges:
        raise FollowUpError({"": _("Every chosen school has answered already: there is no one to remind.")})
    mailable = [b for b in bridges if b.email]
    held = dict(_recently_reminded(form).filter(bridge__in=mailable).values_list("bridge_id").annotate(at=Max("at"))
                .order_by())
    if mailable and len(held) == len(mailable):
        # Every chosen school with an address was just mailed (events.services.reminders' cooldown).
        raise FollowUpError({"": event_reminders.cooldown_refusal(min(held.values()))})
    try:
        return report_reminders.start_reminders(form.round, bridges, request=request)
    except Refused as exc:
        raise _refused(exc) from exc


@jobs.job_kind("attendance.followup_reminders")
def _legacy_remind_job(job) -> dict:
    # A reminder job queued before follow-ups moved to the engine: sent by the engine on the form's round.
    form = FollowUpForm.objects.select_related("round").get(pk=job.params["form"])
    return report_reminders.send_reminders(form.round, job.params["bridges"], user=job.created_by,
                                           ip=job.params.get("ip"), job=job)


def send_reminders(form: FollowUpForm, bridge_ids: list[int], *, user=None, ip=None, job=None) -> dict:
    """Mail the chosen schools that have not answered, now (what the reminder job does): the engine's."""
    return report_reminders.send_reminders(form.round, bridge_ids, user=user, ip=ip, job=job)
