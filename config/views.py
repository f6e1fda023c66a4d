"""Project-level pages: the home page links to every app's pages, so it sits above them all (config/)."""

from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone

from bridges.scope import role_of
from events.access import visible_events
from events.kinds import has_training
from events.models import Event

UPCOMING_SHOWN = 3


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    role = role_of(request.user)
    now = timezone.now()
    current, upcoming = [], []
    if role is not None:
        events = visible_events(request.user).exclude(status=Event.Status.CANCELLED)
        # Live (launched, or between start and end), then the next ones by start.
        current = list(events.filter(ends_at__gte=now, starts_at__lte=now).order_by("starts_at")) + list(
            events.filter(status=Event.Status.LIVE).exclude(starts_at__lte=now, ends_at__gte=now))
        upcoming = list(events.filter(starts_at__gt=now).exclude(status=Event.Status.LIVE)
                        .order_by("starts_at")[:UPCOMING_SHOWN])
    for event in current + upcoming:
        event.has_training = has_training(event)
    return render(request, "home.html", {"role": role, "current": current, "upcoming": upcoming})


def favicon(request):
    return redirect(static("favicon.ico"), permanent=True)
