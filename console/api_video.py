"""The console's video room over the API: fresh join data for the join button (static/js/console_video.js)."""

from ninja import Router

from core.errors import ErrorOut
from video import tokens
from video.api import JoinOut

from .api_support import CALLER, ERRORS, Token
from .auth import console_link, require_event

router = Router(tags=["console"], auth=console_link)


@router.get("/{token}/jitsi", response={200: JoinOut, 403: ErrorOut, **ERRORS}, url_name="console_jitsi",
            summary="Join data for the console's bridge: domain, room, signed JWT, display name",
            description="For the console's event (`event` picks one the bridge takes part in). 403 with the "
                        "reason when the bridge may not join (declined, a livestream viewer, not in the room "
                        "plan, the event cancelled); the page then shows the livestream or the reason. "
                        "`room` asks for a school room the bridge moderates (a district bridge's schools' "
                        "room): the token then makes it the room's owner; 403 for a room it does not own."
                        + CALLER)
def jitsi(request, token: Token, event: int | None = None, room: str | None = None):
    bridge = request.auth
    found = require_event(bridge, event)
    # A refusal (tokens.TokenRefused) answers 403 with its reason.
    return tokens.join_info(found, bridge, room=room or None)
