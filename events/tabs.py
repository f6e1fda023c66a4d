"""The tabs of an event's pages: a registry the apps fill, so events names no app above it.

Each app registers its tabs in its AppConfig.ready() (as Indico's menu signal does): a key (the
page passes it as `tab` to mark the current one), a label, the URL name taking the event's pk, an
order, and optionally who sees it. events' own tabs are registered in events/apps.py.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from bridges.scope import role_of


def _always(event, role) -> bool:
    return True


@dataclass(frozen=True)
class EventTab:
    key: str
    label: str  # a lazy translation
    url_name: str
    order: int
    shown: Callable = _always  # shown(event, role) -> bool


_TABS: dict[str, EventTab] = {}


def register(tab: EventTab) -> None:
    # Keyed: a second registration of the same key (a reloaded AppConfig) replaces the first.
    _TABS[tab.key] = tab


def tabs_for(event, user) -> list[dict]:
    """The tabs this user sees on this event's pages, in order: key, label, url."""
    role = role_of(user)
    tabs = []
    for tab in sorted(_TABS.values(), key=lambda t: (t.order, t.key)):
        if role is None or not tab.shown(event, role):
            continue
        try:
            url = reverse(tab.url_name, args=[event.pk])
        except NoReverseMatch:
            continue
        tabs.append({"key": tab.key, "label": str(tab.label), "url": url})
    return tabs


def organizer_while_open(event, role) -> bool:
    return role.kind == role.Kind.ORGANIZER and event.status not in (event.Status.ENDED, event.Status.CANCELLED)


def trainings_only(event, role) -> bool:
    from .kinds import has_training  # kinds imports the models, which the app registry loads first

    return has_training(event)
