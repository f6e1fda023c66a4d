"""The school's side of school reports over the API: the open rounds asked of it, its draft, its submission.

The console's school-reports section saves drafts here as the coordinator types and sends submissions
through its offline queue (static/js/console_reports.js): each submission carries a nonce, so a resend
after a lost answer keeps no second submission. schoolreports.validation checks every value.
"""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from core.errors import Refused
from core.openapi import refusals
from schoolreports import services as reports
from schoolreports.api import RoundOut, round_out
from schoolreports.console import school_rounds

from .api_support import CALLER, ERRORS, Token, documented, json_body
from .auth import console_link

router = Router(tags=["console"], auth=console_link)
MAX_ANSWER_BYTES = 256 * 1024


class ConsoleRoundOut(RoundOut):
    definition: dict  # sections and fields (schoolreports.definition)
    values: dict  # what the form shows: the draft, else the last submission, else what the system knows
    status: str  # "new", "draft" or "submitted"
    late: bool
    overdue: bool
    submitted_at: datetime | None
    updated_at: datetime | None
    draft_saved_at: datetime | None
    typed_by: str


class DraftIn(Schema):
    values: dict  # as typed, one key per field (grid cells as grid__row__col)


class DraftOut(Schema):
    saved_at: datetime
    message: str


class SubmitIn(Schema):
    values: dict  # one key per field (grid cells as grid__row__col), several choices as a list
    typed_by: str = ""  # who typed it, as the coordinator gives their name
    nonce: str | None = None  # the offline queue's id of this submission: a resend is answered once


class SubmitOut(Schema):
    answer_id: int
    values: dict  # the values kept, checked
    late: bool
    submitted_at: datetime
    updated_at: datetime
    message: str  # what the console shows, in its language


def _round(bridge, round_id):
    round_ = reports.asked_round(bridge, round_id)
    if round_ is None:
        raise Refused(_("This school is not asked for this report."), code="not_found", status=404)
    return round_


@router.get("/{token}/school-reports", response={200: list[ConsoleRoundOut], **ERRORS},
            url_name="console_school_reports", summary="The open school reports asked of this school",
            description="Each open round this bridge must answer (nearest deadline first) with its form's fields "
                        "and the values the form shows: the school's draft, else its last submission, else what "
                        "the system knows (readiness test, roster, bridge record)." + CALLER)
def school_reports(request, token: Token):
    out = []
    for item in school_rounds(request.auth):
        answer = item.answer
        status = "submitted" if item.submitted else "draft" if item.has_draft else "new"
        out.append({**round_out(item.round), "definition": item.round.version.definition, "values": item.values,
                    "status": status, "late": bool(answer and answer.late), "overdue": item.overdue,
                    "submitted_at": answer.submitted_at if answer else None,
                    "updated_at": answer.updated_at if answer else None,
                    "draft_saved_at": answer.draft_saved_at if answer else None,
                    "typed_by": answer.typed_by if answer else ""})
    return out


@router.post("/{token}/school-reports/{round_id}/draft", response={200: DraftOut, **ERRORS, **refusals(409)},
            url_name="console_school_report_draft", openapi_extra=documented(DraftIn),
            summary="Keep what the school typed so far (not checked)",
            description="Saves the draft as typed, unchecked, so a reload or another device finds it; it does not "
                        "count as an answer. 409 once the round is closed." + CALLER)
def save_draft(request, token: Token, round_id: int):
    bridge = request.auth
    round_ = _round(bridge, round_id)
    data = json_body(request, MAX_ANSWER_BYTES)
    answer = reports.save_draft(round_, bridge, data.get("values"))
    return {"saved_at": answer.draft_saved_at, "message": _("Draft saved.")}


@router.post("/{token}/school-reports/{round_id}/submit", response={200: SubmitOut, 201: SubmitOut, **ERRORS,
                                                                    **refusals(409)},
             url_name="console_school_report_submit", openapi_extra=documented(SubmitIn),
             summary="Send or correct the school's answer",
             description="201 for the first submission, 200 for a correction (every submission is kept, with who "
                         "typed it). Values are checked against the form (types, required, min/max, totals that "
                         "must match, numbers the school's roster caps); a refusal names each wrong field in "
                         "`fields` with the reason. A late answer is accepted and marked; a closed round answers "
                         "409. A repeat of a `nonce` gets the first answer." + CALLER)
def submit(request, token: Token, round_id: int):
    bridge = request.auth
    round_ = _round(bridge, round_id)
    data = json_body(request, MAX_ANSWER_BYTES)
    answer, first = reports.submit_once(round_, bridge, data.get("values"), nonce=data.get("nonce"),
                                        typed_by=str(data.get("typed_by") or ""), request=request)
    if answer.late:
        message = _("Thank you. Your report was received after the deadline and is marked late.")
    else:
        message = _("Thank you. Your report was received.") if first else _("Thank you. Your report was updated.")
    return Status(201 if first else 200, {"answer_id": answer.pk, "values": answer.values, "late": answer.late,
                                          "submitted_at": answer.submitted_at, "updated_at": answer.updated_at,
                                          "message": message})


class ConsoleAttachmentOut(Schema):
    id: int  # the value to send for the field in a draft or a submission
    field: str
    name: str
    size: int  # bytes
    message: str


@router.post("/{token}/school-reports/{round_id}/files/{field_key}",
             response={200: ConsoleAttachmentOut, **ERRORS, **refusals(409)}, url_name="console_school_report_file",
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}}}}},
             summary="Attach a file to the school's answer (an attachment field)",
             description="Keeps the file (multipart, field `file`) with the school's answer for the form's "
                         "attachment field `field_key` and answers its id, which the draft or the submission "
                         "then sends as that field's value. Kinds and size as for every attachment (PDF, "
                         "pictures, office documents; 5 MB at most); a refusal names the field. 404 for a field "
                         "that is no attachment field, 409 once the round is closed." + CALLER)
def attach_file(request, token: Token, round_id: int, field_key: str):
    bridge = request.auth
    round_ = _round(bridge, round_id)
    item = reports.attach(round_, bridge, field_key, request.FILES.get("file"), request=request)
    return Status(200, {"id": item.pk, "field": item.field_key, "name": item.name, "size": item.size,
                        "message": _("File attached: %(name)s. Send the report to keep it.") % {"name": item.name}})
