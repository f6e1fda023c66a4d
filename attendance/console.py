"""What attendance shows on a school's console: the launch button (host bridge) and the live
section (bridge check-in, headcount, the roll-call QR, roster ticks). Registered in
attendance/apps.py; static/js/console_live.js and console_launch.js read and write through the
console's API (`urls.api.*`) and the websockets /ws/console/<token>/ and /ws/launch/<token>/.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from events.console_sections import ConsoleSection, register

from .models import BridgeCheckIn
from .services import console_state, rollcall


def live_strings() -> dict:
    """The words console_live.js puts on screen, translated here once."""
    return {
        "pending": _("%(count)s actions waiting to be sent"),
        "online": _("Connected"),
        "offline": _("Offline: what you do is kept and sent when the connection is back."),
        "checkedIn": _("Checked in at %(time)s"),
        "headcountSaved": _("Headcount saved: %(count)s"),
        "invalidLink": _("This console link is no longer valid. Ask the organizer or your district office for "
                         "the current link."),
        "closesAt": _("Open until %(time)s"),
        "waiting": _("waiting to be sent"),
    }


def _live(bridge, event, token):
    # Shown without an event too: its websocket keeps the console counted online and follows an
    # event as soon as the bridge is invited.
    now = timezone.now()
    roll_call = rollcall.current_roll_call(event, now)
    config = {
        "bridgeId": bridge.pk, "eventId": event.pk if event else None,
        "wsPath": f"/ws/console/{token}/", "timeZone": settings.TIME_ZONE,
        "strings": live_strings(),
        "rollCall": console_state.console_roll_call(bridge, roll_call),
    }
    return {
        "roll_call": roll_call, "config": config, "screen_code": (config["rollCall"] or {}).get("screen_code"),
        "bridge_checkin": BridgeCheckIn.objects.filter(event=event, bridge=bridge).first() if event else None,
        "people": rollcall.roster_state(bridge, roll_call),
    }


def _launch(bridge, event, token):
    if event is None:
        return None
    # The button shows only where the state answers can_press (the host bridge's console).
    return {"launch_token": token, "launch_title": event.title}


def register_sections() -> None:
    register(ConsoleSection("launch", 60, "attendance/_console_launch.html", _launch))
    register(ConsoleSection("live", 70, "attendance/_console_live.html", _live))
