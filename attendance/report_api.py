"""API: attendance reports, exports as background jobs, follow-up reports (mounted in attendance.api).

/api/attendance/events/{id}/report           the reports page's numbers (scoped, filtered)
/api/attendance/events/{id}/exports          start an export job (.xlsx or a sheet as CSV)
/api/attendance/events/{id}/followups        list / open follow-up reports
/api/attendance/followups/{id}               who answered, rollup by district
/api/attendance/followups/{id}/remind|close
/api/attendance/console/{token}/followups    the school's side (the console token is the credential)
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from bridges import scope
from bridges.models import Role
from bridges.services import bridge_by_console_token
from core.api import JobOut, job_out
from core.audit import client_ip
from events.access import get_event

from .followup_models import FollowUpAnswer, FollowUpForm
from .reports import data, export, followup
from .reports.filters import ReportError, resolve

router = Router(tags=["reports"])
console_router = Router(tags=["reports"], auth=None)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


class FilterIn(Schema):
    district: str = ""
    tier: str = ""
    roll_calls: list[int] = []


class RollCallOut(Schema):
    id: int
    label: str
    held: bool


class GroupOut(Schema):
    id: int | None
    code: str
    name: str
    invited: int
    confirmed: int
    tested: int
    checked_in: int
    mean_minutes_connected: float
    expected: int
    headcount: int
    present: dict[str, int]
    attendance_rate: float | None
    teachers: int
    completed: int
    certificates: int


class ReportOut(Schema):
    event_id: int
    title: str
    covering: str
    completion_rule: str
    roll_calls: list[RollCallOut]
    groups: list[GroupOut]
    total: GroupOut


def _group(report: data.AttendanceReport, group: data.GroupRow) -> dict:
    return {
        "id": group.id, "code": group.code, "name": group.name, "invited": group.invited,
        "confirmed": group.confirmed, "tested": group.tested, "checked_in": group.checked_in,
        "mean_minutes_connected": round(group.mean_minutes, 1), "expected": group.expected,
        "headcount": group.headcount, "present": {str(k): v for k, v in group.present.items()},
        "attendance_rate": report.rate(group), "teachers": group.teachers, "completed": group.completed,
        "certificates": group.certificates,
    }


@router.get("/events/{event_id}/report", response={200: ReportOut, 400: ErrorOut},
            summary="Attendance numbers per district and in total (the reports page and the workbook's summary)")
def event_report(request, event_id: int, filters: Query[FilterIn]):
    role = scope.require_role(request.user)
    event = get_event(request.user, event_id)
    try:
        resolved = resolve(event, request.user, role=role, district=filters.district, tier=filters.tier,
                           roll_calls=filters.roll_calls)
    except ReportError as exc:
        return Status(400, {"detail": exc.user_message})
    report = data.build(event, resolved)
    return {
        "event_id": event.pk, "title": event.title, "covering": resolved.describe(),
        "completion_rule": report.rule_text,
        "roll_calls": [{"id": rc.id, "label": rc.label, "held": rc.held} for rc in report.roll_calls],
        "groups": [_group(report, g) for g in report.groups], "total": _group(report, report.total),
    }


class ExportIn(FilterIn):
    format: str = export.XLSX
    sheet: str = ""
    language: str = "vi"


@router.post("/events/{event_id}/exports", response={202: JobOut, 400: ErrorOut},
             summary="Start an export (xlsx workbook, or one sheet as CSV: summary, bridges, teachers); "
                     "poll /api/jobs/{id}; result_url is the download when it is done")
def start_export(request, event_id: int, payload: ExportIn):
    role = scope.require_role(request.user)
    event = get_event(request.user, event_id)
    try:
        resolved = resolve(event, request.user, role=role, district=payload.district, tier=payload.tier,
                           roll_calls=payload.roll_calls)
        job = export.start_job(event, resolved, user=request.user, fmt=payload.format, sheet=payload.sheet or None,
                               language=payload.language if payload.language in ("vi", "en") else "vi",
                               ip=client_ip(request))
    except ReportError as exc:
        return Status(400, {"detail": exc.user_message})
    job.refresh_from_db()
    return Status(202, job_out(job))


# --- Follow-up reports ------------------------------------------------------------------------------

class FollowUpFormOut(Schema):
    id: int
    event_id: int
    title: str
    instructions: str
    deadline: datetime
    closed: bool


class FollowUpFormIn(Schema):
    title: str
    deadline: datetime
    instructions: str = ""


def _form_out(form: FollowUpForm) -> dict:
    return {"id": form.pk, "event_id": form.event_id, "title": form.title, "instructions": form.instructions,
            "deadline": form.deadline, "closed": form.is_closed}


@router.get("/events/{event_id}/followups", response=list[FollowUpFormOut], summary="Follow-up reports of an event")
def list_followups(request, event_id: int):
    scope.require_role(request.user)
    event = get_event(request.user, event_id)
    return [_form_out(f) for f in FollowUpForm.objects.filter(event=event)]


@router.post("/events/{event_id}/followups", response={201: FollowUpFormOut, 400: ErrorOut},
             summary="Open a follow-up report for the invited schools (organizers)")
def open_followup(request, event_id: int, payload: FollowUpFormIn):
    scope.require_role(request.user, Role.Kind.ORGANIZER)
    event = get_event(request.user, event_id)
    try:
        form = followup.open_form(event, title=payload.title, deadline=payload.deadline,
                                  instructions=payload.instructions, request=request)
    except followup.FollowUpError as exc:
        return Status(400, {"detail": exc.user_message, "errors": exc.errors})
    return Status(201, _form_out(form))


class AnswerOut(Schema):
    students_trained: int
    classes_held: int
    teachers_led: int
    school_students: int | None
    notes: str
    submitted_by: str
    submitted_at: datetime
    updated_at: datetime
    late: bool
    has_attachment: bool


class SchoolStatusOut(Schema):
    bridge_id: int
    code: str
    name: str
    district: str
    submitted: bool
    reminders: int
    answer: AnswerOut | None


class RollupOut(Schema):
    name: str
    expected: int
    submitted: int
    late: int
    missing: int
    students: int
    classes: int
    teachers: int


class FollowUpStatusOut(Schema):
    form: FollowUpFormOut
    overdue: bool
    districts: list[RollupOut]
    total: RollupOut
    schools: list[SchoolStatusOut]


def _answer_out(answer: FollowUpAnswer | None) -> dict | None:
    if answer is None:
        return None
    return {"students_trained": answer.students_trained, "classes_held": answer.classes_held,
            "teachers_led": answer.teachers_led, "school_students": answer.school_students, "notes": answer.notes,
            "submitted_by": answer.submitted_by, "submitted_at": answer.submitted_at,
            "updated_at": answer.updated_at, "late": answer.late, "has_attachment": bool(answer.attachment)}


def _rollup(d) -> dict:
    return {"name": d.name, "expected": d.expected, "submitted": d.submitted, "late": d.late, "missing": d.missing,
            "students": d.students, "classes": d.classes, "teachers": d.teachers}


@router.get("/followups/{form_id}", response=FollowUpStatusOut,
            summary="Who has answered a follow-up report, in the caller's scope, with the rollup by district")
def followup_status(request, form_id: int):
    role = scope.require_role(request.user)
    form = get_object_or_404(FollowUpForm, pk=form_id)
    state = followup.status(form, role.scope.path if role.scope_id else None)
    return {
        "form": _form_out(form), "overdue": state.overdue, "districts": [_rollup(d) for d in state.districts],
        "total": _rollup(state.total),
        "schools": [{"bridge_id": s.bridge.pk, "code": s.bridge.code, "name": s.bridge.name,
                     "district": s.district_name, "submitted": s.submitted, "reminders": s.reminders,
                     "answer": _answer_out(s.answer)} for s in state.schools],
    }


class RemindIn(Schema):
    bridges: list[int] | None = None  # none: every school in scope that has not answered


@router.post("/followups/{form_id}/remind", response={202: JobOut, 400: ErrorOut},
             summary="E-mail the schools (in scope) that have not answered (organizers, district officers)")
def remind_followup(request, form_id: int, payload: RemindIn):
    role = scope.require_role(request.user, Role.Kind.ORGANIZER, Role.Kind.DISTRICT_OFFICER)
    form = get_object_or_404(FollowUpForm, pk=form_id)
    try:
        bridges = followup.remindable(form, role.scope.path if role.scope_id else None, payload.bridges)
        job = followup.start_reminders(form, bridges, request=request)
    except followup.FollowUpError as exc:
        return Status(400, {"detail": exc.user_message, "errors": exc.errors})
    job.refresh_from_db()
    return Status(202, job_out(job))


@router.post("/followups/{form_id}/close", response=FollowUpFormOut, summary="Stop accepting answers (organizers)")
def close_followup(request, form_id: int):
    scope.require_role(request.user, Role.Kind.ORGANIZER)
    return _form_out(followup.close_form(get_object_or_404(FollowUpForm, pk=form_id), request=request))


# --- The school's side ------------------------------------------------------------------------------

class ConsoleFormOut(FollowUpFormOut):
    answer: AnswerOut | None


class AnswerIn(Schema):
    students_trained: int | str
    classes_held: int | str
    teachers_led: int | str
    school_students: int | str | None = None
    notes: str = ""
    submitted_by: str = ""


@console_router.get("/console/{token}/followups", response={200: list[ConsoleFormOut], 404: ErrorOut},
                    summary="The follow-up reports asked of this school, with its answers")
def console_followups(request, token: str):
    bridge = bridge_by_console_token(token)
    if bridge is None:
        return Status(404, {"detail": _("This console link is not valid.")})
    forms = followup.forms_for_school(bridge)
    answers = {a.form_id: a for a in FollowUpAnswer.objects.filter(bridge=bridge, form__in=forms)}
    return Status(200, [{**_form_out(f), "answer": _answer_out(answers.get(f.pk))} for f in forms])


@console_router.post("/console/{token}/followups/{form_id}",
                     response={200: AnswerOut, 201: AnswerOut, 400: ErrorOut, 404: ErrorOut},
                     summary="Send or update the school's answer (numbers are checked; late answers are marked)")
def console_answer(request, token: str, form_id: int, payload: AnswerIn):
    bridge = bridge_by_console_token(token)
    if bridge is None:
        return Status(404, {"detail": _("This console link is not valid.")})
    form = followup.form_for_school(bridge, form_id)
    if form is None:
        return Status(404, {"detail": _("This school is not asked for this follow-up report.")})
    values = {k: ("" if v is None else str(v)) for k, v in payload.dict().items()}
    try:
        answer, created = followup.submit(form, bridge, values, request=request)
    except followup.FollowUpError as exc:
        return Status(400, {"detail": exc.user_message, "errors": exc.errors})
    return Status((201 if created else 200), _answer_out(answer))
