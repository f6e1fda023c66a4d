"""Calendars and invitations over HTTP: thin views over events.calendar, invitation_pdf and invitation_jobs.

The school console's own feed and letter are console file routes (console/files.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from bridges import scope
from bridges.models import Bridge
from core.models import Job

from . import calendar, invitation_jobs
from .access import get_event
from .invitation_pdf import filename, invitation_pdf
from .models import Event, Invitation


def _ics_response(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _pdf_response(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_GET
def event_ics(request, pk: int):
    """Public for an announced event (no personal data in it); a draft only for organizers."""
    event = get_object_or_404(calendar.event_queryset(), pk=pk)
    if event.status == Event.Status.DRAFT and not scope.is_organizer(request.user):
        raise Http404
    return _ics_response(calendar.event_ics(event), f"su-kien-{event.pk}.ics")


def _event_for(user, pk: int) -> Event:
    return get_event(user, pk)


@login_required
@require_GET
def bridge_invitation_pdf(request, pk: int, code: str):
    event = _event_for(request.user, pk)
    bridge = get_object_or_404(Bridge, code=code)
    scope.require_bridge(request.user, bridge)
    invitation = get_object_or_404(Invitation.objects.select_related("event", "bridge__tier", "room"),
                                   event=event, bridge=bridge)
    return _pdf_response(invitation_pdf(invitation), filename(event, bridge))


@login_required
def invitations_page(request, pk: int):
    """Organizers: download every invitation as a ZIP, e-mail them all; others see their bridges' letters."""
    scope.require_role(request.user)
    event = _event_for(request.user, pk)
    invitations = (Invitation.objects.filter(event=event, bridge__in=scope.visible_bridges(request.user))
                   .select_related("bridge", "bridge__tier").order_by("bridge__path"))
    organizer = scope.is_organizer(request.user)
    # One progress widget per page: each include of core/_progress.html starts its own poller.
    jobs = invitation_jobs.latest_jobs(event) if organizer else Job.objects.none()
    return render(request, "events/invitation_manage.html", {
        "event": event,
        "invitations": invitations,
        "count": invitations.count(),
        "with_email": invitations.exclude(bridge__email="").count(),
        "organizer": organizer,
        "job": jobs.first(),
        "last_zip": jobs.filter(kind=invitation_jobs.PDF_JOB, status=Job.Status.DONE).exclude(result_file="").first(),
        "can_mail": event.status in (Event.Status.PUBLISHED, Event.Status.LIVE),
        "ics_url": request.build_absolute_uri(reverse("events:calendar", args=[event.pk])),
    })


def _start(request, pk: int, starter):
    event = get_event(request.user, pk, manage=True)
    try:
        starter(event, request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("events:invitation_letters", pk=event.pk)


@login_required
@require_POST
def start_zip(request, pk: int):
    return _start(request, pk, lambda event, req: invitation_jobs.start_invitation_zip(event, user=req.user))


@login_required
@require_POST
def start_emails(request, pk: int):
    attach_pdf = request.POST.get("attach_pdf") == "1"
    return _start(request, pk, lambda event, req: invitation_jobs.start_invitation_emails(
        event, user=req.user, request=req, attach_pdf=attach_pdf))

