"""The sections of a school's console page: a registry the apps fill, so no app names one above it.

The console app (top of the import order) draws the page from what is registered here, as
events/tabs.py does for an event's tabs. Each app registers its sections in its AppConfig.ready():

- key: stable; the section's element id on the page, and how tests pick one;
- order: where it goes on the page (smaller first);
- template: the section's template, in the registering app's folder;
- context(bridge, event, token) -> dict, or None to leave the section out. `event` is the console's
  event for this request (events.participation.current_event, chosen once by console.auth), or None;
- live: where the section goes on the launch-day screen (smaller first), or None (the default) to fold
  it under "more" while the school's event is live or a roll call of it is open. The coordinator then
  needs the state, the check-in, the roll-call QR and the roster on the first screen of a phone; the
  programme, readiness and contacts wait below. The console page asks `launch_day_order`.

The console adds to every section's context: bridge, event, token, invitation (the bridge's
invitation to the event, or None) and `urls`, the console's own routes (`urls.api.<operation>` for
reads and writes, `urls.files.<name>` for downloads, `urls.pages.<name>`), so section templates name
no console URL. A section's scripts find the same routes in the page's #console-urls.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ConsoleSection:
    key: str
    order: int
    template: str
    context: Callable  # context(bridge, event, token) -> dict | None
    live: int | None = None  # position on the launch-day first screen; None: folded under "more" then


_SECTIONS: dict[str, ConsoleSection] = {}


def register(section: ConsoleSection) -> None:
    # Keyed: a second registration of the same key (a reloaded AppConfig) replaces the first.
    _SECTIONS[section.key] = section


def registered() -> list[ConsoleSection]:
    """Every section, in page order."""
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.key))


def launch_day_order(sections: list) -> tuple[list, list]:
    """(first, folded) of these sections (ConsoleSection, or anything with .key, .order and .live) on a
    launch day: those that declare a live position, in that order, then the rest in page order."""
    first = sorted((s for s in sections if s.live is not None), key=lambda s: (s.live, s.key))
    folded = [s for s in sections if s.live is None]
    return first, folded
