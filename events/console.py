"""What events shows on a school's console: the programme, the answer (confirm or decline), the
readiness test and the contacts. Registered in events/apps.py (events.console_sections); the
writes go to the console's API (console/api_events.py), which calls events.services.console.
"""

from django.conf import settings

from bridges.models import Bridge

from .console_sections import ConsoleSection, register
from .forms import ContactsForm, DeclineForm
from .models import Event, Invitation, ParticipantGroup
from .services.console import OPEN_STATUSES, latest_test

# The readiness test downloads this much from the console's speed test route (which caps what it sends).
SPEEDTEST_BYTES = 2_000_000


def invitation_of(bridge: Bridge, event: Event | None) -> Invitation | None:
    """The bridge's invitation to the console's event (the host takes part without one)."""
    if event is None:
        return None
    return bridge.invitations.select_related("event", "event__host").filter(event=event).first()


def _programme(bridge, event, token):
    if event is None:
        return None
    return {
        "sessions": event.sessions.prefetch_related("agenda"),
        "participant_group": ParticipantGroup.objects.filter(event=event, tier_id=bridge.tier_id).first(),
    }


def _answer(bridge, event, token):
    invitation = invitation_of(bridge, event)
    if invitation is None:
        return None
    return {"is_open": event.status in OPEN_STATUSES, "decline_form": DeclineForm()}


def _readiness(bridge, event, token):
    invitation = invitation_of(bridge, event)
    if invitation is None or event.status not in OPEN_STATUSES or invitation.status == Invitation.Status.DECLINED:
        return None
    return {
        "last_test": latest_test(invitation),
        "readiness_config": {"event": event.pk, "wsPath": "/ws/ping/", "token": token,
                             "speedtestBytes": SPEEDTEST_BYTES, "jitsiDomain": settings.JITSI_DOMAIN},
    }


def _contacts(bridge, event, token):
    invitation = invitation_of(bridge, event)
    if invitation is None or event.status not in OPEN_STATUSES:
        return None
    return {"contacts_form": ContactsForm(initial=ContactsForm.initial_for(invitation))}


def register_sections() -> None:
    register(ConsoleSection("programme", 10, "events/console/_programme.html", _programme))
    register(ConsoleSection("confirm", 20, "events/console/_answer.html", _answer))
    register(ConsoleSection("readiness", 30, "events/console/_readiness.html", _readiness))
    register(ConsoleSection("contacts", 40, "events/console/_contacts.html", _contacts))
