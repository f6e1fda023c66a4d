"""iCalendar output (RFC 5545): an event's .ics, a bridge's subscription feed, the e-mailed invitation.

One VEVENT per event everywhere, with the same UID, so a calendar that holds the event from the
feed and from the e-mail keeps one entry and replaces it when SEQUENCE goes up. Times carry
TZID=Asia/Ho_Chi_Minh with its VTIMEZONE, which Outlook needs to place them correctly.
"""

import functools
from datetime import timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bridges.models import Bridge
from bridges.services import console_url
from core.text import clean_text

from .models import Event, Invitation

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PRODID = "-//diemcau//diemcau calendar 1.0//VI"
REMINDERS = (timedelta(days=-1), timedelta(minutes=-30))
# Calendar apps poll a subscription at most this often when they honour the hint.
FEED_REFRESH = timedelta(hours=1)

CONTENT_TYPE = "text/calendar; charset=utf-8"


def local(dt):
    """An aware datetime in Vietnam time (how every date is shown and written)."""
    return timezone.localtime(dt, TZ)


def fmt_time(dt) -> str:
    return local(dt).strftime("%H:%M")


def event_uid(event: Event) -> str:
    return f"{event.uid}@diemcau"


def event_queryset():
    """Events with everything the calendar and invitation need, in few queries."""
    return Event.objects.select_related("host", "host__tier").prefetch_related(
        "sessions__agenda", "participant_groups__tier"
    )


def event_page_url(event: Event) -> str:
    return settings.SITE_URL + reverse("events:detail", args=[event.pk])


def bridge_place(bridge: Bridge) -> str:
    """LOCATION text: the bridge's name and address."""
    return ", ".join(part for part in (clean_text(bridge.name), clean_text(bridge.address)) if part)


def participant_text(event: Event, bridge: Bridge) -> str:
    """Who attends at this bridge: the participant group of the bridge's tier, if one was set."""
    for group in event.participant_groups.all():
        if group.tier_id == bridge.tier_id:
            return group.description
    return ""


def agenda_text(event: Event) -> str:
    lines = []
    for session in event.sessions.all():
        lines.append(f"{session.title} ({fmt_time(session.starts_at)}–{fmt_time(session.ends_at)}, "
                     f"{local(session.starts_at):%d/%m/%Y})")
        for item in session.agenda.all():
            speaker = f" — {item.speaker}" if item.speaker else ""
            lines.append(f"  {fmt_time(item.starts_at)}–{fmt_time(item.ends_at)}  {item.title}{speaker}")
    return "\n".join(lines)


def _description(event: Event, *, bridge: Bridge | None = None, console: str = "") -> str:
    parts = []
    if event.description:
        parts.append(event.description.strip())
    parts.append(_("Host bridge: %(host)s") % {"host": bridge_place(event.host)})
    if bridge is not None:
        attendees = participant_text(event, bridge)
        if attendees:
            parts.append(_("Who attends: %(who)s") % {"who": attendees})
    agenda = agenda_text(event)
    if agenda:
        parts.append(_("Agenda:") + "\n" + agenda)
    if console:
        parts.append(_("Bridge console (keep this link private): %(url)s") % {"url": console})
    return "\n\n".join(parts)


def _status(event: Event) -> str:
    if event.status == Event.Status.CANCELLED:
        return "CANCELLED"
    if event.status == Event.Status.DRAFT:
        return "TENTATIVE"
    return "CONFIRMED"


def vevent(event: Event, *, bridge: Bridge | None = None, console: str = "") -> icalendar.Event:
    """The event as one VEVENT; for a bridge, placed at that bridge and pointing to its console."""
    entry = icalendar.Event()
    entry.add("uid", event_uid(event))
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", timezone.now())
    entry.add("created", event.created_at)
    entry.add("last-modified", event.updated_at)
    entry.add("dtstart", local(event.starts_at))
    entry.add("dtend", local(event.ends_at))
    entry.add("summary", event.title)
    entry.add("description", _description(event, bridge=bridge, console=console))
    entry.add("location", bridge_place(bridge if bridge is not None else event.host))
    entry.add("url", console or event_page_url(event))
    entry.add("status", _status(event))
    entry.add("transp", "OPAQUE")
    if event.status != Event.Status.CANCELLED:
        for trigger in REMINDERS:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", event.title)
            alarm.add("trigger", trigger)
            entry.add_component(alarm)
    return entry


def _calendar(method: str, name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(TZ))
    return cal


@functools.cache
def _vtimezone() -> icalendar.Timezone:
    # Built from the zoneinfo database once per process: it costs ~10 ms, more than the rest of a file.
    return icalendar.Timezone.from_tzid(TZ.key)


def _finish(cal: icalendar.Calendar) -> bytes:
    if cal.walk("VEVENT"):
        cal.add_component(_vtimezone())
    # Any other TZID that ever appears still gets its VTIMEZONE.
    cal.add_missing_timezones()
    return cal.to_ical()


def event_ics(event: Event) -> bytes:
    """The public .ics of one event: placed at the host bridge, no personal data."""
    cal = _calendar("PUBLISH", event.title)
    cal.add_component(vevent(event))
    return _finish(cal)


def bridge_feed_events(bridge: Bridge):
    """Every event the bridge is invited to that has been published (cancelled ones included)."""
    return event_queryset().filter(invitations__bridge=bridge).exclude(status=Event.Status.DRAFT).order_by(
        "starts_at", "pk"
    )


def bridge_feed_ics(bridge: Bridge) -> bytes:
    """The subscription feed of a bridge, reached through its secret console link."""
    console = console_url(bridge)
    cal = _calendar("PUBLISH", _("Events – %(bridge)s") % {"bridge": bridge.name})
    cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", FEED_REFRESH)
    for event in bridge_feed_events(bridge):
        cal.add_component(vevent(event, bridge=bridge, console=console))
    return _finish(cal)


def organizer_address() -> icalendar.vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    if name:
        organizer.params["cn"] = icalendar.vText(name)
    return organizer


def invitation_request_ics(invitation: Invitation, *, console: str | None = None) -> bytes:
    """The METHOD:REQUEST calendar sent with the invitation e-mail to the bridge's address."""
    event, bridge = invitation.event, invitation.bridge
    console = console if console is not None else console_url(bridge)
    entry = vevent(event, bridge=bridge, console=console)
    entry.add("organizer", organizer_address())
    if bridge.email:
        attendee = icalendar.vCalAddress(f"mailto:{bridge.email}")
        attendee.params["cn"] = icalendar.vText(bridge.name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
        # Answers are given on the console, not by calendar reply.
        attendee.params["rsvp"] = icalendar.vText("FALSE")
        entry.add("attendee", attendee)
    cal = _calendar("REQUEST", event.title)
    cal.add_component(entry)
    return _finish(cal)
