"""API: school reports (mounted at /api/school-reports/ by config/api.py). The school's side is the
console's API (/api/console/{token}/school-reports, console/api_schoolreports.py).

/api/school-reports/templates[/{key}/copy]             the shipped forms, copied into an editable one
/api/school-reports/forms[/{id}]                       forms and their fields (organizers change them)
/api/school-reports/forms/import, /forms/{id}/xlsform  XLSForm in and out
/api/school-reports/forms/{id}/rounds|series           publish a round, or a weekly/monthly series
/api/school-reports/rounds[/{id}]                      rounds; one round's rollup in the caller's scope
/api/school-reports/rounds/{id}/remind|close|answers/{bridge_id}
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Router, Schema, Status, UploadedFile

from bridges import scope
from bridges.models import Bridge, Role
from core.api import JobOut, job_out
from core.openapi import file_response, refusals

from . import catalogue, reminders, services, xlsform
from .access import get_form, get_round, require_organizer, require_reader
from .models import Audience, ReportAnswer, ReportForm, ReportRound
from .rollup import rollup

router = Router(tags=["school reports"])


class TemplateOut(Schema):
    key: str
    title: str


class FormOut(Schema):
    id: int
    title: str
    description: str
    template_key: str
    version: int
    fields: int
    updated_at: datetime


class FormDetailOut(FormOut):
    definition: dict  # {"sections": [{key, title, help, fields: [...]}]}, see schoolreports.definition


class FormIn(Schema):
    title: str
    description: str = ""
    definition: dict | None = None  # none: one empty section


class ImportOut(Schema):
    form: FormDetailOut
    warnings: list[str]


class RoundOut(Schema):
    id: int
    form_id: int
    title: str
    version: int
    opens_at: datetime
    deadline: datetime
    closes_at: datetime | None
    closed: bool
    audience: str
    audience_text: str
    audience_event_id: int | None  # audience "invitees": the event whose invitees answer
    series_id: int | None


class RoundIn(Schema):
    title: str = ""
    deadline: datetime
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    audience: str = Audience.Kind.ALL  # all | districts | tier | list | invitees
    districts: list[str] = []  # codes of intermediate bridges (audience "districts")
    tier: str | None = None  # a tier's code (audience "tier")
    bridges: list[str] = []  # bridge codes (audience "list")
    event: int | None = None  # an event's id (audience "invitees": the bridges invited and not declined)


class SeriesIn(Schema):
    title: str = ""
    frequency: str  # weekly | monthly
    starts_on: date
    ends_on: date | None = None
    due_days: int = 5  # the deadline: this many days after the period's last day
    due_hour: int = 17
    audience: str = Audience.Kind.ALL
    districts: list[str] = []
    tier: str | None = None
    bridges: list[str] = []
    event: int | None = None


class SeriesOut(Schema):
    id: int
    form_id: int
    title: str
    frequency: str
    starts_on: date
    ends_on: date | None
    due_days: int
    due_hour: int
    active: bool
    opened: list[RoundOut]  # the rounds opened now (the current period's, if due)


class ColumnOut(Schema):
    key: str
    label: str
    group: str
    kind: str


class TotalsOut(Schema):
    name: str
    expected: int
    submitted: int
    late: int
    missing: int
    drafts: int
    numbers: list[int | float]  # one per column, summed over the submitted answers


class SchoolOut(Schema):
    bridge_id: int
    code: str
    name: str
    district: str
    phone: str
    status: str  # missing | draft | submitted
    late: bool
    submitted_at: datetime | None
    reminders: int
    numbers: list[int | float | None]  # one per column; null where not answered


class RollupOut(Schema):
    round: RoundOut
    overdue: bool
    columns: list[ColumnOut]
    districts: list[TotalsOut]
    total: TotalsOut
    schools: list[SchoolOut]


class SubmissionOut(Schema):
    at: datetime
    typed_by: str
    actor_label: str
    late: bool
    values: dict


class ReportAttachmentOut(Schema):
    id: int
    field: str
    name: str
    size: int  # bytes
    uploaded_at: datetime
    url: str  # the download (GET /api/school-reports/attachments/{id})


class AnswerOut(Schema):
    bridge_id: int
    status: str
    late: bool
    values: dict
    typed_by: str
    submitted_at: datetime | None
    updated_at: datetime | None
    version: int
    submissions: list[SubmissionOut]
    attachments: list[ReportAttachmentOut]  # files the school attached (an attachment field's value is one's id)


class RemindIn(Schema):
    bridges: list[int] | None = None  # none: every school of the caller's scope that has not submitted


def form_out(form: ReportForm, *, detail: bool = False) -> dict:
    version = form.latest_version()
    out = {"id": form.pk, "title": form.title, "description": form.description, "template_key": form.template_key,
           "version": version.number, "fields": len([f for s in version.definition.get("sections", [])
                                                      for f in s.get("fields", [])]),
           "updated_at": form.updated_at}
    if detail:
        out["definition"] = version.definition
    return out


def round_out(round_: ReportRound) -> dict:
    from django.utils import timezone

    return {"id": round_.pk, "form_id": round_.form_id, "title": round_.title, "version": round_.version.number,
            "opens_at": round_.opens_at, "deadline": round_.deadline, "closes_at": round_.closes_at,
            "closed": round_.is_closed(timezone.now()), "audience": round_.audience,
            "audience_text": services.audience_text(round_), "audience_event_id": round_.audience_event_id,
            "series_id": round_.series_id}


def _audience_args(request, payload) -> dict:
    found = services.audience_from_codes(districts=payload.districts, tier=payload.tier, bridges=payload.bridges,
                                         event=payload.event, user=request.user)
    return {"audience": payload.audience, **found}


@router.get("/templates", response={200: list[TemplateOut], **refusals(403)}, summary="The shipped report forms")
def templates(request):
    """The report forms shipped with the product (device needs by level and category, online-teaching
    readiness review, replication results). Copy one to get an editable form. Any account with a role."""
    require_reader(request.user)
    return [{"key": key, "title": str(title)} for key, title in catalogue.TEMPLATES.items()]


@router.post("/templates/{key}/copy", response={201: FormDetailOut, **refusals(403, 404)},
             summary="Copy a shipped form into an editable one (organizers)")
def copy_template(request, key: str):
    """Creates a form from a shipped template, in the caller's language; it is the province's own to edit from
    then on. Organizers only; written to the audit log."""
    require_organizer(request.user)
    return Status(201, form_out(services.copy_template(key, request=request), detail=True))


@router.get("/forms", response={200: list[FormOut], **refusals(403)}, summary="Report forms")
def list_forms(request):
    """Every report form, the latest changed first, with its current version and number of fields."""
    require_reader(request.user)
    return [form_out(f) for f in ReportForm.objects.all()]


@router.post("/forms", response={201: FormDetailOut, **refusals(400, 403)}, summary="Create a form (organizers)")
def create_form(request, payload: FormIn):
    """Creates a form with a title and, optionally, its sections and fields (see `definition` in the form's
    answer). Every wrong place of the definition is named in `fields` ("sections.0.fields.2.max")."""
    require_organizer(request.user)
    form = services.create_form(title=payload.title, description=payload.description, definition=payload.definition,
                                request=request)
    return Status(201, form_out(form, detail=True))


# Before /forms/{form_id}: that route would otherwise take "import".
@router.post("/forms/import", response={201: ImportOut, **refusals(400, 403)},
             summary="Create a form from an XLSForm workbook (organizers)")
def import_xlsform(request, file: File[UploadedFile]):
    """Reads an XLSForm (.xlsx, as ODK and KoboToolbox write it) with pyxform: integer, decimal, text,
    select_one, select_multiple, date, begin/end group (a section; a group of integers named ROW__COLUMN is
    a grid). Anything else (begin repeat, calculate, geopoint, relevant...) is refused by name with its row,
    and nothing is created. Phone metadata (start, end, today...) is skipped with a warning."""
    require_organizer(request.user)
    imported = xlsform.read(file.read(xlsform.MAX_BYTES + 1), filename=file.name or "form.xlsx")
    form = services.create_form(title=imported.title, definition=imported.definition, request=request,
                                action="schoolreport.form_import")
    return Status(201, {"form": form_out(form, detail=True), "warnings": imported.warnings})


@router.get("/forms/{form_id}", response={200: FormDetailOut, **refusals(403, 404)}, summary="A form and its fields")
def form_detail(request, form_id: int):
    """The form with its latest version's sections and fields, as the designer and the schools see them. Any
    account with a role; 404 for an unknown form."""
    return form_out(get_form(request.user, form_id), detail=True)


@router.put("/forms/{form_id}", response={200: FormDetailOut, **refusals(400, 403, 404)},
            summary="Change a form's title and fields (organizers)")
def update_form(request, form_id: int, payload: FormIn):
    """Changes the title and description and, when given, replaces the fields. While nobody has answered the
    latest version it is changed in place; once someone has (a draft counts), a new version is made, answers
    keep theirs and rounds nobody has answered yet move to the new one. Field types: integer, decimal, text,
    choice, multi_choice, yes_no, date, grid, file (an attachment the school uploads from its console); number
    rules: min, max, total_equals and max_field (another number field this one may not exceed), positive_when
    (another number field: when it is above 0 this one may not be 0), max_from (what
    the system knows of the school). A wrong place answers 400 naming it (`sections.0.fields.2.max_field`)."""
    form = get_form(request.user, form_id, manage=True)
    services.update_form(form, title=payload.title, description=payload.description, request=request)
    if payload.definition is not None:
        services.save_definition(form, payload.definition, request=request)
    return form_out(form, detail=True)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/forms/{form_id}/xlsform", response={200: None, **refusals(403, 404)},
            openapi_extra=file_response(XLSX, description="The form as an XLSForm workbook"),
            summary="The form as an XLSForm workbook")
def export_xlsform(request, form_id: int):
    """The latest version as an XLSForm (survey, choices, settings sheets) that pyxform, ODK and KoboToolbox
    read. Grids are groups of integers named ROW__COLUMN labelled "Row / Column"."""
    form = get_form(request.user, form_id)
    version = form.latest_version()
    data = xlsform.write(form.title, version.definition, form_id=f"bao_cao_{form.pk}", version=version.number)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="xlsform-{form.pk}.xlsx"'
    return response


@router.post("/forms/{form_id}/rounds", response={201: RoundOut, **refusals(400, 403, 404)},
             summary="Publish a round: who must answer, by when (organizers)")
def publish_round(request, form_id: int, payload: RoundIn):
    """Asks the chosen schools for the form's latest version: every school, the schools of some districts (their
    codes), the bridges of a tier (its code), a list of bridge codes, or the schools invited to an event that did
    not decline (`audience` "invitees", the event's id in `event`; an event the caller may see). Late answers are accepted and marked
    until the round closes (by hand, or at `closes_at`). A missing or past deadline answers 400, naming it."""
    form = get_form(request.user, form_id, manage=True)
    round_ = services.publish_round(form, title=payload.title, deadline=payload.deadline, opens_at=payload.opens_at,
                                    closes_at=payload.closes_at, request=request, **_audience_args(request, payload))
    return Status(201, round_out(round_))


@router.post("/forms/{form_id}/series", response={201: SeriesOut, **refusals(400, 403, 404)},
             summary="Repeat a form weekly or monthly (organizers)")
def create_series(request, form_id: int, payload: SeriesIn):
    """Each week (Monday to Sunday) or calendar month gets its own round, with its deadline `due_days` after the
    period's last day at `due_hour`. The current period's round opens now; later ones are opened by
    `manage.py open_report_rounds` (run it daily) or `POST /series/open-due`."""
    form = get_form(request.user, form_id, manage=True)
    series = services.create_series(form, title=payload.title, frequency=payload.frequency,
                                    starts_on=payload.starts_on, ends_on=payload.ends_on, due_days=payload.due_days,
                                    due_hour=payload.due_hour, request=request, **_audience_args(request, payload))
    opened = [r for r in services.open_due_rounds() if r.series_id == series.pk]
    return Status(201, {"id": series.pk, "form_id": form.pk, "title": series.title, "frequency": series.frequency,
                        "starts_on": series.starts_on, "ends_on": series.ends_on, "due_days": series.due_days,
                        "due_hour": series.due_hour, "active": series.active,
                        "opened": [round_out(r) for r in opened]})


@router.post("/series/open-due", response={200: list[RoundOut], **refusals(403)},
             summary="Open the current period's round of every series that lacks it (organizers)")
def open_due(request):
    """What `manage.py open_report_rounds` does: a round per active series for the current week or month, if it
    is not open yet. Calling it twice opens nothing more."""
    require_organizer(request.user)
    return [round_out(r) for r in services.open_due_rounds()]


@router.get("/rounds", response={200: list[RoundOut], **refusals(403)}, summary="Rounds of school reports")
def list_rounds(request):
    """Every round of school reports, the latest deadline first, with its form version, audience and deadline.
    Any account with a role."""
    require_reader(request.user)
    return [round_out(r) for r in ReportRound.objects.select_related("version", "audience_tier", "audience_event")
            .prefetch_related("audience_bridges")]


def rollup_out(state) -> dict:
    def totals(t):
        return {"name": t.name, "expected": t.expected, "submitted": t.submitted, "late": t.late,
                "missing": t.missing, "drafts": t.drafts, "numbers": t.plain_numbers()}

    return {
        "round": round_out(state.round), "overdue": state.overdue,
        "columns": [{"key": c.key, "label": c.label, "group": c.group, "kind": c.kind} for c in state.columns],
        "districts": [totals(t) for t in state.districts], "total": totals(state.total),
        "schools": [{"bridge_id": s.bridge.pk, "code": s.bridge.code, "name": s.bridge.name,
                     "district": s.district_name, "phone": s.bridge.contact_phone,
                     "status": "submitted" if s.submitted else "draft" if s.has_draft else "missing",
                     "late": bool(s.submitted and s.answer.late),
                     "submitted_at": s.answer.submitted_at if s.answer else None, "reminders": s.reminders,
                     "numbers": s.numbers} for s in state.schools],
    }


@router.get("/rounds/{round_id}", response={200: RollupOut, **refusals(403, 404)}, url_name="school_report_rollup",
            summary="Who has answered a round, in the caller's scope, and the totals by district")
def round_rollup(request, round_id: int, district: int | None = None):
    """Each school of the caller's scope (a district officer: their district only) with its status, late mark,
    phone and numbers, the numbers added up per district and in total (one per column: number fields, grid
    cells and grid totals, "yes" counts, option counts). `district` (an intermediate bridge's id) narrows it."""
    round_ = get_round(request.user, round_id)
    role = scope.require_role(request.user)
    return rollup_out(rollup(round_, scope.scope_path_of(role), district_id=district))


@router.get("/rounds/{round_id}/answers/{bridge_id}", response={200: AnswerOut, **refusals(403, 404)},
            summary="One school's answer with every submission")
def round_answer(request, round_id: int, bridge_id: int):
    """The school's answer and each of its submissions (who typed it, from which console, when, late or not).
    Only for a school in the caller's scope."""
    round_ = get_round(request.user, round_id)
    bridge = get_object_or_404(Bridge, pk=bridge_id)
    scope.require_bridge(request.user, bridge)
    answer = get_object_or_404(ReportAnswer.objects.select_related("version"), round=round_, bridge=bridge)
    return {"bridge_id": bridge.pk, "status": answer.status, "late": answer.late, "values": answer.values,
            "typed_by": answer.typed_by, "submitted_at": answer.submitted_at, "updated_at": answer.updated_at,
            "version": answer.version.number,
            "submissions": [{"at": s.at, "typed_by": s.typed_by, "actor_label": s.actor_label, "late": s.late,
                             "values": s.values} for s in answer.submissions.all()],
            "attachments": [attachment_out(a) for a in answer.attachments.all()]}


def attachment_out(item) -> dict:
    return {"id": item.pk, "field": item.field_key, "name": item.name, "size": item.size,
            "uploaded_at": item.uploaded_at, "url": reverse("api:school_report_attachment", args=[item.pk])}


@router.get("/attachments/{attachment_id}", response={200: None, **refusals(403, 404)},
            url_name="school_report_attachment",
            openapi_extra=file_response("application/octet-stream", description="The file the school attached"),
            summary="A file a school attached to its answer")
def attachment(request, attachment_id: int):
    """The file as the school sent it (its name kept), for an account whose scope covers the school; 404 for
    any other school's file."""
    item = services.attachment_for(request.user, attachment_id)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


@router.post("/rounds/{round_id}/remind", response={202: JobOut, **refusals(400, 403, 404)},
             summary="E-mail the schools (in scope) that have not answered (organizers, district officers)")
def remind(request, round_id: int, payload: RemindIn):
    """Starts a background job that e-mails the chosen schools, or every school of the caller's scope that has
    not submitted; a school reminded less than REMINDER_COOLDOWN_MINUTES ago is skipped (400 when all are).
    Schools without e-mail are listed in the job's result: phone them. Officials are refused (403)."""
    round_ = get_round(request.user, round_id)
    role = scope.require_role(request.user, Role.Kind.ORGANIZER, Role.Kind.DISTRICT_OFFICER)
    bridges = reminders.remindable(round_, scope.scope_path_of(role), payload.bridges)
    job = reminders.start_reminders(round_, bridges, request=request)
    job.refresh_from_db()
    return Status(202, job_out(job))


@router.post("/rounds/{round_id}/close", response={200: RoundOut, **refusals(403, 404)},
             summary="Stop accepting answers (organizers)")
def close(request, round_id: int):
    """Closes the round: schools can no longer send or correct an answer. Closing twice changes nothing."""
    return round_out(services.close_round(get_round(request.user, round_id, manage=True), request=request))
