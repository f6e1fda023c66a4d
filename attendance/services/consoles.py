"""Which event a school console works for, and which consoles belong to an event.

A bridge may be invited to several events. Its console works for one at a time: the event in
progress, else one that ended less than GRACE ago (closing roll calls, late ticks), else the next
upcoming one. Only announced events count (published or live, as on the console page of the
events app); drafts, cancelled and ended events are never chosen.
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from bridges.models import Bridge
from events.models import Event, Invitation

GRACE = timedelta(hours=1)
# A console joins the notification groups of at most this many current/upcoming events.
MAX_EVENTS = 5


def candidate_events(bridge: Bridge, now: datetime | None = None) -> list[Event]:
    now = now or timezone.now()
    invited = Invitation.objects.filter(bridge=bridge).values("event_id")
    return list(
        Event.objects.filter(Q(pk__in=invited) | Q(host=bridge))
        .filter(status__in=[Event.Status.PUBLISHED, Event.Status.LIVE])
        .filter(ends_at__gt=now - GRACE)
        .order_by("starts_at", "id")[:MAX_EVENTS]
    )


def pick_event(events: list[Event], now: datetime) -> Event | None:
    live = [e for e in events if e.status == Event.Status.LIVE or e.starts_at <= now < e.ends_at]
    if live:
        return live[0]
    just_ended = [e for e in events if e.ends_at <= now]
    if just_ended:
        return just_ended[-1]
    return events[0] if events else None


def console_event(bridge: Bridge, now: datetime | None = None) -> Event | None:
    now = now or timezone.now()
    return pick_event(candidate_events(bridge, now), now)


def takes_part(bridge: Bridge, event: Event) -> bool:
    """Invited to the event or hosting it: only then may its console write attendance for it."""
    return event.host_id == bridge.pk or Invitation.objects.filter(event=event, bridge=bridge).exists()
