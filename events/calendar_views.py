"""Calendars and invitations over HTTP: thin views over events.calendar, invitation_pdf and invitation_jobs.

The school console's own feed and letter are console file routes (console/files.py)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from bridges import scope, search
from bridges.models import Bridge
from core import confirm
from core.confirm import Confirmation
from core.errors import Refused
from core.models import Job
from core.text import clean_text

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


@require_safe  # GET and HEAD: calendar apps and link checkers ask HEAD before subscribing
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


LETTERS_PER_PAGE = 50


@login_required
def invitations_page(request, pk: int):
    """Organizers: download every invitation as a ZIP, e-mail them all; others see their bridges' letters.

    The letters per bridge are paged and searched by code or name (bridges.search, with or without marks)."""
    scope.require_role(request.user)
    event = _event_for(request.user, pk)
    invitations = (Invitation.objects.filter(event=event, bridge__in=scope.visible_bridges(request.user))
                   .select_related("bridge", "bridge__tier").order_by("bridge__path"))
    query = clean_text(request.GET.get("q"))
    found = search.filter_queryset(invitations, query, bridge_field="bridge")
    page = Paginator(found, LETTERS_PER_PAGE).get_page(request.GET.get("page"))
    organizer = scope.is_organizer(request.user)
    # One progress widget per page: each include of core/_progress.html starts its own poller.
    jobs = invitation_jobs.latest_jobs(event) if organizer else Job.objects.none()
    return render(request, "events/invitation_manage.html", {
        "event": event,
        "page": page,
        "query": query,
        "query_string": urlencode({"q": query}) if query else "",
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
    except Refused as exc:  # a person's job limits (core.jobs.limits)
        messages.error(request, exc.message)
    return redirect(_letters_url(event))


def _letters_url(event: Event) -> str:
    return reverse("events:invitation_letters", args=[event.pk]) + "#letters-actions"


@login_required
@require_http_methods(["GET", "POST"])
def start_zip(request, pk: int):
    event = get_event(request.user, pk, manage=True)
    count = event.invitations.count()
    if count and confirm.must_ask(request, count):
        n = confirm.number(count)
        return confirm.ask(request, Confirmation(
            title=_("Generate all letters"), count=count,
            summary=ngettext("%(n)s invitation letter (PDF) will be drawn, in one ZIP file.",
                             "%(n)s invitation letters (PDF) will be drawn, one per invited bridge, in one ZIP file.",
                             count) % {"n": n},
            consequence=_("Nothing is sent and nothing changes: the ZIP is for printing or sending yourself. "
                          "Drawing the letters takes a while; each carries its school's secret console link."),
            action_url=request.path, cancel_url=_letters_url(event), section="letters-actions",
            button=ngettext("Generate %(n)s letter", "Generate %(n)s letters", count) % {"n": n},
        ))
    return _start(request, pk, lambda event, req: invitation_jobs.start_invitation_zip(event, user=req.user))


@login_required
@require_http_methods(["GET", "POST"])
def start_emails(request, pk: int):
    attach_pdf = request.POST.get("attach_pdf") == "1"
    event = get_event(request.user, pk, manage=True)
    counts = invitation_jobs.mail_counts(event)
    mailable = event.status in (Event.Status.PUBLISHED, Event.Status.LIVE)
    if mailable and counts["mailed"] and confirm.must_ask(request, counts["mailed"]):
        return confirm.ask(request, _emails_confirmation(request, event, counts, attach_pdf))
    return _start(request, pk, lambda event, req: invitation_jobs.start_invitation_emails(
        event, user=req.user, request=req, attach_pdf=attach_pdf))


def _emails_confirmation(request, event: Event, counts: dict, attach_pdf: bool) -> Confirmation:
    count = counts["mailed"]
    n = confirm.number(count)
    notes = []
    if counts["no_email"]:
        notes.append(ngettext("%(n)s invited bridge has no e-mail address and gets nothing: give it its letter "
                              "another way.", "%(n)s invited bridges have no e-mail address and get nothing: give "
                              "them their letters another way.", counts["no_email"])
                     % {"n": confirm.number(counts["no_email"])})
    if counts["declined"]:
        notes.append(ngettext("%(n)s bridge declined and is not mailed.", "%(n)s bridges declined and are not mailed.",
                              counts["declined"]) % {"n": confirm.number(counts["declined"])})
    return Confirmation(
        title=_("Send invitations by e-mail"), count=count,
        summary=(ngettext("%(n)s e-mail will be sent now, with the calendar entry and the PDF letter.",
                          "%(n)s e-mails will be sent now, each with the calendar entry and the PDF letter.", count)
                 if attach_pdf else
                 ngettext("%(n)s e-mail will be sent now, with the calendar entry.",
                          "%(n)s e-mails will be sent now, each with the calendar entry.", count)) % {"n": n},
        consequence=_("An e-mail cannot be called back once sent. Sending again later mails every bridge again."),
        notes=notes, action_url=request.path, cancel_url=_letters_url(event), section="letters-actions",
        button=ngettext("Send %(n)s e-mail", "Send %(n)s e-mails", count) % {"n": n},
    )
