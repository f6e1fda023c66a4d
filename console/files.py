"""The console's downloads, opened by the browser as links under /c/<token>/...: the speed test's
bytes, the roll-call QR image, the calendar feed, the invitation letter and the certificates ZIP.
Each resolves the token through console.auth (a rotated link: the "link not valid" page, 404).
"""

import os

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe
from django_ratelimit.core import is_ratelimited

from attendance.services import qr, rollcall
from events import calendar
from events.console import SPEEDTEST_BYTES
from events.invitation_pdf import filename, invitation_pdf
from events.models import Event, Invitation
from training.certificate_pdf import zip_of
from training.console import school_certificates

from .auth import console_event, console_page

SPEEDTEST_MAX_BYTES = 10_000_000


@require_GET
@console_page
def speedtest(request, bridge, token):
    """N random bytes (incompressible, never cached) for the readiness test to time its download."""
    if is_ratelimited(request, group="console-speedtest", key=lambda _group, _request: token, rate="20/m",
                      increment=True):
        return HttpResponse(_("Too many speed tests; wait a minute."), status=429, content_type="text/plain")
    try:
        size = int(request.GET.get("bytes", SPEEDTEST_BYTES))
    except ValueError:
        size = SPEEDTEST_BYTES
    size = max(1, min(size, SPEEDTEST_MAX_BYTES))
    response = HttpResponse(os.urandom(size), content_type="application/octet-stream")
    response["Cache-Control"] = "no-store"
    response["Content-Length"] = str(size)
    return response


@require_GET
@console_page
def rollcall_qr(request, bridge, token):
    """The current roll-call QR of the console's event as SVG; 404 when no roll call is open."""
    roll_call = rollcall.current_roll_call(console_event(bridge, request.GET.get("event")))
    if roll_call is None:
        return HttpResponse(_("No roll call is open."), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(qr.svg(qr.token_url(qr.current_token(roll_call, bridge.pk))), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@require_safe  # GET and HEAD, like every calendar URL (subscribing calendar apps ask HEAD first)
@console_page
def calendar_feed(request, bridge, token):
    """The bridge's subscription feed; rotating the console link ends it."""
    response = HttpResponse(calendar.bridge_feed_ics(bridge), content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="lich-diem-cau.ics"'
    return response


@require_GET
@console_page
def invitation_letter(request, bridge, token, pk: int):
    """The school's own invitation letter (any announced event it is invited to)."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("event", "bridge__tier", "room").exclude(event__status=Event.Status.DRAFT),
        event_id=pk, bridge=bridge,
    )
    response = HttpResponse(invitation_pdf(invitation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(invitation.event, bridge)}"'
    return response


@require_GET
@console_page
def certificates_zip(request, bridge, token):
    """The school's valid certificates of one training (?event=<id>) as a ZIP of PDFs."""
    try:
        event_id = int(request.GET.get("event", ""))
    except ValueError:
        raise Http404 from None
    certs = school_certificates(bridge, event_id)
    if not certs:
        raise Http404
    response = HttpResponse(zip_of(certs), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="giay-chung-nhan-{event_id}-{bridge.code}.zip"'
    return response
