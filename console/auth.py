"""The one place a console token becomes a bridge, and the one place a console request's event is chosen.

A school has no account: the 256-bit token in its console link is the credential (no cookie, so no
CSRF either). Every console route resolves it here: the API through `bridge_for`, which both its
django-ninja auth callable `console_link` and the writes' fast ASGI path (console/fast_path.py, which
answers the four writes before Django under uvicorn) call; the page and file routes through
`@console_page`. An unknown or rotated token is a 404: the API answers {"detail": "...", "code":
"invalid_link"} (core.errors.ErrorOut), a page the "link not valid" page (bridges/console_invalid.html).

The event a request works for is `events.participation.current_event(bridge, requested=...)`,
called once here (`console_event`), as the websocket, the video token and the writes use it.
"""

from functools import wraps

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from bridges.models import Bridge
from bridges.services import bridge_by_console_token
from core.errors import Refused
from events import participation
from events.models import Event, Invitation


class InvalidConsoleLink(Refused):
    code = "invalid_link"
    status = 404


class NotOnConsole(Refused):
    code = "not_on_console"
    status = 404


def bridge_for(token: str) -> Bridge:
    """The bridge of a console token, or InvalidConsoleLink (404 "invalid_link"): the API's one way in."""
    bridge = bridge_by_console_token(token)
    if bridge is None:
        raise InvalidConsoleLink(_("This console link is not valid."))
    return bridge


def console_link(request) -> Bridge:
    """django-ninja auth for /api/console/{token}/...: the path's token is the credential.

    A plain callable, not a security scheme: the token is a path parameter of every operation
    (OpenAPI has no "apiKey in path"). Raising sends the refusal through config/api.py's handler.
    """
    match = getattr(request, "resolver_match", None)
    return bridge_for(match.kwargs.get("token", "") if match else "")


def console_page(view):
    """A page or file route under /c/<token>/: view(request, bridge, token, **kwargs); never cached."""

    @wraps(view)
    def wrapper(request, token: str, **kwargs):
        bridge = bridge_by_console_token(token)
        if bridge is None:
            return render(request, "bridges/console_invalid.html", status=404)
        return view(request, bridge, token, **kwargs)

    return never_cache(wrapper)


def console_event(bridge: Bridge, requested=None, *, now=None, listed: bool = False) -> Event | None:
    """The event this console request works for: the one asked for (?event=…) when the bridge takes
    part in it, else the console's current one (`participation.current_event`).

    `listed`: the page may also open an event its picker lists that no longer runs (a cancelled
    one), so the school learns of it; reads and writes never work for such an event.
    """
    event = participation.current_event(bridge, now, requested=requested)
    if event is None and listed and requested not in (None, ""):
        event = participation.requested_event(bridge, requested, statuses=participation.LISTED_STATUSES)
    return event


def require_event(bridge: Bridge, requested=None) -> Event:
    event = console_event(bridge, requested)
    if event is None:
        raise NotOnConsole(_("This event is not on your console."))
    return event


def require_invitation(bridge: Bridge, requested=None) -> Invitation:
    """The bridge's invitation to the console's event (what confirm, decline, contacts and readiness change)."""
    event = require_event(bridge, requested)
    invitation = bridge.invitations.select_related("event", "event__host", "bridge").filter(event=event).first()
    if invitation is None:
        raise NotOnConsole(_("This event is not on your console."))
    return invitation
