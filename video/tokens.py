"""Jitsi Meet integration: room names and signed room tokens.

There is no maintained Jitsi client library on PyPI, and none is needed: a Jitsi deployment with
token authentication (prosody `token_verification`, see lib-jitsi-meet doc/tokens.md) accepts an
HS256 JWT signed with the shared app secret. `context.user.affiliation` is read by the
jitsi-contrib `token_affiliation` plugin (owner = moderator). The bridge code travels as
`context.user.id`, which the `event_sync` webhooks echo back, so presence maps to a bridge.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bridges.models import Bridge
from core.errors import Refused
from events import participation
from events.models import Event, Invitation, JitsiRoom

# A token outlives the planned end so an event that overruns does not throw bridges out.
TOKEN_GRACE = timedelta(hours=2)
# Clocks of the Jitsi server and ours may differ a little.
CLOCK_SKEW = timedelta(seconds=60)
ROOM_PREFIX = "diemcau"


class TokenRefused(Refused):
    """A room token cannot be issued; the message says why, in the user's language."""

    code = "video_refused"
    status = 403


def audience() -> str:
    return getattr(settings, "JITSI_AUDIENCE", "jitsi")


def main_room_name(event: Event) -> str:
    return f"{ROOM_PREFIX}-{event.pk}-main"


def group_room_name(event: Event, group_code: str, number: int) -> str:
    # Jitsi lowercases room names (they are XMPP node names); slugify keeps them safe for the JID.
    return f"{ROOM_PREFIX}-{event.pk}-{slugify(group_code) or 'other'}-{number}"[:120]


def main_room(event: Event) -> JitsiRoom | None:
    return event.rooms.filter(interactive=True).order_by("order", "id").first()


@dataclass(frozen=True)
class RoomPass:
    """What a bridge needs to enter its room."""

    event: Event
    bridge: Bridge
    room: JitsiRoom
    affiliation: str

    @property
    def display_name(self) -> str:
        return self.bridge.name


def _event_open(event: Event, now: datetime) -> None:
    if event.status == Event.Status.CANCELLED:
        raise TokenRefused(_("The event was cancelled."))
    if event.status == Event.Status.ENDED or now > event.ends_at + TOKEN_GRACE:
        raise TokenRefused(_("The event has ended."))


def room_pass(event: Event, bridge: Bridge, *, now: datetime | None = None) -> RoomPass:
    """Decide whether and where a bridge may join the event's video; raise TokenRefused if not."""
    now = now or timezone.now()
    _event_open(event, now)
    invitation = Invitation.objects.select_related("room").filter(event=event, bridge=bridge).first()
    is_host = bridge.pk == event.host_id
    if invitation is None and not is_host:
        raise TokenRefused(_("This bridge is not invited to the event."))
    if invitation is not None and invitation.status == Invitation.Status.DECLINED:
        raise TokenRefused(_("This bridge declined the invitation."))
    if invitation is not None and invitation.viewer:
        raise TokenRefused(_("This bridge follows the event on the livestream, not in a video room."))
    room = invitation.room if invitation is not None else None
    if room is None and is_host:
        room = main_room(event)
    if room is None or room.event_id != event.pk:
        raise TokenRefused(_("No video room has been assigned to this bridge yet."))
    return RoomPass(event=event, bridge=bridge, room=room, affiliation="owner" if is_host else "member")


def claims_for(room_pass_: RoomPass, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    bridge = room_pass_.bridge
    # tokens.md: every context.user value must be a string, so absent values are left out, not null.
    user = {"id": bridge.code, "name": bridge.name, "affiliation": room_pass_.affiliation}
    if bridge.email:
        user["email"] = bridge.email
    return {
        "iss": settings.JITSI_APP_ID,
        "aud": audience(),
        "sub": settings.JITSI_DOMAIN.lower(),
        "room": room_pass_.room.name,
        "iat": int(now.timestamp()),
        "nbf": int((now - CLOCK_SKEW).timestamp()),
        "exp": int((room_pass_.event.ends_at + TOKEN_GRACE).timestamp()),
        "context": {"user": user, "group": f"{ROOM_PREFIX}-{room_pass_.event.pk}"},
    }


def sign(claims: dict) -> str:
    return jwt.encode(claims, settings.JITSI_APP_SECRET, algorithm="HS256")


def token_for(event: Event, bridge: Bridge, *, now: datetime | None = None) -> tuple[RoomPass, str]:
    """The signed JWT for a bridge's room in an event; raises TokenRefused when it may not enter."""
    granted = room_pass(event, bridge, now=now)
    return granted, sign(claims_for(granted, now=now))


def join_info(event: Event, bridge: Bridge, *, now: datetime | None = None) -> dict:
    """What the IFrame API needs (and the console API returns). The JWT is a secret: never log it."""
    granted, token = token_for(event, bridge, now=now)
    return {
        "event_id": event.pk,
        "domain": settings.JITSI_DOMAIN,
        "room": granted.room.name,
        "room_label": granted.room.label,
        "jwt": token,
        "display_name": granted.display_name,
        "affiliation": granted.affiliation,
        "script_url": external_api_url(),
    }


def external_api_url() -> str:
    return f"https://{settings.JITSI_DOMAIN}/external_api.js"


def console_video_context(bridge: Bridge, *, event: Event | None = None, now: datetime | None = None) -> list[dict]:
    """The console's video for `event`, else for its current event (`participation.current_event`):
    a room to join, a livestream link, or why neither. A list of at most one entry."""
    now = now or timezone.now()
    if event is None:
        event = participation.current_event(bridge, now)
        if event is None:
            return []
    invitation = Invitation.objects.select_related("room").filter(event=event, bridge=bridge).first()
    if invitation is None and event.host_id != bridge.pk:
        return []
    pairs = [(event, invitation)]
    entries = []
    for event, invitation in pairs:
        entry = {"event": event, "invitation": invitation, "join": None, "livestream_url": "", "refusal": ""}
        if invitation is not None and invitation.viewer:
            entry["livestream_url"] = event.livestream_url
        else:
            try:
                entry["join"] = join_info(event, bridge, now=now)
            except TokenRefused as refused:
                entry["refusal"] = refused.message
        entries.append(entry)
    return entries
