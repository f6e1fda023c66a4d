"""API: follow-up reports (mounted at /api/attendance/ by config/api.py). The school's side is the
console's API (/api/console/{token}/followups, console/api_followups.py).

/api/attendance/events/{id}/followups        list / open follow-up reports
/api/attendance/followups/{id}               who answered, rollup by district
/api/attendance/followups/{id}/remind|close
"""

from datetime import datetime

from ninja import Router, Schema, Status

from bridges import scope
from bridges.models import Role
from core import confirm
from core.api import JobOut, job_out
from core.openapi import refusals
from events.access import get_event

from . import services as followup
from .access import get_form
from .models import FollowUpForm

router = Router(tags=["follow-up reports"])


class FollowUpFormOut(Schema):
    id: int
    event_id: int
    title: str
    instructions: str
    deadline: datetime
    closed: bool
    # The report engine's round its answers are kept in (/api/school-reports/rounds/{id}).
    round_id: int | None


class FollowUpFormIn(Schema):
    title: str
    deadline: datetime
    instructions: str = ""


def form_out(form: FollowUpForm) -> dict:
    return {"id": form.pk, "event_id": form.event_id, "title": form.title, "instructions": form.instructions,
            "deadline": form.due, "closed": form.is_closed, "round_id": form.round_id}


@router.get("/events/{event_id}/followups", response={200: list[FollowUpFormOut], **refusals(403, 404)},
            summary="Follow-up reports of an event")
def list_followups(request, event_id: int):
    """The follow-up reports (báo cáo) asked of the schools after the event, with their deadline and whether
    they are closed. Any account with a role.
    """
    scope.require_role(request.user)
    event = get_event(request.user, event_id)
    return [form_out(f) for f in FollowUpForm.objects.filter(event=event).select_related("round")]


@router.post("/events/{event_id}/followups", response={201: FollowUpFormOut, **refusals(400, 403, 404)},
             summary="Open a follow-up report for the invited schools (organizers)")
def open_followup(request, event_id: int, payload: FollowUpFormIn):
    """Opens a follow-up report that every invited school that did not decline answers on its console by the
    deadline (students trained, classes held, teachers who led, an optional attachment). Its answers are kept by
    the report engine, in a round (`round_id`) opened from the shipped "replication results" template. A missing
    title, a deadline in the past, or a draft or cancelled event answers 400, naming the field. Organizers only.
    """
    scope.require_role(request.user, Role.Kind.ORGANIZER)
    event = get_event(request.user, event_id)
    form = followup.open_form(event, title=payload.title, deadline=payload.deadline,
                              instructions=payload.instructions, request=request)
    return Status(201, form_out(form))


class FollowUpAnswerOut(Schema):
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
    answer: FollowUpAnswerOut | None


class FollowUpRollupOut(Schema):
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
    districts: list[FollowUpRollupOut]
    total: FollowUpRollupOut
    schools: list[SchoolStatusOut]


def answer_out(answer: followup.FollowUpResult | None) -> dict | None:
    if answer is None:
        return None
    return {"students_trained": answer.students_trained, "classes_held": answer.classes_held,
            "teachers_led": answer.teachers_led, "school_students": answer.school_students, "notes": answer.notes,
            "submitted_by": answer.submitted_by, "submitted_at": answer.submitted_at,
            "updated_at": answer.updated_at, "late": answer.late, "has_attachment": answer.attachment is not None}


def _rollup(d) -> dict:
    return {"name": d.name, "expected": d.expected, "submitted": d.submitted, "late": d.late, "missing": d.missing,
            "students": d.students, "classes": d.classes, "teachers": d.teachers}


@router.get("/followups/{form_id}", response={200: FollowUpStatusOut, **refusals(403, 404)},
            summary="Who has answered a follow-up report, in the caller's scope, with the rollup by district")
def followup_status(request, form_id: int):
    """Who has answered one follow-up report: each school of the caller's scope with its answer (late ones
    marked) and the reminders sent, and the numbers added up per district and in total. Any account with a
    role.
    """
    form = get_form(request.user, form_id)
    role = scope.require_role(request.user)
    state = followup.status(form, scope.scope_path_of(role))
    return {
        "form": form_out(form), "overdue": state.overdue, "districts": [_rollup(d) for d in state.districts],
        "total": _rollup(state.total),
        "schools": [{"bridge_id": s.bridge.pk, "code": s.bridge.code, "name": s.bridge.name,
                     "district": s.district_name, "submitted": s.submitted, "reminders": s.reminders,
                     "answer": answer_out(s.answer)} for s in state.schools],
    }


class FollowUpRemindIn(Schema):
    bridges: list[int] | None = None  # none: every school in scope that has not answered
    # The number of e-mails the caller expects sent now (core.confirm); another number answers 409.
    expected: int | None = None


@router.post("/followups/{form_id}/remind", response={202: JobOut, **refusals(400, 403, 404, 409)},
             summary="E-mail the schools (in scope) that have not answered (organizers, district officers)")
def remind_followup(request, form_id: int, payload: FollowUpRemindIn):
    """Starts a background job that e-mails a reminder to the chosen schools, or to every school of the
    caller's scope that has not answered; 400 when every chosen school has answered. E-mails cannot be called
    back: pass `expected` (schools with an address not reminded within the cooldown) to be answered 409
    `count_changed`, sending nothing, when it differs. Organizers and district officers; officials are
    refused (403).
    """
    form = get_form(request.user, form_id)
    role = scope.require_role(request.user, Role.Kind.ORGANIZER, Role.Kind.DISTRICT_OFFICER)
    bridges = followup.remindable(form, scope.scope_path_of(role), payload.bridges)
    if payload.expected is not None:
        confirm.require_expected(payload.expected, followup.reminder_preview(form, bridges)["mailed"])
    job = followup.start_reminders(form, bridges, request=request)
    job.refresh_from_db()
    return Status(202, job_out(job))


@router.post("/followups/{form_id}/close", response={200: FollowUpFormOut, **refusals(403, 404)},
             summary="Stop accepting answers (organizers)")
def close_followup(request, form_id: int):
    """Closes the follow-up report: schools can no longer send or correct an answer. Closing twice changes
    nothing. Organizers only; written to the audit log.
    """
    return form_out(followup.close_form(get_form(request.user, form_id, manage=True), request=request))
