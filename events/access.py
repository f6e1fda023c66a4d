"""Who may see an event: the only way any app fetches an event for a person.

Drafts are the organizers' alone; every other event is visible to anyone with a role (district
officers and officials then see only the bridges of their scope, which `bridges.scope` judges).
A draft answers 404, never 403, so its existence does not leak.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bridges.models import Role
from bridges.scope import is_organizer, role_of
from core.errors import Refused

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
    """The event `pk` if `user` may see it (404 otherwise); `manage` also asks for an organizer (403,
    judged after visibility, so that a draft is a 404 to everyone but organizers).

    No role at all is a 403 (the caller is logged in but has no business here), as before.
    """
    if role_of(user) is None:
        raise PermissionDenied
    events = visible_events(user)
    if queryset is not None:
        events = queryset & events
    try:
        event = events.get(pk=int(pk))
    except (Event.DoesNotExist, TypeError, ValueError):
        raise Http404("No such event") from None
    # Only after the event is known to be visible: a draft answers 404 even to a change it may not make.
    if manage and not is_organizer(user):
        raise PermissionDenied
    return event


def get_event_object(user, queryset: QuerySet, *, event_path: str = "event", manage: bool = False, **lookup):
    """An object that belongs to an event (a roll call, a follow-up form, a room...), judged as its event is.

    `event_path` is the lookup from the object to its event ("session__event" for a roll call). 404 when
    the event is not visible to the user (a draft, to anyone but organizers); then 403 for `manage`
    without an organizer.
    """
    if role_of(user) is None:
        raise PermissionDenied
    visible = queryset.filter(**{f"{event_path}__in": visible_events(user).values("pk")})
    obj = visible.filter(**lookup).first()
    if obj is None:
        raise Http404("No such object")
    if manage and not is_organizer(user):
        raise PermissionDenied
    return obj


def event_for_job(job, pk, queryset: QuerySet[Event] | None = None) -> Event:
    """The event a background job works on, judged for the person who started it, as the page that
    started it did (a job started from a command, with no person, acts for the operator: any event).

    A job that may no longer see its event (turned back into a draft meanwhile) fails with a reason.
    """
    if job.created_by is None:
        return (queryset if queryset is not None else Event.objects.select_related("host")).get(pk=pk)
    try:
        return get_event(job.created_by, pk, queryset=queryset)
    except (Http404, PermissionDenied):
        raise Refused(_("The event of this job is no longer visible to the person who started it.")) from None
