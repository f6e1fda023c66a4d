"""`{% console_live %}`: the console's live-attendance section renders itself from the console page's
context (bridge, token, the event it shows), so the console view needs no change for it."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import BridgeCheckIn
from ..services import console_state, rollcall

register = template.Library()


def _strings() -> dict:
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


@register.inclusion_tag("attendance/_console_live.html", takes_context=True)
def console_live(context, bridge=None, token=None, event=None):
    bridge = bridge or context.get("bridge")
    token = token or context.get("token") or (bridge.console_token if bridge else "")
    event = event if event is not None else context.get("event")
    if bridge is None:
        return {"bridge": None}
    now = timezone.now()
    event = console_state.resolve_event(bridge, getattr(event, "pk", None), now)
    roll_call = rollcall.current_roll_call(event, now)
    qr_url = reverse("attendance_public:console_qr", args=[token]) + f"?event={event.pk}" if event else ""
    config = {
        "token": token, "bridgeId": bridge.pk, "eventId": event.pk if event else None,
        "wsPath": f"/ws/console/{token}/", "timeZone": settings.TIME_ZONE,
        "urls": {
            "live": reverse("attendance_public:console_live", args=[token]),
            "roster": reverse("attendance_public:console_roster", args=[token]),
            "checkin": reverse("attendance_public:console_checkin", args=[token]),
            "headcount": reverse("attendance_public:console_headcount", args=[token]),
            "tick": reverse("attendance_public:console_tick", args=[token]),
        },
        "strings": _strings(),
        "rollCall": {**rollcall.payload(roll_call), "qr_url": qr_url} if roll_call else None,
    }
    return {
        "bridge": bridge, "event": event, "token": token, "roll_call": roll_call, "qr_url": qr_url,
        "bridge_checkin": BridgeCheckIn.objects.filter(event=event, bridge=bridge).first() if event else None,
        "people": rollcall.roster_state(bridge, roll_call), "config": config,
    }
