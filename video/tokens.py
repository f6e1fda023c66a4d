"""Jitsi Meet integration: room names and signed room tokens.

There is no maintained Jitsi client library on PyPI, and none is needed: a Jitsi deployment with
token authentication accepts an HS256 JWT signed with the shared app secret. What prosody checks
(jitsi-meet `resources/prosody-plugins/token/util.lib.lua` with luajwtjitsi, and
`mod_token_verification` on the MUC): the header's `typ` JWT and `alg`; the signature; `exp` and
`nbf` as numbers, not past and not yet due; `iss` among `asap_accepted_issuers` (default: app_id);
a `room` claim (`asap_require_room_claim`, on by default) equal to the room's node, lowercased; `aud`
present and among `asap_accepted_audiences`; with `enable_domain_verification`, `sub` the domain whose
`conference.` MUC holds the room. `tests/test_jitsi_prosody.py` checks our tokens that way against
the example configuration of docs/JITSI.md.

Moderators: `context.user.affiliation = "owner"` is what jitsi-contrib's `token_affiliation` reads
(it also takes `context.user.moderator` "true"); nvonahsen's `token_moderation` reads a top-level
boolean `moderator`. Both are set, for the host in the main room and for a school room's owner
(video.owners); everyone else gets "member" / false. The bridge code travels as `context.user.id`,
which the `event_sync` webhooks echo back, so presence maps to a bridge; an account moderating a room
travels as `account:<username>`, which maps to no bridge.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bridges.models import Bridge
from core.errors import Refused
from events import participation
from events.models import Event, Invitation, JitsiRoom

from . import owners

# No token is issued later than this after the planned end (an event that overruns keeps its bridges).
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


OWNER, MEMBER = "owner", "member"
ACCOUNT_ID_PREFIX = "account:"


@dataclass(frozen=True)
class RoomPass:
    """What a bridge (or a moderating account) needs to enter a room."""

    event: Event
    room: JitsiRoom
    affiliation: str
    user_id: str
    display_name: str
    email: str = ""
    bridge: Bridge | None = None

    @property
    def moderator(self) -> bool:
        return self.affiliation == OWNER


def _bridge_pass(event: Event, bridge: Bridge, room: JitsiRoom, affiliation: str) -> RoomPass:
    return RoomPass(event=event, room=room, affiliation=affiliation, user_id=bridge.code, display_name=bridge.name,
                    email=bridge.email, bridge=bridge)


def _event_open(event: Event, now: datetime) -> None:
    if event.status == Event.Status.CANCELLED:
        raise TokenRefused(_("The event was cancelled."))
    if event.status == Event.Status.ENDED or now > event.ends_at + TOKEN_GRACE:
        raise TokenRefused(_("The event has ended."))


def _event_room(event: Event, room_name: str) -> JitsiRoom:
    room = JitsiRoom.objects.select_related("event").filter(event=event, name=str(room_name).lower()).first()
    if room is None:
        raise TokenRefused(_("There is no such video room in this event."))
    return room


def room_pass(event: Event, bridge: Bridge, *, room: str | None = None, now: datetime | None = None) -> RoomPass:
    """Decide whether and where a bridge may join the event's video; raise TokenRefused if not.

    Without `room`: the bridge's own room of the plan (the host: the main room). With `room`: a room
    the bridge owns (video.owners), e.g. the school room its district bridge moderates.
    """
    now = now or timezone.now()
    _event_open(event, now)
    invitation = Invitation.objects.select_related("room").filter(event=event, bridge=bridge).first()
    is_host = bridge.pk == event.host_id
    if invitation is None and not is_host:
        raise TokenRefused(_("This bridge is not invited to the event."))
    if invitation is not None and participation.is_declined(invitation.status):
        raise TokenRefused(_("This bridge declined the invitation."))
    own = invitation.room if invitation is not None and not invitation.viewer else None
    if own is None and is_host:
        own = main_room(event)
    if room is not None and (own is None or own.name != str(room).lower()):
        target = _event_room(event, room)
        if not owners.owns(target, bridge=bridge):
            raise TokenRefused(_("This bridge does not moderate that room."))
        return _bridge_pass(event, bridge, target, OWNER)
    if invitation is not None and invitation.viewer:
        raise TokenRefused(_("This bridge follows the event on the livestream, not in a video room."))
    if own is None or own.event_id != event.pk:
        raise TokenRefused(_("No video room has been assigned to this bridge yet."))
    return _bridge_pass(event, bridge, own, OWNER if owners.owns(own, bridge=bridge) else MEMBER)


def account_pass(event: Event, user, room: str, *, now: datetime | None = None) -> RoomPass:
    """A named moderator account entering the room it owns (video.owners), as its owner."""
    now = now or timezone.now()
    _event_open(event, now)
    target = _event_room(event, room)
    if not owners.owns(target, user=user):
        raise TokenRefused(_("Your account does not moderate that room."))
    return RoomPass(event=event, room=target, affiliation=OWNER, user_id=f"{ACCOUNT_ID_PREFIX}{user.get_username()}",
                    display_name=owners.display_name(user), email=user.email or "")


def token_margin() -> timedelta:
    return timedelta(hours=settings.JITSI_TOKEN_MARGIN_HOURS)


def token_expiry(event: Event, now: datetime) -> datetime:
    """When a token issued now stops opening the room: the end of the session it joins plus the margin
    (JITSI_TOKEN_MARGIN_HOURS), not the event's end. The session it joins is the one in progress, or
    one starting within the margin (the last of them to end); an event without sessions is one
    session. Outside any session (a video test the day before) a token lives the margin from now. The
    console asks for a fresh token before this (static/js/console_video.js), so a leaked token dies
    within hours, not days, of a multi-day event."""
    margin = token_margin()
    windows = [(s.starts_at, s.ends_at) for s in event.sessions.all()] or [(event.starts_at, event.ends_at)]
    joined = [end for start, end in windows if start - margin <= now <= end]
    expiry = max([now, *joined]) + margin
    return min(expiry, max(now, event.ends_at + TOKEN_GRACE))


def claims_for(room_pass_: RoomPass, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    # tokens.md: every context.user value must be a string, so absent values are left out, not null.
    user = {"id": room_pass_.user_id, "name": room_pass_.display_name, "affiliation": room_pass_.affiliation,
            "moderator": "true" if room_pass_.moderator else "false"}
    if room_pass_.email:
        user["email"] = room_pass_.email
    return {
        "iss": settings.JITSI_APP_ID,
        "aud": audience(),
        "sub": settings.JITSI_DOMAIN.lower(),
        "room": room_pass_.room.name,
        "iat": int(now.timestamp()),
        "nbf": int((now - CLOCK_SKEW).timestamp()),
        "exp": int(token_expiry(room_pass_.event, now).timestamp()),
        # A top-level boolean as well: what token_moderation reads.
        "moderator": room_pass_.moderator,
        "context": {"user": user, "group": f"{ROOM_PREFIX}-{room_pass_.event.pk}"},
    }


def sign(claims: dict) -> str:
    return jwt.encode(claims, settings.JITSI_APP_SECRET, algorithm="HS256")


def token_for(event: Event, bridge: Bridge, *, room: str | None = None,
              now: datetime | None = None) -> tuple[RoomPass, str]:
    """The signed JWT for a bridge's room in an event; raises TokenRefused when it may not enter."""
    granted = room_pass(event, bridge, room=room, now=now)
    return granted, sign(claims_for(granted, now=now))


