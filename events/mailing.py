"""The invitation e-mail: a Vietnamese text + HTML letter, the .ics as METHOD:REQUEST, the PDF.

Calendar apps (Gmail, Outlook, Apple Mail) offer to add the event from the text/calendar part with
method=REQUEST; the same UID as the subscription feed keeps one entry per event.
"""

from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from bridges.services import console_url

from . import calendar
from .invitation_pdf import EventSheet, filename, render
from .models import Invitation


def calendar_part(ics: bytes, method: str = "REQUEST") -> MIMEText:
    part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def invitation_message(invitation: Invitation, *, sheet: EventSheet | None = None, attach_pdf: bool = True,
                       connection=None) -> EmailMultiAlternatives:
    """The e-mail for one invited bridge (which must have an e-mail address)."""
    event, bridge = invitation.event, invitation.bridge
    sheet = sheet or EventSheet.build(calendar.event_queryset().get(pk=event.pk))
    console = console_url(bridge)
    context = {
        "event": event, "bridge": bridge, "invitation": invitation, "console_url": console,
        "issuer": sheet.issuer, "when": sheet.when, "who": sheet.groups.get(bridge.tier_id, ""),
        "place": calendar.bridge_place(bridge), "host_place": calendar.bridge_place(event.host),
        "agenda": calendar.agenda_text(sheet.event), "feed_url": settings.SITE_URL + reverse("console_calendar", args=[bridge.console_token]),
    }
    message = EmailMultiAlternatives(
        subject=_("Invitation: %(title)s") % {"title": event.title},
        body=render_to_string("events/invitation_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[bridge.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("events/invitation_email.html", context), "text/html")
    message.attach(calendar_part(calendar.invitation_request_ics(invitation, console=console)))
    if attach_pdf:
        message.attach(filename(event, bridge), render(sheet, bridge, invitation, console=console), "application/pdf")
    return message
