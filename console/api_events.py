"""The console's part of events over the API: its state, confirm, decline, contacts, readiness.

Thin adapters over events.services.console and events.services.readiness; the event is chosen by
console.auth. The page's forms post here (static/js/console_forms.js) and show `message`.
"""

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema

from events import services
from events.services.console import CONTACT_FIELDS, latest_test

from .api_support import CALLER, ERRORS, Token, documented, json_body
from .auth import console_link, require_invitation

router = Router(tags=["console"], auth=console_link)

DeviceResult = Literal["ok", "not_allowed", "not_found", "unsupported", "error"]
READINESS_MAX_BYTES = 4096


class ConsoleInvitationOut(Schema):
    event_id: int
    title: str
    event_status: str
    starts_at: datetime
    ends_at: datetime
    status: str
    status_label: str
    problem: str
    expected_participants: int | None
    last_test_at: datetime | None


class AnsweredOut(ConsoleInvitationOut):
    message: str  # what the page shows, in the console's language


class StateOut(Schema):
    bridge_code: str
    bridge_name: str
    invitations: list[ConsoleInvitationOut]


class EventRefIn(Schema):
    event: int | None = None  # default: the console's current event


class DeclineIn(EventRefIn):
    reason: str = ""


class ContactsIn(EventRefIn):
    head_name: str | None = None
    head_role: str | None = None
    head_phone: str | None = None
    tech_name: str | None = None
    tech_phone: str | None = None
    email: str | None = None
    expected_participants: int | str | None = None


class ReadinessIn(EventRefIn):
    rtt_ms: float | None  # median websocket round trip
    download_mbps: float | None
    camera: DeviceResult
    microphone: DeviceResult
    jitsi_reachable: bool | None


class ReadinessTestOut(Schema):
    ok: bool
    problems: list[str]
    status: str
    status_label: str


def invitation_out(invitation, message: str | None = None) -> dict:
    test = latest_test(invitation)
    event = invitation.event
    out = {"event_id": event.pk, "title": event.title, "event_status": event.status, "starts_at": event.starts_at,
           "ends_at": event.ends_at, "status": invitation.status, "status_label": invitation.get_status_display(),
           "problem": invitation.problem, "expected_participants": invitation.expected_participants,
           "last_test_at": test.at if test else None}
    return out if message is None else {**out, "message": message}


@router.get("/{token}/", response={200: StateOut, **ERRORS}, url_name="console_state",
            summary="The console's bridge and the events it lists",
            description="The bridge the link belongs to and its invitations to announced events (a cancelled "
                        "one stays listed for a day after its end, so the school learns of it)." + CALLER)
def state(request, token: Token):
    bridge = request.auth
    return {"bridge_code": bridge.code, "bridge_name": bridge.name,
            "invitations": [invitation_out(inv) for inv in services.console_invitations(bridge)]}


@router.post("/{token}/confirm", response={200: AnsweredOut, **ERRORS}, url_name="console_confirm",
             summary="Confirm that the bridge attends", openapi_extra=documented(EventRefIn),
             description="Moves the invitation from invited (or declined) to confirmed, or straight to the result "
                         "of its latest readiness test. Refused once the event is no longer open." + CALLER)
def confirm(request, token: Token):
    data = json_body(request)
    invitation = services.console_confirm(require_invitation(request.auth, data.get("event")), request=request)
    return invitation_out(invitation, _("Thank you: your attendance is confirmed. Now run the readiness test."))


@router.post("/{token}/decline", response={200: AnsweredOut, **ERRORS}, url_name="console_decline",
             summary="Tell the organizers the bridge will not attend", openapi_extra=documented(DeclineIn),
             description="Records the answer with an optional reason (300 characters at most). The school may "
                         "confirm again later." + CALLER)
def decline(request, token: Token):
    data = json_body(request)
    invitation = require_invitation(request.auth, data.get("event"))
    invitation = services.console_decline(invitation, str(data.get("reason") or ""), request=request)
    return invitation_out(invitation, _("Your answer was recorded: your bridge will not attend."))


@router.post("/{token}/contacts", response={200: AnsweredOut, **ERRORS}, url_name="console_contacts",
             summary="Correct the bridge's contacts and its expected number of participants",
             openapi_extra=documented(ContactsIn),
             description="Only the fields sent change. Phones are normalized (bridges.phones), e-mail lowered; a "
                         "refusal names each wrong field in `fields`. The contacts are the bridge's, the expected "
                         "number is this event's." + CALLER)
def contacts(request, token: Token):
    data = json_body(request)
    invitation = require_invitation(request.auth, data.get("event"))
    values = {name: data[name] for name in (*CONTACT_FIELDS, "expected_participants") if name in data}
    invitation = services.console_update_contacts(invitation, values, request=request)
    return invitation_out(invitation, _("Your contacts were saved."))


@router.post("/{token}/readiness", response={200: ReadinessTestOut, **ERRORS}, url_name="console_readiness",
             summary="Record a readiness test run", openapi_extra=documented(ReadinessIn),
             description="What the console measured: websocket round trip, download speed, camera, microphone, "
                         "whether the video server answers. Judged by events.services.readiness (exact fields, "
                         "plausible ranges); sets the invitation to tested OK or problem." + CALLER)
def readiness(request, token: Token):
    data = json_body(request, READINESS_MAX_BYTES, _("The test results were not sent in the expected form."))
    invitation = require_invitation(request.auth, data.pop("event", None))
    test = services.record_readiness(invitation, data, request=request)
    invitation.refresh_from_db(fields=["status", "problem"])
    return {"ok": test.ok, "problems": [problem["message"] for problem in test.problems],
            "status": invitation.status, "status_label": invitation.get_status_display()}
