"""The school console over HTTP (/api/console/{token}/...): no account, the secret token is checked.

The same rules as the console page (events.services); a replaced token answers 404.
"""

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from bridges.services import bridge_by_console_token

from . import services
from .services.console import latest_test

router = Router(tags=["console"], auth=None)

DeviceResult = Literal["ok", "not_allowed", "not_found", "unsupported", "error"]


class ErrorOut(Schema):
    detail: str
    errors: list[str] = []


class ConsoleInvitationOut(Schema):
    event_id: int
    title: str
    event_status: str
    starts_at: datetime
    ends_at: datetime
    status: str
    problem: str
    expected_participants: int | None
    last_test_at: datetime | None


class ConsoleOut(Schema):
    bridge_code: str
    bridge_name: str
    invitations: list[ConsoleInvitationOut]


class EventRefIn(Schema):
    event: int | None = None  # default: the console's next event


class DeclineIn(EventRefIn):
    reason: str = ""


class ContactsIn(EventRefIn):
    head_name: str | None = None
    head_role: str | None = None
    head_phone: str | None = None
    tech_name: str | None = None
    tech_phone: str | None = None
    email: str | None = None
    expected_participants: int | None = None


class ReadinessIn(EventRefIn):
    rtt_ms: float | None  # median websocket round trip
    download_mbps: float | None
    camera: DeviceResult
    microphone: DeviceResult
    jitsi_reachable: bool | None


class ReadinessOut(Schema):
    ok: bool
    problems: list[str]
    status: str


def _invitation_out(invitation) -> dict:
    test = latest_test(invitation)
    event = invitation.event
    return {"event_id": event.pk, "title": event.title, "event_status": event.status, "starts_at": event.starts_at,
            "ends_at": event.ends_at, "status": invitation.status, "problem": invitation.problem,
            "expected_participants": invitation.expected_participants, "last_test_at": test.at if test else None}


def _invitation(token: str, event_id):
    """(invitation, error answer)."""
    bridge = bridge_by_console_token(token)
    if bridge is None:
        return None, Status(404, {"detail": _("This console link is not valid.")})
    invitation = services.console_invitation(bridge, event_id)
    if invitation is None:
        return None, Status(404, {"detail": _("This event is not on your console.")})
    return invitation, None



@router.get("/{token}/", response={200: ConsoleOut, 404: ErrorOut}, summary="The console's bridge and its events")
def console(request, token: str):
    bridge = bridge_by_console_token(token)
    if bridge is None:
        return Status(404, {"detail": _("This console link is not valid.")})
    return Status(200, {"bridge_code": bridge.code, "bridge_name": bridge.name,
                        "invitations": [_invitation_out(inv) for inv in services.console_invitations(bridge)]})


@router.post("/{token}/confirm", response={200: ConsoleInvitationOut, 400: ErrorOut, 404: ErrorOut},
             summary="Confirm the bridge attends")
def confirm(request, token: str, payload: EventRefIn):
    invitation, error = _invitation(token, payload.event)
    if error:
        return error
    invitation = services.console_confirm(invitation, request=request)
    return Status(200, _invitation_out(invitation))


@router.post("/{token}/decline", response={200: ConsoleInvitationOut, 400: ErrorOut, 404: ErrorOut},
             summary="Tell the organizers the bridge will not attend")
def decline(request, token: str, payload: DeclineIn):
    invitation, error = _invitation(token, payload.event)
    if error:
        return error
    invitation = services.console_decline(invitation, payload.reason, request=request)
    return Status(200, _invitation_out(invitation))


@router.post("/{token}/contacts", response={200: ConsoleInvitationOut, 400: ErrorOut, 404: ErrorOut},
             summary="Correct the bridge's contacts and expected number of participants")
def contacts(request, token: str, payload: ContactsIn):
    invitation, error = _invitation(token, payload.event)
    if error:
        return error
    data = payload.dict(exclude_unset=True)
    data.pop("event", None)
    invitation = services.console_update_contacts(invitation, data, request=request)
    return Status(200, _invitation_out(invitation))


@router.post("/{token}/readiness", response={200: ReadinessOut, 400: ErrorOut, 404: ErrorOut},
             summary="Record a readiness test run (round trip, download, camera, microphone, video server)")
def readiness(request, token: str, payload: ReadinessIn):
    invitation, error = _invitation(token, payload.event)
    if error:
        return error
    data = payload.dict()
    data.pop("event", None)
    test = services.record_readiness(invitation, data, request=request)
    invitation.refresh_from_db(fields=["status"])
    return Status(200, {"ok": test.ok, "problems": [p["message"] for p in test.problems], "status": invitation.status})
