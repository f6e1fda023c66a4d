"""What a bridge's part in an event means: confirmed, tested, declined, and a console's current event.

Once each, for every page and channel that shows them: the readiness page, the board, the reports,
the video room plan and the school console.

An invitation moves INVITED -> CONFIRMED (the school said it comes) -> TESTED_OK or PROBLEM (its
latest readiness test passed or failed); DECLINED at any time. So:

- confirmed: the school said it comes: CONFIRMED, TESTED_OK or PROBLEM (a failed test does not
  take the confirmation back); the host bridge takes part without an invitation and counts as
  confirmed.
- tested: its latest readiness test passed and it has not declined: TESTED_OK. A declined school
  is never counted as tested, whatever test it ran before declining.
- declined: DECLINED.
- missing on the day: confirmed, and not there now (the board's rule builds on `is_confirmed`).
"""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from bridges.models import Bridge

from .models import Event, Invitation

Status = Invitation.Status

CONFIRMED_STATUSES = frozenset({Status.CONFIRMED, Status.TESTED_OK, Status.PROBLEM})
TESTED_STATUSES = frozenset({Status.TESTED_OK})
# Still owes an answer or a passing test: reminders go to these.
UNFINISHED_STATUSES = frozenset({Status.INVITED, Status.CONFIRMED, Status.PROBLEM})


def is_confirmed(status: str | None, *, is_host: bool = False) -> bool:
    return is_host or status in CONFIRMED_STATUSES


def is_tested(status: str | None) -> bool:
    return status in TESTED_STATUSES


def is_declined(status: str | None) -> bool:
    return status == Status.DECLINED


def confirmed_q(prefix: str = "") -> Q:
    """`is_confirmed` as a query on invitations (prefix e.g. "invitations__")."""
    return Q(**{f"{prefix}status__in": sorted(CONFIRMED_STATUSES)})


def tested_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": sorted(TESTED_STATUSES)})


def invitees(event_or_id) -> QuerySet[Bridge]:
    """The bridges invited to an event that have not declined (who a follow-up or a report asks)."""
    invited = Invitation.objects.filter(event=event_or_id).exclude(status=Status.DECLINED).values("bridge_id")
    return Bridge.objects.filter(pk__in=invited)


def is_invitee(event_or_id, bridge: Bridge) -> bool:
    return Invitation.objects.filter(event=event_or_id, bridge=bridge).exclude(status=Status.DECLINED).exists()


# --- the event a school console is working for -----------------------------------------------

# An event stays the console's current one this long after its end (closing roll calls, late ticks,
# the video room still open).
GRACE = timedelta(hours=1)
# Statuses a console works for; drafts, cancelled and ended events are never chosen.
WORKING_STATUSES = (Event.Status.PUBLISHED, Event.Status.LIVE)
# Statuses a console lists: cancelled ones stay listed so the school learns of it.
LISTED_STATUSES = (Event.Status.PUBLISHED, Event.Status.LIVE, Event.Status.CANCELLED)
LISTED_FOR = timedelta(days=1)
# A console follows (joins the notification groups of) at most this many events.
MAX_EVENTS = 5


def takes_part(bridge: Bridge, event: Event) -> bool:
    """Invited to the event or hosting it: only then may its console act for it."""
    return event.host_id == bridge.pk or Invitation.objects.filter(event=event, bridge=bridge).exists()


def candidate_events(bridge: Bridge, now: datetime | None = None) -> list[Event]:
    """The events a console may work for now, soonest first: announced, taken part in, not long over."""
    now = now or timezone.now()
    invited = Invitation.objects.filter(bridge=bridge).values("event_id")
    return list(
        Event.objects.filter(Q(pk__in=invited) | Q(host=bridge))
        .filter(status__in=WORKING_STATUSES, ends_at__gt=now - GRACE)
        .select_related("host")
        .order_by("starts_at", "id")[:MAX_EVENTS]
    )


def in_progress(event: Event | None, now: datetime | None = None) -> bool:
    """Under way: an announced event marked live (or launched), or between its start and its end."""
    if event is None or event.status not in WORKING_STATUSES:
        return False
    now = now or timezone.now()
    return event.status == Event.Status.LIVE or event.starts_at <= now < event.ends_at


def pick_event(events: list[Event], now: datetime) -> Event | None:
    """Among candidates (soonest first): the one in progress, else the one just over, else the next."""
    live = [e for e in events if in_progress(e, now)]
    if live:
        return live[0]
    just_ended = [e for e in events if e.ends_at <= now]
    if just_ended:
        return just_ended[-1]
    return events[0] if events else None


def requested_event(bridge: Bridge, event_id, *, statuses=WORKING_STATUSES) -> Event | None:
    """The event a console asked for by id, if it is one the bridge takes part in (else None)."""
    try:
        event = Event.objects.select_related("host").filter(pk=int(event_id), status__in=statuses).first()
    except (TypeError, ValueError):
        return None
    if event is None or not takes_part(bridge, event):
        return None
    return event


def current_event(bridge: Bridge, now: datetime | None = None, *, requested=None) -> Event | None:
    """The one event the console's page, its websocket, its video and its writes work for.

    `requested` is the id the console page was opened with (?event=…), which the page passes on
    to its websocket and writes: honoured when the bridge takes part in that announced event.
    Otherwise the rule of `pick_event` over `candidate_events`.
    """
    now = now or timezone.now()
    if requested not in (None, ""):
        return requested_event(bridge, requested)
    return pick_event(candidate_events(bridge, now), now)


def listed_invitations(bridge: Bridge, now: datetime | None = None) -> QuerySet[Invitation]:
    """The invitations a console lists (to switch between, or to learn of a cancellation)."""
    now = now or timezone.now()
    return (bridge.invitations.filter(event__status__in=LISTED_STATUSES, event__ends_at__gte=now - LISTED_FOR)
            .select_related("event", "event__host").order_by("event__starts_at"))
