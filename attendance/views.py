"""Pages of the write side: the teacher's check-in page (/a/<code>) and the organizer's roll-call
pages (/attendance/...). The school console's reads and writes are the console app's API.

The teacher page is CSRF-exempt: its authority is the signed QR code and page token, and a phone
that refuses cookies must still be able to check in. The page never lists the roster: a teacher
without an identifier at hand finds their name by typing (teacher_names, with or without JavaScript).
"""

import secrets
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from bridges import scope
from bridges.models import Bridge, Person
from core import confirm
from core.audit import client_ip
from core.confirm import Confirmation
from core.errors import Refused
from events.access import get_event, get_event_object
from events.models import Event, Invitation

from .forms import OpenRollCallForm
from .models import CheckIn, CheckInAttempt, RollCall
from .services import qr, rollcall, second_factor, teacher_checkin, teacher_names

# --- Teacher page ---------------------------------------------------------------------------------

# The phone's device id (teacher_checkin.DEVICE_COOKIE) is set by the page and kept this long.
DEVICE_COOKIE_DAYS = 30


def _device(request) -> str:
    return teacher_checkin.device_of(request.COOKIES)


def _with_device_cookie(request, response):
    if not _device(request):
        response.set_cookie(teacher_checkin.DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=DEVICE_COOKIE_DAYS * 86400,
                            httponly=True, samesite="Lax", secure=request.is_secure())
    return response


def _teacher_form(request, code: qr.ScannedCode, page_token: str, *, error: str = "", status: int = 200,
                  posted=None, found=None):
    bridge = Bridge.objects.filter(pk=code.bridge_id).first()
    posted = posted or {}
    return _with_device_cookie(request, render(request, "attendance/teacher_checkin.html", {
        "roll_call": code.roll_call, "event": code.roll_call.session.event, "bridge": bridge,
        "page_token": page_token, "nonce": posted.get("nonce") or uuid.uuid4().hex,
        "error": error, "posted": posted, "found": found, "second_factor": second_factor.prompt(code.roll_call),
        "min_letters": teacher_names.MIN_LETTERS,
    }, status=status))


def _teacher_result(request, body: dict, status: int):
    response = render(request, "attendance/teacher_result.html", {"answer": body}, status=status)
    if status == 429:
        response["Retry-After"] = "60"
    return response


# The teacher can fix these on the same page; the others need a new scan.
_RETRYABLE = {CheckInAttempt.Outcome.UNKNOWN_PERSON, CheckInAttempt.Outcome.WRONG_BIRTH_YEAR,
              CheckInAttempt.Outcome.WRONG_CODE, CheckInAttempt.Outcome.INVALID}


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def teacher_page(request, code: str):
    return _teacher_page(request, code)


def _posted(request) -> dict:
    posted = request.POST
    return {key: posted.get(key, "")[:80] for key in ("identifier", "person", "q", "nonce")}


def _teacher_page(request, code: str):
    ip = client_ip(request)
    if request.method == "GET":
        try:
            scanned, page_token = teacher_checkin.open_page(code)
        except qr.QRRefused as refused:
            status, body = teacher_checkin.refuse_scan(refused, ip=ip)
            return _teacher_result(request, body, status)
        return _teacher_form(request, scanned, page_token)
    posted = request.POST
    page_token = posted.get("page", "")
    if "find" in posted:
        return _find_on_page(request, code, page_token)
    try:
        answer = teacher_checkin.self_check_in(
            code, page_token=page_token, identifier=posted.get("identifier", ""),
            person_id=posted.get("person") or None, birth_year=posted.get("birth_year", ""),
            second_factor=posted.get("second_factor", ""), nonce=posted.get("nonce", ""), ip=ip,
            user_agent=request.META.get("HTTP_USER_AGENT", ""), device=_device(request),
        )
    except Refused as refused:
        return _teacher_result(request, {"ok": False, "outcome": refused.code, "message": refused.message},
                               refused.status)
    if answer.body.get("outcome") in _RETRYABLE and not answer.replayed:
        try:
            scanned = qr.authenticate(code)
        except qr.QRRefused:
            scanned = None
        if scanned is not None and scanned.roll_call.is_open(timezone.now()):
            values = _posted(request)
            values["nonce"] = ""  # this submit was answered: the next one is a new write
            found = teacher_names.search(scanned.bridge_id, values["q"]) if values["q"] else None
            return _teacher_form(request, scanned, page_token, error=answer.body["message"],
                                 status=answer.status, posted=values, found=found)
    return _teacher_result(request, answer.body, answer.status)


def _find_on_page(request, code: str, page_token: str):
    """The page's name search without JavaScript: the same form again, with the matches."""
    values = _posted(request)
    try:
        found = teacher_checkin.find_names(code, page_token, values["q"], ip=client_ip(request))
        scanned = qr.authenticate(code)
    except Refused as refused:
        return _teacher_result(request, {"ok": False, "outcome": refused.code, "message": refused.message},
                               refused.status)
    return _teacher_form(request, scanned, page_token, posted=values, found=found)


@never_cache
@require_GET
def teacher_names_json(request, code: str):
    """Search-as-you-type for the teacher page: at most a few masked names (teacher_names)."""
    try:
        found = teacher_checkin.find_names(code, request.GET.get("page", ""), request.GET.get("q", ""),
                                           ip=client_ip(request))
    except Refused as refused:
        return JsonResponse(refused.as_dict(), status=refused.status)
    return JsonResponse(teacher_names.payload(found))


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
                                        window_seconds=data["window_seconds"], second_factor=data["second_factor"] or None,
                                        user=request.user, request=request)
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
             **{key: numbers.get(rc.pk, {}).get(key, 0) for key in ("present", "ticked", "foreign", "same_client")}}
            for rc in roll_calls]
    return render(request, "attendance/rollcall_list.html", {
        "event": event, "rows": rows, "form": form if can_open else None, "expected": expected,
        "any_open": any(row["open"] for row in rows),
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def rollcall_close(request, pk: int):
    roll_call = get_event_object(request.user, RollCall.objects.select_related("session"),
                                 event_path="session__event", manage=True, pk=pk)
    if roll_call.is_open(timezone.now()):
        # Asked first (core.confirm): how many checked in so far, and that the QR stops at once.
        present = CheckIn.objects.filter(roll_call=roll_call).count()
        if confirm.must_ask(request, present):
            return confirm.ask(request, _close_confirmation(request, roll_call, present))
    try:
        rollcall.close_roll_call(roll_call, user=request.user, request=request)
    except rollcall.RollCallError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The roll call is closed."))
    return redirect("attendance:rollcalls", event_id=roll_call.session.event_id)


def _close_confirmation(request, roll_call: RollCall, present: int) -> Confirmation:
    closes = timezone.localtime(roll_call.closes_at).strftime("%H:%M")
    return Confirmation(
        title=_("Close roll call “%(label)s”") % {"label": roll_call.label}, count=present,
        summary=ngettext("%(n)s person has checked in so far; the roll call closes now instead of at %(time)s.",
                         "%(n)s people have checked in so far; the roll call closes now instead of at %(time)s.",
                         present) % {"n": confirm.number(present), "time": closes},
        consequence=_("The QR code stops working on every console at once and nobody else can check in to this "
                      "roll call. A closed roll call is not reopened: open a new one if people are still coming."),
        action_url=request.path, cancel_url=reverse("attendance:rollcall", args=[roll_call.pk]),
        button=_("Close now"), danger=True,
    )


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
        "same_client": checkins.filter(same_client=True).count(),
    })
