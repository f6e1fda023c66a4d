"""The HTTP API under /api/, described at /api/openapi.json. Each app contributes a router."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import django_auth

from attendance.api import router as attendance_router
from bridges.api import router as bridges_router
from core.api import router as core_router
from events.api import router as events_router
from training.api import router as training_router

api = NinjaAPI(
    title="diemcau API",
    version="1.0",
    description="Bridges, events, live attendance, certificates and reports. Session authentication "
    "(log in at /accounts/login/); school consoles authenticate with their secret token in the path.",
    urls_namespace="api",
    auth=django_auth,
)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": _("You do not have access to this.")}, status=403)


api.add_router("/", core_router)
api.add_router("/bridges/", bridges_router)
api.add_router("/events/", events_router)
api.add_router("/attendance/", attendance_router)
api.add_router("/training/", training_router)
