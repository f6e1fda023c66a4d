"""HTTP API of calendars and invitation letters: the bulk jobs (ZIP of PDFs, e-mails) and single files."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from bridges import scope
from bridges.models import Bridge
from core.api import JobOut, job_out
from core.errors import ErrorOut

from . import calendar, invitation_jobs
from .access import get_event
from .invitation_pdf import filename, invitation_pdf
from .models import Event, Invitation

router = Router(tags=["calendars and invitations"])


class EmailJobIn(Schema):
    attach_pdf: bool = True


def _event(request, event_id: int) -> Event:
    return get_event(request.user, event_id)


@router.post("/{event_id}/invitation-letters/zip", response={202: JobOut, 400: ErrorOut},
             summary="Start generating every invited bridge's invitation PDF as one ZIP (job with progress)")
def start_zip(request, event_id: int):
    event = get_event(request.user, event_id, manage=True)
    try:
        job = invitation_jobs.start_invitation_zip(event, user=request.user)
    except ValidationError as refused:
        return Status(400, {"detail": " ".join(refused.messages)})
    return Status(202, job_out(job))


@router.post("/{event_id}/invitation-letters/email", response={202: JobOut, 400: ErrorOut},
             summary="Start e-mailing the invitations (.ics METHOD:REQUEST, optionally the PDF) to invited bridges")
def start_emails(request, event_id: int, payload: EmailJobIn):
    event = get_event(request.user, event_id, manage=True)
    try:
        job = invitation_jobs.start_invitation_emails(event, user=request.user, request=request,
                                                      attach_pdf=payload.attach_pdf)
    except ValidationError as refused:
        return Status(400, {"detail": " ".join(refused.messages)})
    return Status(202, job_out(job))


@router.get("/{event_id}/invitation-letters/{bridge_code}/pdf", response={200: None},
            summary="One bridge's invitation letter (application/pdf)")
def letter_pdf(request, event_id: int, bridge_code: str):
    event = _event(request, event_id)
    bridge = get_object_or_404(Bridge, code=bridge_code)
    scope.require_bridge(request.user, bridge)
    invitation = get_object_or_404(Invitation.objects.select_related("event", "bridge__tier", "room"),
                                   event=event, bridge=bridge)
    response = HttpResponse(invitation_pdf(invitation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(event, bridge)}"'
    return response


@router.get("/{event_id}/calendar.ics", response={200: None}, auth=None,
            summary="The event as an iCalendar file (public once published; drafts for organizers)")
def event_ics(request, event_id: int):
    event = get_object_or_404(calendar.event_queryset(), pk=event_id)
    if event.status == Event.Status.DRAFT and not scope.is_organizer(request.user):
        raise Http404
    return HttpResponse(calendar.event_ics(event), content_type=calendar.CONTENT_TYPE)
