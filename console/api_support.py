"""What the console's API operations share: the raw JSON body, its documentation, the error answers.

Console writes read their JSON body themselves instead of through a django-ninja schema: the
services are the one judge of what a school sends (a tick with a malformed nonce is still recorded
as an invalid attempt, a readiness result with an unknown field is refused with its name, a phone
number is checked by bridges.phones), so nothing may be refused before them with another answer.
The schemas below each operation only document the body (`documented`).
"""

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Path

from core.errors import ErrorOut, Refused
from core.json_input import BadJSON, loads

MAX_BODY_BYTES = 8 * 1024

# Every console operation may answer these: a refusal, or a 404 for a link that is not (or no
# longer) valid, or an event that is not on this console.
ERRORS = {400: ErrorOut, 404: ErrorOut}


def read_json(request, limit: int = MAX_BODY_BYTES) -> dict | None:
    """The JSON object posted, or None when the body is too large, nests too deep, holds a number past 64
    bits or text that cannot be stored (core.json_input), or is no JSON object."""
    return json_object(request.body, limit)


def json_object(raw: bytes, limit: int = MAX_BODY_BYTES) -> dict | None:
    """read_json of a body already read: what console/fast_path.py parses the writes' bodies with."""
    try:
        return _json_object(raw, limit)
    except BadJSON:
        return None


def _json_object(raw: bytes, limit: int) -> dict:
    if len(raw) > limit:
        raise BadJSON(_("The request is too large."), code="too_large")
    data = loads(raw or b"{}")
    if not isinstance(data, dict):
        raise BadJSON(_("The request was not sent in the expected form."))
    return data


def json_body(request, limit: int = MAX_BODY_BYTES, message: str | None = None) -> dict:
    """The JSON object posted, or a 400 refusal: `message`, else what core.json_input found wrong."""
    try:
        return _json_object(request.body, limit)
    except BadJSON as refusal:
        raise Refused(message or refusal.message, code="invalid") from None


def documented(schema) -> dict:
    """openapi_extra describing the JSON body an operation reads with json_body."""
    return {"requestBody": {"required": False, "content": {"application/json": {"schema": schema.model_json_schema()}}}}


# Who may call every console operation, said once and added to each one's description.
CALLER = (" Called by the school's console page, or any client holding its link: the token in the path is the "
          "credential, and an unknown or replaced link answers 404.")


# Every operation's {token}: the console link's secret, which is all the credential a school has.
Token = Annotated[str, Path(description="The secret token of the school's console link (/c/<token>/).")]
