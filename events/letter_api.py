"""HTTP API of an event's invitation letter fields (/api/events/{event_id}/invitation-letter) and its preview.

The fields and their fallbacks are events.services.letters; the PDF is events.invitation_pdf.
"""

from datetime import date

from django.http import HttpResponse
from ninja import Field, Router, Schema

from core.openapi import PDF, file_response, refusals

from .access import get_event
from .invitation_pdf import preview_pdf
from .services import letters

router = Router(tags=["invitation letter"])


class LetterOut(Schema):
    saved: bool = Field(description="False while the event uses the defaults (nothing saved yet)")
    parent_body: str
    issuer: str
    number: str
    number_pattern: str = Field(description="{seq} is `number`, {year} the letter's year, e.g. {seq}/GM-UBND")
    place: str
    dated: date | None = Field(description="Null: the day the letter is printed")
    title: str
    subject: str
    body: str
    recipients: str = Field(description="One recipient per line, printed under “Nơi nhận:”")
    signer_authority: str
    signer_title: str
    signer_name: str
    number_line: str = Field(description="The “Số: …” line as the letter prints it today")
    date_line: str = Field(description="The place and date line as the letter prints it today (Decree 30)")


class LetterPatch(Schema):
    parent_body: str | None = None
    issuer: str | None = None
    number: str | None = None
    number_pattern: str | None = None
    place: str | None = None
    dated: date | None = None
    title: str | None = None
    subject: str | None = None
    body: str | None = None
    recipients: str | None = None
    signer_authority: str | None = None
    signer_title: str | None = None
    signer_name: str | None = None


def _out(letter) -> dict:
    text = letters.resolve(letter)
    return {**{name: getattr(letter, name) for name in letters.FIELDS}, "saved": letter.pk is not None,
            "number_line": text.number, "date_line": text.date_line}


@router.get("/{event_id}/invitation-letter", response={200: LetterOut, **refusals(403, 404)},
            summary="The invitation letter's fields: issuing body, number, place and date, recipients, signer")
def get_letter(request, event_id: int):
    """The fields of the event's invitation letter (giấy mời) as an official document under Decree 30/2020:
    governing and issuing body, number pattern and number, place and date, title, summary line, body,
    recipients and signer. An empty field prints its fallback; `number_line` and `date_line` show the result.
    Any account with a role that may see the event.
    """
    return _out(letters.letter_of(get_event(request.user, event_id)))


@router.patch("/{event_id}/invitation-letter", response={200: LetterOut, **refusals(400, 403, 404)},
              summary="Change the invitation letter's fields (organizers)")
def update_letter(request, event_id: int, payload: LetterPatch):
    """Changes the letter fields sent and keeps the others; the change is written to the audit log. A number
    pattern may use only {seq} and {year} and must contain {seq} (400 otherwise, with the reason). Organizers
    only; an ended or cancelled event can no longer be changed (400).
    """
    event = get_event(request.user, event_id, manage=True)
    return _out(letters.save_letter(event, payload.dict(exclude_unset=True), request=request))


@router.post("/{event_id}/invitation-letter/preview", response={200: None, **refusals(400, 403, 404)},
             summary="Draw the invitation letter with the fields sent, without saving them (application/pdf)",
             openapi_extra=file_response(PDF, description="The letter for the first invited bridge."))
def preview_letter(request, event_id: int, payload: LetterPatch):
    """Draws the letter as it would print with the fields sent applied over the saved ones, for the first
    invited bridge (or a sample school) and a sample console link: nothing is saved and no bridge's secret
    link is shown. Send an empty body to see the saved letter. Organizers only.
    """
    event = get_event(request.user, event_id, manage=True)
    letter = letters.with_values(letters.letter_of(event), payload.dict(exclude_unset=True))
    response = HttpResponse(preview_pdf(event, letter), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="xem-truoc-giay-moi.pdf"'
    return response
