"""The HTTP API under /api/, described at /api/openapi.json. Each app contributes a router."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputInvalid
from ninja.security import django_auth

from attendance.api import router as attendance_router
from bridges.api import router as bridges_router
from bridges.api_import import router as bridges_import_router
from console.api import router as console_router
from core.api import router as core_router
from core.errors import Refused, invalid_input_body
from core.json_input import BoundedParser
from core.openapi import DocumentedAPI
from events.api import router as events_router
from followups.api import router as followups_router
from reports.api import router as reports_router
from reports.school_report_api import router as school_report_exports_router
from schoolreports.api import router as schoolreports_router
from training.api import router as training_router
from video.api import router as video_router

# DocumentedAPI: the schema also lists the refusals django-ninja answers before a view (core/openapi.py).
api = DocumentedAPI(
    title="diemcau API",
    version="1.0",
    description="Bridges, events, live attendance, certificates and reports. Session authentication "
    "(log in at /accounts/login/); school consoles authenticate with their secret token in the path.",
    urls_namespace="api",
    auth=django_auth,
    # JSON bodies bounded: depth, 64-bit integers, storable text (core/json_input.py); else a 400 saying which.
    parser=BoundedParser(),
)


# Every refusal answers in one shape (core.errors.ErrorOut): detail, code, errors, fields.


@api.exception_handler(Refused)
def refused(request, exc: Refused):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    # Django's own refusals (form-style validation in services): the same shape, per field when known.
    fields = exc.message_dict if hasattr(exc, "error_dict") else {}
    return api.create_response(request, Refused(_("The request was refused."), code="invalid", fields=fields).as_dict()
                               | {"errors": exc.messages}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, Refused(_("You do not have access to this."), code="forbidden").as_dict(),
                               status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, Refused(_("Not found."), code="not_found").as_dict(), status=404)


# django-ninja's own refusals, answered before a view runs, in the same shape.
HTTP_CODES = {400: "invalid", 401: "not_logged_in", 403: "forbidden", 404: "not_found", 429: "rate_limited"}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if isinstance(exc, AuthenticationError):
        message = _("Log in to use this.")
    elif str(exc).startswith("Cannot parse request body"):
        refusal = getattr(request, "input_refusal", None)  # the bound it crossed (core.json_input)
        message = refusal.message if refusal is not None else _("The request was not sent in the expected form.")
    else:
        message = str(exc)  # raised by a view with a translated message
    refusal = Refused(message, code=HTTP_CODES.get(exc.status_code, "refused"))
    return api.create_response(request, refusal.as_dict(), status=exc.status_code)


@api.exception_handler(InputInvalid)
def input_invalid(request, exc: InputInvalid):
    # A body, query or form value of the wrong type, or a required one missing: 422, one message per value.
    # loc is (source, name...) and, for a JSON body, (source, the view's parameter, name...).
    named = [({**error, "loc": tuple(loc[2:] if loc[:1] == ["body"] else loc[1:])})
             for error in exc.errors for loc in [list(error.get("loc", ()))]]
    return api.create_response(request, invalid_input_body(named), status=422)


api.add_router("/", core_router)
# Before the bridges router: its "/{code}" would otherwise take "imports".
api.add_router("/bridges/imports", bridges_import_router)
api.add_router("/bridges/", bridges_router)
api.add_router("/events/", events_router)
# /api/events/{event_id}/rooms..., /api/events/{event_id}/jitsi/token/{bridge_code}
api.add_router("/events/", video_router)
api.add_router("/attendance/", attendance_router)
# /api/attendance/events/{event_id}/report|exports, the paths reports had inside attendance.
api.add_router("/attendance/", reports_router)
# /api/attendance/events/{event_id}/followups, /followups/{id}/...
api.add_router("/attendance/", followups_router)
api.add_router("/training/", training_router)
# School reports: forms, rounds, rollups (the school's side is the console's /api/console/{token}/school-reports).
api.add_router("/school-reports/", schoolreports_router)
api.add_router("/school-reports/", school_report_exports_router)  # a round's workbook and CSV
# The school console: every read and write of its page, /api/console/{token}/... (the token is the credential).
api.add_router("/console/", console_router)