def _join(granted: RoomPass, claims: dict) -> dict:
    return {
        # When the console must have fetched a fresh token.
        "expires_at": datetime.fromtimestamp(claims["exp"], UTC),
        "event_id": granted.event.pk,
        "domain": settings.JITSI_DOMAIN,
        "room": granted.room.name,
        "room_label": granted.room.label,
        "jwt": sign(claims),
        "display_name": granted.display_name,
        "affiliation": granted.affiliation,
        "script_url": external_api_url(),
    }


def join_info(event: Event, bridge: Bridge, *, room: str | None = None, now: datetime | None = None) -> dict:
    """What the IFrame API needs (and the console API returns). The JWT is a secret: never log it."""
    granted = room_pass(event, bridge, room=room, now=now)
    return _join(granted, claims_for(granted, now=now))


def account_join_info(event: Event, user, room: str, *, now: datetime | None = None) -> dict:
    """Join data for a named moderator account in the room it owns."""
    granted = account_pass(event, user, room, now=now)
    return _join(granted, claims_for(granted, now=now))


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
    entry = {"event": event, "invitation": invitation, "join": None, "livestream_url": "", "refusal": "",
             "moderating": None}
    if invitation is not None and invitation.viewer:
        entry["livestream_url"] = event.livestream_url
    else:
        try:
            entry["join"] = join_info(event, bridge, now=now)
        except TokenRefused as refused:
            entry["refusal"] = refused.message
    entries = [entry]
    # The school rooms this bridge moderates (a district bridge: its schools' rooms), one join button each.
    if invitation is None or not participation.is_declined(invitation.status):
        for room in owners.rooms_owned_by(event, bridge):
            if entry["join"] is not None and entry["join"]["room"] == room.name:
                continue
            moderated = {"event": event, "invitation": invitation, "join": None, "livestream_url": "",
                         "refusal": "", "moderating": room}
            try:
                moderated["join"] = join_info(event, bridge, room=room.name, now=now)
            except TokenRefused as refused:
                moderated["refusal"] = refused.message
            entries.append(moderated)
    return entries
