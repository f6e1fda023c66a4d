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

from . import participation
from .models import Event, Invitation

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PRODID = "-//diemcau//diemcau calendar 1.0//VI"
REMINDERS = (timedelta(days=-1), timedelta(minutes=-30))
# Calendar apps poll a subscription at most this often when they honour the hint: REFRESH-INTERVAL
# (RFC 7986) and Outlook's X-PUBLISHED-TTL, both written as RFC 5545 durations (PT1H).
FEED_REFRESH = timedelta(hours=1)
# Outlook reads this to show a declined event as free time (TRANSP:TRANSPARENT says it to the rest).
BUSY_STATUS = "X-MICROSOFT-CDO-BUSYSTATUS"

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


def issuer(event: Event) -> str:
    """The organizing office, as the invitation letter names it (events.services.letters.issuer_name)."""
    # Imported here: events.services imports the cancellation job, which imports this module.
    from .services import letters

    return clean_text(letters.issuer_name(event, letters.letter_of(event)))


def organizer(event: Event) -> icalendar.vCalAddress:
    """ORGANIZER: the organizing office's mail address, named (CN) as the invitation letter names it.

    RFC 5546 requires it in METHOD:PUBLISH, REQUEST and CANCEL alike; calendars show the CN as who
    sent the event. The address is CALENDAR_ORGANIZER_EMAIL, else the one mail is sent from.
    """
    _name, address = parseaddr(settings.CALENDAR_ORGANIZER_EMAIL or settings.DEFAULT_FROM_EMAIL)
    entry = icalendar.vCalAddress(f"mailto:{address}")
    entry.params["cn"] = icalendar.vText(issuer(event))
    return entry


def vevent(event: Event, *, bridge: Bridge | None = None, console: str = "", declined: bool = False,
           alarms: bool = True) -> icalendar.Event:
    """The event as one VEVENT; for a bridge, placed at that bridge and pointing to its console.

    `declined`: the bridge said it will not come. The event stays in its feed (so the school still
    sees it, and can change its answer on the console) marked as declined: its title says so, it
    takes no time (TRANSP:TRANSPARENT, busy status FREE) and it has no reminders.
    """
    entry = icalendar.Event()
    entry.add("uid", event_uid(event))
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", timezone.now())
    entry.add("created", event.created_at)
    entry.add("last-modified", event.updated_at)
    entry.add("dtstart", local(event.starts_at))
    entry.add("dtend", local(event.ends_at))
    title = _("Declined: %(title)s") % {"title": event.title} if declined else event.title
    entry.add("summary", title)
    description = _description(event, bridge=bridge, console=console)
    if declined:
        description = _("This bridge declined the invitation; it can change its answer on the console.") + (
            "\n\n" + description)
    entry.add("description", description)
    entry.add("location", bridge_place(bridge if bridge is not None else event.host))
    entry.add("url", console or event_page_url(event))
    entry.add("organizer", organizer(event))
    entry.add("status", _status(event))
    entry.add("transp", "TRANSPARENT" if declined else "OPAQUE")
    if declined:
        entry.add(BUSY_STATUS, "FREE")
    if alarms and not declined and event.status != Event.Status.CANCELLED:
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


def bridge_feed_invitations(bridge: Bridge):
    """The bridge's invitations to events that have been announced (cancelled ones included)."""
    return (Invitation.objects.filter(bridge=bridge).exclude(event__status=Event.Status.DRAFT)
            .select_related("event__host", "event__host__tier")
            .prefetch_related("event__sessions__agenda", "event__participant_groups__tier")
            .order_by("event__starts_at", "event__pk"))


def bridge_feed_ics(bridge: Bridge) -> bytes:
    """The subscription feed of a bridge, reached through its secret console link."""
    console = console_url(bridge)
    cal = _calendar("PUBLISH", _("Events – %(bridge)s") % {"bridge": bridge.name})
    cal.add("refresh-interval", icalendar.vDuration(FEED_REFRESH), parameters={"VALUE": "DURATION"})
    # An X- property has no known type: without vDuration icalendar writes str(timedelta), "1:00:00".
    cal.add("x-published-ttl", icalendar.vDuration(FEED_REFRESH))
    for invitation in bridge_feed_invitations(bridge):
        cal.add_component(vevent(invitation.event, bridge=bridge, console=console,
                                 declined=participation.is_declined(invitation.status)))
    return _finish(cal)


def _attendee(bridge: Bridge, partstat: str) -> icalendar.vCalAddress:
    attendee = icalendar.vCalAddress(f"mailto:{bridge.email}")
    attendee.params["cn"] = icalendar.vText(bridge.name)
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText(partstat)
    # Answers are given on the console, not by calendar reply.
    attendee.params["rsvp"] = icalendar.vText("FALSE")
    return attendee


def invitation_request_ics(invitation: Invitation, *, console: str | None = None) -> bytes:
    """The METHOD:REQUEST calendar sent with the invitation e-mail to the bridge's address."""
    event, bridge = invitation.event, invitation.bridge
    console = console if console is not None else console_url(bridge)
    entry = vevent(event, bridge=bridge, console=console)
    if bridge.email:
        entry.add("attendee", _attendee(bridge, "NEEDS-ACTION"))
    cal = _calendar("REQUEST", event.title)
    cal.add_component(entry)
    return _finish(cal)


def cancellation_ics(invitation: Invitation) -> bytes:
    """METHOD:CANCEL for the bridge's address: the same UID, the SEQUENCE the cancellation raised,
    STATUS:CANCELLED (RFC 5546 3.2.5). A calendar that holds the invitation removes or strikes it."""
    event, bridge = invitation.event, invitation.bridge
    entry = vevent(event, bridge=bridge, alarms=False)
    if bridge.email:
        entry.add("attendee", _attendee(bridge, "NEEDS-ACTION"))
    cal = _calendar("CANCEL", event.title)
    cal.add_component(entry)
    return _finish(cal)
