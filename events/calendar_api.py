"""HTTP API of calendars and invitation letters: the bulk jobs (ZIP of PDFs, e-mails) and single files."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from bridges import scope
from bridges.models import Bridge
from core import confirm
from core.api import JobOut, job_out
from core.openapi import ICS, PDF, file_response, refusals

from . import calendar, cancellation, invitation_jobs, services
from .access import get_event
from .invitation_pdf import filename, invitation_pdf
from .models import Event, Invitation

router = Router(tags=["calendars and invitations"])


class EmailJobIn(Schema):
    attach_pdf: bool = True
    # The number of e-mails the caller expects sent (core.confirm); another number answers 409.
    expected: int | None = None


def _event(request, event_id: int) -> Event:
    return get_event(request.user, event_id)


@router.post("/{event_id}/invitation-letters/zip", response={202: JobOut, **refusals(400, 403, 404, 429)},
             summary="Start generating every invited bridge's invitation letter PDF as one ZIP (job with progress)")
def start_zip(request, event_id: int):
    """Starts a background job that writes the invitation letter (giấy mời) of every invited bridge as a PDF
    and packs them in one ZIP; poll /api/jobs/{id} and download the file from /api/jobs/{id}/file when it is
    done. Organizers only; an event with no invited bridge answers 400; 429 while the caller's previous heavy
    job runs or past the daily number (core.jobs.limits).
    """
    event = get_event(request.user, event_id, manage=True)
    try:
        job = invitation_jobs.start_invitation_zip(event, user=request.user)
    except ValidationError as refused:
        return Status(400, {"detail": " ".join(refused.messages)})
    return Status(202, job_out(job))


@router.post("/{event_id}/invitation-letters/email", response={202: JobOut, **refusals(400, 403, 404, 409, 429)},
             summary="Start e-mailing the invitations (.ics METHOD:REQUEST, optionally the letter PDF) to invited bridges")
def start_emails(request, event_id: int, payload: EmailJobIn):
    """Starts a background job that e-mails every invited bridge with an address its invitation as a calendar
    request (.ics, METHOD:REQUEST), with its letter attached as PDF unless `attach_pdf` is false. Organizers
    only; 400 when no invited bridge has an e-mail address; 429 as for the letters ZIP (core.jobs.limits).
    E-mails cannot be called back: pass `expected` (invited bridges with an address, declined ones aside) to
    be answered 409 `count_changed`, sending nothing, when it differs.
    """
    event = get_event(request.user, event_id, manage=True)
    if payload.expected is not None:
        confirm.require_expected(payload.expected, invitation_jobs.mail_counts(event)["mailed"])
    try:
        job = invitation_jobs.start_invitation_emails(event, user=request.user, request=request,
                                                      attach_pdf=payload.attach_pdf)
    except ValidationError as refused:
        return Status(400, {"detail": " ".join(refused.messages)})
    return Status(202, job_out(job))


@router.get("/{event_id}/invitation-letters/{bridge_code}/pdf", response={200: None, **refusals(403, 404)},
            summary="One bridge's invitation letter (application/pdf)",
            openapi_extra=file_response(PDF, description="The invitation letter, shown inline."))
def letter_pdf(request, event_id: int, bridge_code: str):
    """One invited bridge's invitation letter as a PDF, shown in the browser. Any account with a role whose
    scope covers the bridge (403 otherwise); 404 for a bridge that is not invited, or an event the caller
    may not see.
    """
    event = _event(request, event_id)
    bridge = get_object_or_404(Bridge, code=bridge_code)
    scope.require_bridge(request.user, bridge)
    invitation = get_object_or_404(Invitation.objects.select_related("event", "bridge__tier", "room"),
                                   event=event, bridge=bridge)
    response = HttpResponse(invitation_pdf(invitation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(event, bridge)}"'
    return response


@router.get("/{event_id}/calendar.ics", response={200: None, **refusals(404)}, auth=None,
            summary="The event as an iCalendar file (public once published; drafts for organizers)",
            openapi_extra=file_response(ICS, description="The event as an iCalendar (RFC 5545) file."))
def event_ics(request, event_id: int):
    """The event as an iCalendar file (METHOD:PUBLISH, placed at the host bridge, no personal data) to add to a
    calendar program. Public, without logging in, once the event is published; a draft is a 404 to everyone
    but organizers.
    """
    event = get_object_or_404(calendar.event_queryset(), pk=event_id)
    if event.status == Event.Status.DRAFT and not scope.is_organizer(request.user):
        raise Http404
    return HttpResponse(calendar.event_ics(event), content_type=calendar.CONTENT_TYPE)


# HEAD is answered like GET without its body (RFC 9110 9.3.2; the server drops the body), as calendar apps
# and link checkers ask before subscribing. Left out of the schema: HEAD is implied by every GET there.
router.add_api_operation("/{event_id}/calendar.ics", ["HEAD"], event_ics, auth=None,
                         response={200: None, **refusals(404)}, include_in_schema=False)


class CancelOut(Schema):
    event_id: int
    status: str
    sequence: int
    cancellation_job: JobOut | None = None


@router.post("/{event_id}/cancel", response={200: CancelOut, **refusals(400, 403, 404)},
             summary="Cancel an event and mail the calendar cancellation (METHOD:CANCEL) to invited bridges")
def cancel_event(request, event_id: int):
    """Cancels the event (organizers; 400 once it has ended or was cancelled already) and, when it had been
    published, starts a background job that e-mails every invited bridge with an address a calendar
    cancellation: an .ics with METHOD:CANCEL, the event's UID, its raised SEQUENCE and STATUS:CANCELLED.
    `cancellation_job` is that job (poll /api/jobs/{id}), or null when nobody was to be mailed.
    Moving the status to "cancelled" through /api/events/{id}/status does the same.
    """
    event = get_event(request.user, event_id, manage=True)
    event = services.set_status(event, Event.Status.CANCELLED, request=request)
    job = cancellation.latest_job(event)
    return Status(200, {"event_id": event.pk, "status": event.status, "sequence": event.sequence,
                        "cancellation_job": job_out(job) if job is not None else None})
