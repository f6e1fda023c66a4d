"""Pages of the write side: the teacher's check-in page (/a/<code>) and the organizer's roll-call
pages (/attendance/...). The school console's reads and writes are the console app's API.

The teacher page is CSRF-exempt: its authority is the signed QR code and page token, and a phone
that refuses cookies must still be able to check in.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from bridges import scope
from bridges.models import Bridge, Person
from core.audit import client_ip
from events.access import get_event, get_event_object
from events.models import Event, Invitation

from .forms import OpenRollCallForm
from .models import CheckIn, CheckInAttempt, RollCall
from .services import qr, rollcall, teacher_checkin

# --- Teacher page ---------------------------------------------------------------------------------


def _roster_names(bridge_id: int):
    # Names only: birth dates and identifiers never reach this public page.
    return Person.objects.filter(bridge_id=bridge_id).order_by("name_key", "id").values_list("id", "full_name")


def _teacher_form(request, code: qr.ScannedCode, page_token: str, *, error: str = "", status: int = 200,
                  posted=None):
    bridge = Bridge.objects.filter(pk=code.bridge_id).first()
    return render(request, "attendance/teacher_checkin.html", {
        "roll_call": code.roll_call, "event": code.roll_call.session.event, "bridge": bridge,
        "people": _roster_names(code.bridge_id), "page_token": page_token, "nonce": uuid.uuid4().hex,
        "error": error, "posted": posted or {},
    }, status=status)


def _teacher_result(request, body: dict, status: int):
    return render(request, "attendance/teacher_result.html", {"answer": body}, status=status)


# The teacher can fix these on the same page; the others need a new scan.
_RETRYABLE = {CheckInAttempt.Outcome.UNKNOWN_PERSON, CheckInAttempt.Outcome.WRONG_BIRTH_YEAR,
              CheckInAttempt.Outcome.INVALID}


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def teacher_page(request, code: str):
    return _teacher_page(request, code)


def _teacher_page(request, code: str):
    if request.method == "GET":
        try:
            scanned = qr.verify(code)
        except qr.QRRefused as refused:
            status, body = teacher_checkin.refuse_scan(refused, ip=client_ip(request))
            return _teacher_result(request, body, status)
        return _teacher_form(request, scanned, qr.make_page_token(scanned))
    posted = request.POST
    answer = teacher_checkin.self_check_in(
        code, page_token=posted.get("page", ""), identifier=posted.get("identifier", ""),
        person_id=posted.get("person") or None, birth_year=posted.get("birth_year", ""),
        nonce=posted.get("nonce", ""), ip=client_ip(request),
    )
    if answer.body.get("outcome") in _RETRYABLE and not answer.replayed:
        try:
            scanned = qr.authenticate(code)
        except qr.QRRefused:
            scanned = None
        if scanned is not None and scanned.roll_call.is_open(timezone.now()):
            return _teacher_form(request, scanned, posted.get("page", ""), error=answer.body["message"],
                                 status=answer.status, posted={"person": posted.get("person", ""),
                                                               "identifier": posted.get("identifier", "")})
    return _teacher_result(request, answer.body, answer.status)


# --- Organizer pages ------------------------------------------------------------------------------


def _event_for(request, event_id: int) -> Event:
    scope.require_role(request.user)
    return get_event(request.user, event_id)


@login_required
@require_http_methods(["GET", "POST"])
def rollcall_list(request, event_id: int):
    event = _event_for(request, event_id)
    can_open = scope.is_organizer(request.user)
    form = OpenRollCallForm(event=event)
    if request.method == "POST":
        if not can_open:
            raise PermissionDenied
        form = OpenRollCallForm(request.POST, event=event)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rollcall.open_roll_call(data["session"], label=data["label"], minutes=data["minutes"],
                                        window_seconds=data["window_seconds"], user=request.user, request=request)
            except rollcall.RollCallError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The roll call is open: every console now shows its QR code."))
                return redirect("attendance:rollcalls", event_id=event.pk)
    roll_calls = list(RollCall.objects.filter(session__event=event).select_related("session").order_by("-opened_at"))
    visible = scope.visible_bridges(request.user)
    numbers = rollcall.counts(roll_calls, None if scope.role_of(request.user).scope is None else visible)
    expected = Person.objects.filter(bridge__in=visible, bridge__invitations__event=event).count()
    now = timezone.now()
    rows = [{"roll_call": rc, "open": rc.is_open(now),
             **{key: numbers.get(rc.pk, {}).get(key, 0) for key in ("present", "ticked", "foreign")}}
            for rc in roll_calls]
    return render(request, "attendance/rollcall_list.html", {
        "event": event, "rows": rows, "form": form if can_open else None, "expected": expected,
        "any_open": any(row["open"] for row in rows),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def rollcall_close(request, pk: int):
    roll_call = get_event_object(request.user, RollCall.objects.select_related("session"),
                                 event_path="session__event", manage=True, pk=pk)
    try:
        rollcall.close_roll_call(roll_call, user=request.user, request=request)
    except rollcall.RollCallError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The roll call is closed."))
    return redirect("attendance:rollcalls", event_id=roll_call.session.event_id)


@login_required
def rollcall_detail(request, pk: int):
    roll_call = get_event_object(request.user, RollCall.objects.select_related("session__event"),
                                 event_path="session__event", pk=pk)
    visible = scope.visible_bridges(request.user)
    checkins = (CheckIn.objects.filter(roll_call=roll_call, bridge__in=visible)
                .select_related("person", "person__bridge", "bridge").order_by("bridge__path", "at"))
    attempts = CheckInAttempt.objects.filter(roll_call=roll_call)
    if scope.role_of(request.user).scope is not None:
        attempts = attempts.filter(bridge__in=visible)
    refused = attempts.exclude(outcome__in=[CheckInAttempt.Outcome.ACCEPTED, CheckInAttempt.Outcome.DUPLICATE])
    outcome_labels = dict(CheckInAttempt.Outcome.choices)
    by_outcome = [
        {"outcome": row["outcome"], "label": outcome_labels.get(row["outcome"], row["outcome"]), "n": row["n"]}
        for row in attempts.values("outcome").annotate(n=Count("id")).order_by("-n")
    ]
    return render(request, "attendance/rollcall_detail.html", {
        "roll_call": roll_call, "event": roll_call.session.event, "open": roll_call.is_open(timezone.now()),
        "checkins": Paginator(checkins, 200).get_page(request.GET.get("page")),
        "by_outcome": by_outcome,
        "refused": refused.select_related("bridge", "person")[:100],
        "can_close": scope.is_organizer(request.user),
        "invited": Invitation.objects.filter(event=roll_call.session.event, bridge__in=visible).count(),
    })
