"""The school's bridge console at /c/<token>/: no account, the secret token in the URL is the credential.

A replaced (rotated) token gets the "link not valid" page with status 404, on every sub-URL.
"""

import json
import os
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from bridges.services import bridge_by_console_token

from . import services
from .forms import ContactsForm, DeclineForm
from .models import ParticipantGroup
from .services.console import OPEN_STATUSES, latest_test

SPEEDTEST_DEFAULT_BYTES = 2_000_000
SPEEDTEST_MAX_BYTES = 10_000_000
READINESS_MAX_BODY = 4096


def _invalid(request, *, json_response: bool = False):
    if json_response:
        return JsonResponse({"detail": _("This console link is not valid.")}, status=404)
    return render(request, "bridges/console_invalid.html", status=404)


def _console_url(token: str, invitation=None) -> str:
    url = reverse("console", args=[token])
    return f"{url}?event={invitation.event_id}" if invitation is not None else url


def _render(request, bridge, token, invitation, *, contacts_form=None, decline_form=None, status=200):
    event = invitation.event if invitation else None
    context = {
        "bridge": bridge, "token": token, "invitation": invitation, "event": event,
        "invitations": list(services.console_invitations(bridge)),
        "people": bridge.people.all(),
    }
    if invitation is not None:
        context.update({
            "sessions": event.sessions.prefetch_related("agenda"),
            "participant_group": ParticipantGroup.objects.filter(event=event, tier_id=bridge.tier_id).first(),
            "last_test": latest_test(invitation),
            "is_open": event.status in OPEN_STATUSES,
            "contacts_form": contacts_form or ContactsForm(initial=ContactsForm.initial_for(invitation)),
            "decline_form": decline_form or DeclineForm(),
            "readiness_config": {
                "event": event.pk,
                "wsPath": "/ws/ping/",
                "token": token,
                "speedtestUrl": reverse("console_speedtest", args=[token]) + f"?bytes={SPEEDTEST_DEFAULT_BYTES}",
                "postUrl": reverse("console_readiness", args=[token]),
                "jitsiDomain": settings.JITSI_DOMAIN,
            },
        })
    return render(request, "events/console.html", context, status=status)


@never_cache
def console(request, token: str):
    bridge = bridge_by_console_token(token)
    if bridge is None:
        return _invalid(request)
    invitation = services.console_invitation(bridge, request.GET.get("event"))
    return _render(request, bridge, token, invitation)


def posted_invitation_action(view):
    """A console POST about one invitation: resolves the token and the posted event, or refuses."""

    @wraps(view)
    @require_POST
    def wrapper(request, token: str):
        bridge = bridge_by_console_token(token)
        if bridge is None:
            return _invalid(request)
        invitation = services.console_invitation(bridge, request.POST.get("event"))
        if invitation is None:
            messages.error(request, _("This event is not on your console."))
            return redirect(_console_url(token))
        return view(request, token, bridge, invitation)

    return wrapper


@posted_invitation_action
def confirm(request, token: str, bridge, invitation):
    try:
        services.console_confirm(invitation, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you: your attendance is confirmed. Now run the readiness test."))
    return redirect(_console_url(token, invitation))


@posted_invitation_action
def decline(request, token: str, bridge, invitation):
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _render(request, bridge, token, invitation, decline_form=form, status=400)
    try:
        services.console_decline(invitation, form.cleaned_data["reason"], request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your answer was recorded: your bridge will not attend."))
    return redirect(_console_url(token, invitation))


@posted_invitation_action
def contacts(request, token: str, bridge, invitation):
    form = ContactsForm(request.POST)
    if form.is_valid():
        try:
            services.console_update_contacts(invitation, form.cleaned_data, request=request)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Your contacts were saved."))
            return redirect(_console_url(token, invitation) + "#contacts")
    return _render(request, bridge, token, invitation, contacts_form=form, status=400)


@require_POST
def readiness(request, token: str):
    """The readiness test results as JSON, measured by static/js/console_readiness.js."""
    bridge = bridge_by_console_token(token)
    if bridge is None:
        return _invalid(request, json_response=True)
    if len(request.body) > READINESS_MAX_BODY:
        return JsonResponse({"detail": _("The test results are too large.")}, status=400)
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"detail": _("The test results were not sent in the expected form.")}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"detail": _("The test results were not sent in the expected form.")}, status=400)
    invitation = services.console_invitation(bridge, data.pop("event", None))
    if invitation is None:
        return JsonResponse({"detail": _("This event is not on your console.")}, status=400)
    try:
        test = services.record_readiness(invitation, data, request=request)
    except ValidationError as exc:
        return JsonResponse({"detail": _("The test results were refused."), "errors": exc.messages}, status=400)
    invitation.refresh_from_db(fields=["status", "problem"])
    return JsonResponse({
        "ok": test.ok, "problems": [problem["message"] for problem in test.problems],
        "status": invitation.status, "status_label": invitation.get_status_display(),
    })


@require_GET
def speedtest(request, token: str):
    """N random bytes (incompressible, never cached) for the console to time its download."""
    if bridge_by_console_token(token) is None:
        return _invalid(request)
    if is_ratelimited(request, group="console-speedtest", key=lambda _group, _request: token, rate="20/m",
                      increment=True):
        return HttpResponse(_("Too many speed tests; wait a minute."), status=429, content_type="text/plain")
    try:
        size = int(request.GET.get("bytes", SPEEDTEST_DEFAULT_BYTES))
    except ValueError:
        size = SPEEDTEST_DEFAULT_BYTES
    size = max(1, min(size, SPEEDTEST_MAX_BYTES))
    response = HttpResponse(os.urandom(size), content_type="application/octet-stream")
    response["Cache-Control"] = "no-store"
    response["Content-Length"] = str(size)
    return response
