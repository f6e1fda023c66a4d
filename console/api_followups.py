"""The school's side of follow-up reports over the API: the reports asked of it, and its answer.

The console's follow-up page posts its forms here (static/js/console_forms.js) as multipart form
data, since an answer may carry an attachment; other clients may send JSON. followups.services.submit sends
it to the follow-up's round of the report engine, which checks every value (schoolreports.validation:
numbers, plausibility against the roster and the school's students; the attachment's kind and size by
core.attachments) and keeps every submission.
"""

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from core.errors import Refused
from followups import services as followup
from followups.api import FollowUpAnswerOut, FollowUpFormOut, answer_out, form_out
from followups.console import school_forms

from .api_support import CALLER, ERRORS, Token, json_body
from .auth import console_link
from .links import followup_answer_url

router = Router(tags=["console"], auth=console_link)


class ConsoleFormOut(FollowUpFormOut):
    overdue: bool
    answer: FollowUpAnswerOut | None
    answer_url: str  # where to send the answer


class ConsoleAnswerOut(FollowUpAnswerOut):
    message: str  # what the page shows, in the console's language


class AnswerIn(Schema):
    students_trained: int | str
    classes_held: int | str
    teachers_led: int | str
    school_students: int | str | None = None
    notes: str = ""
    submitted_by: str = ""


def _answer_body() -> dict:
    fields = AnswerIn.model_json_schema()
    multipart = {**fields, "properties": {**fields["properties"],
                                          "attachment": {"type": "string", "format": "binary"}}}
    return {"requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": multipart}, "application/json": {"schema": fields}}}}


@router.get("/{token}/followups", response={200: list[ConsoleFormOut], **ERRORS}, url_name="console_followups",
            summary="The follow-up reports asked of this school, with its answers",
            description="Only schools invited (and not declined) to the training are asked. Latest deadline "
                        "first; `overdue` once the deadline has passed." + CALLER)
def followups(request, token: Token):
    return [{**form_out(item.form), "overdue": item.overdue, "answer": answer_out(item.answer),
             "answer_url": followup_answer_url(token, item.form.pk)} for item in school_forms(request.auth)]


@router.post("/{token}/followups/{form_id}", response={200: ConsoleAnswerOut, 201: ConsoleAnswerOut, **ERRORS},
             url_name="console_followup_answer", openapi_extra=_answer_body(),
             summary="Send or update the school's answer to a follow-up report",
             description="201 for the first answer, 200 for a correction (it replaces the first). Numbers are "
                         "checked (whole, not negative, plausible against the school's roster and students); a "
                         "late answer is accepted and marked; a closed report refuses. A refusal names each "
                         "wrong field in `fields` (\"\" for the whole form)." + CALLER)
def answer(request, token: Token, form_id: int):
    bridge = request.auth
    form = followup.form_for_school(bridge, form_id)
    if form is None:
        raise Refused(_("This school is not asked for this follow-up report."), code="not_found", status=404)
    if request.content_type == "application/json":
        values = {key: "" if value is None else str(value) for key, value in json_body(request).items()}
        attachment = None
    else:
        values, attachment = request.POST, request.FILES.get("attachment")
    saved, created = followup.submit(form, bridge, values, attachment=attachment, request=request)
    if saved.late:
        message = _("Thank you. Your report was received after the deadline and is marked late.")
    else:
        message = _("Thank you. Your report was received.") if created else _("Thank you. Your report was updated.")
    return Status(201 if created else 200, {**answer_out(saved), "message": message})

