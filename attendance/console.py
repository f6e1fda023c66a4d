"""What attendance shows on a school's console: the launch button (host bridge) and the live
section (bridge check-in, headcount, the roll-call QR, roster ticks and their undo). Registered in
attendance/apps.py, both on the launch-day first screen (the live section first); static/js/console_live.js
and console_launch.js read and write through the console's API (`urls.api.*`) and the websockets
/ws/console/<token>/ and /ws/launch/<token>/.
"""

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from events import participation
from events.console_sections import ConsoleSection, register

from .models import BridgeCheckIn
from .services import console_state, rollcall, roster


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
        "scannedAt": _("%(time)s by QR"),
        "undone": _("Tick undone: %(name)s"),
        "undoOffline": _("Not connected: the undo is kept and sent when the connection is back."),
        "fullscreen": _("Full screen"),
        "exitFullscreen": _("Exit full screen"),
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
        "people": roster.state(bridge, roll_call, now),
        "event_state": event_state(event, roll_call, now),
    }


def event_state(event, roll_call, now) -> str:
    """One line for the top of the live section: what is going on now."""
    if event is None:
        return ""
    if roll_call is not None:
        return _("Roll call open")
    if event.launched_at is not None:
        return _("Launched at %(when)s") % {"when": formats.time_format(timezone.localtime(event.launched_at), "H:i")}
    if participation.in_progress(event, now):
        return _("Under way")
    return _("Starts %(when)s") % {"when": formats.date_format(timezone.localtime(event.starts_at),
                                                                "SHORT_DATETIME_FORMAT")}


def _launch(bridge, event, token):
    if event is None:
        return None
    # The button shows only where the state answers can_press (the host bridge's console).
    return {"launch_token": token, "launch_title": event.title}


def register_sections() -> None:
    register(ConsoleSection("launch", 60, "attendance/_console_launch.html", _launch, live=20))
    register(ConsoleSection("live", 70, "attendance/_console_live.html", _live, live=10))
