"""Who may see an event: the only way any app fetches an event for a person.

Drafts are the organizers' alone; every other event is visible to anyone with a role (district
officers and officials then see only the bridges of their scope, which `bridges.scope` judges).
A draft answers 404, never 403, so its existence does not leak.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from bridges.models import Role
from bridges.scope import is_organizer, role_of

from .models import Event


def visible_events(user) -> QuerySet[Event]:
    """Organizers see drafts too; everyone else with a role sees what has been announced."""
    role = role_of(user)
    if role is None:
        return Event.objects.none()
    events = Event.objects.select_related("host")
    if role.kind != Role.Kind.ORGANIZER:
        events = events.exclude(status=Event.Status.DRAFT)
    return events


def may_see(user, event_id) -> bool:
    try:
        return visible_events(user).filter(pk=int(event_id)).exists()
    except (TypeError, ValueError):
        return False


def get_event(user, pk, *, manage: bool = False, queryset: QuerySet[Event] | None = None) -> Event:
    """The event `pk` if `user` may see it (404 otherwise); `manage` also asks for an organizer (403).

    No role at all is a 403 (the caller is logged in but has no business here), as before.
    """
    if role_of(user) is None:
        raise PermissionDenied
    if manage and not is_organizer(user):
        raise PermissionDenied
    events = visible_events(user)
    if queryset is not None:
        events = queryset & events
    try:
        return events.get(pk=int(pk))
    except (Event.DoesNotExist, TypeError, ValueError):
        raise Http404("No such event") from None
