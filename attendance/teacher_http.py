"""What the two teacher endpoints answer, once for both ways in: the ninja routes of api_writes (the
test client, WSGI) and the fast ASGI path (fast_path.py) that serves them under uvicorn.

GET /api/attendance/qr/{code} opens a page (a single-use page token); POST .../checkin checks one person
in. Both take no session: the signed code is the credential. The rules are the services'
(teacher_checkin, qr, throttle, second_factor); here the input is shaped and the answer is built.
"""

from datetime import datetime

from pydantic import BaseModel

from bridges.models import Bridge
from core.bulk_sql import fetch
from events.models import Event

from .models import CheckInAttempt
from .services import qr, second_factor, teacher_names
from .services import teacher_checkin as scans
from .services.checkin import refused_error


class TeacherCheckInIn(BaseModel):
    # A plain pydantic model, not a ninja Schema: ninja takes it as the route's body alike (same OpenAPI
    # schema), and without Schema's wrap validator (its DjangoGetter, for reading ORM objects, which a
    # JSON body never is) the fast path's parse costs a tenth.
    nonce: str | None = None
    page_token: str | None = None  # from GET /qr/{code}; spent by a successful check-in
    identifier: str | None = ""
    person_id: int | None = None  # from GET /qr/{code}/names
    birth_year: str | None = ""
    second_factor: str | None = ""  # with person_id: what `second_factor` of GET /qr/{code} asks


# Plain pydantic models, as TeacherCheckInIn: the fast path validates every page load's answer through
# them, and ninja describes them alike.
class SecondFactorOut(BaseModel):
    kind: str  # screen_code or identifier_end
    label: str
    hint: str


class TeacherPageOut(BaseModel):
    page_token: str
    roll_call_id: int
    roll_call: str
    event: str
    bridge: str
    closes_at: datetime
    page_seconds: int
    second_factor: SecondFactorOut
    min_letters: int


def page_body(code: str, *, ip: str | None) -> dict:
    """The page's token and what the page shows; Refused when the code is refused (stored as an attempt)."""
    try:
        scanned, page_token = scans.open_page(code)
    except qr.QRRefused as refused:
        _status, body = scans.refuse_scan(refused, ip=ip)
        raise refused_error(body["outcome"], body["message"]) from None
    roll_call = scanned.roll_call
    # Two plain reads of the two names (core.bulk_sql): through the ORM's compiler they cost more than
    # the rest of a page load.
    [event] = fetch(Event, ("title",), {"id": [roll_call.session.event_id]})
    bridge = next(iter(fetch(Bridge, ("name",), {"id": [scanned.bridge_id]})), None)
    if bridge is None:  # a code of a bridge deleted since: refused as the check-in refuses it
        raise refused_error(CheckInAttempt.Outcome.FORGED_QR)
    return {"page_token": page_token, "roll_call_id": roll_call.pk, "roll_call": roll_call.label,
            "event": event.title, "bridge": bridge.name,
            "closes_at": roll_call.ends_at(), "page_seconds": qr.PAGE_SECONDS,
            "second_factor": second_factor.prompt(roll_call), "min_letters": teacher_names.MIN_LETTERS}


def checkin_answer(code: str, payload: TeacherCheckInIn, *, ip: str | None, user_agent: str = "",
                   device: str = "") -> tuple[int, dict]:
    """(status, body) of a check-in: 201 recorded, 200 already recorded, an error body beside the attempt's
    answer when refused. Raises Refused (throttled) when nothing was even tried."""
    return checkin_body(scans.self_check_in(code, ip=ip, user_agent=user_agent, device=device,
                                            **checkin_arguments(payload)))


def checkin_arguments(payload: TeacherCheckInIn) -> dict:
    """The service's keyword arguments for a check-in's input."""
    return {"page_token": payload.page_token, "identifier": payload.identifier or "", "person_id": payload.person_id,
            "birth_year": payload.birth_year or "", "second_factor": payload.second_factor or "",
            "nonce": payload.nonce}


def checkin_body(answer) -> tuple[int, dict]:
    """The HTTP answer of a check-in's service answer."""
    body = {**answer.body, "replayed": answer.replayed}
    if answer.status >= 400:
        body = {**refused_error(body["outcome"], body.get("message")).as_dict(), **body}
    return answer.status, body
