"""The console's technical test: checking what the browser measured, judging it, and the summaries.

Thresholds: a live connection that answers within 300 ms, at least 2 Mbit/s of download (one
720p video stream needs about 1.5), camera and microphone that the browser may open, and the
video server reachable from the school's network.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from bridges.models import Tier
from bridges.scope import role_of, scope_path_of
from bridges.services import console_actor
from bridges.tree import district_of, intermediate_bridges, unit_order
from core import audit, numbers

from .. import participation
from ..models import Event, Invitation, ReadinessTest
from .console import _require_open

RTT_MAX_MS = 300
DOWNLOAD_MIN_MBPS = 2.0
DEVICE_RESULTS = ("ok", "not_allowed", "not_found", "unsupported", "error")
RESULT_FIELDS = ("rtt_ms", "download_mbps", "camera", "microphone", "jitsi_reachable")
_RANGES = {"rtt_ms": (0, 60000), "download_mbps": (0, 100000)}
FIELD_LABELS = {"rtt_ms": _lazy("round trip time (ms)"), "download_mbps": _lazy("download speed (Mbit/s)"),
                "camera": _lazy("camera"), "microphone": _lazy("microphone"),
                "jitsi_reachable": _lazy("video server reachable")}


def parse_readiness(data) -> dict:
    """Check the posted results strictly: exact fields, right types, plausible ranges."""
    if not isinstance(data, dict):
        raise ValidationError(_("The test results were not sent in the expected form."))
    errors = []
    unknown = sorted(set(data) - set(RESULT_FIELDS))
    if unknown:
        errors.append(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(str(name)[:40] for name in unknown[:5])})
    values = {}
    for name, (low, high) in _RANGES.items():
        if name not in data:
            errors.append(_("Missing result: %(field)s.") % {"field": FIELD_LABELS[name]})
            continue
        value = data[name]
        if value is None:
            values[name] = None
        elif (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
              or not low <= value <= high):
            errors.append(_("%(field)s must be a number between %(min)s and %(max)s.") % {
                "field": str(FIELD_LABELS[name]).capitalize(), "min": low, "max": high})
        else:
            values[name] = float(value)
    for name in ("camera", "microphone"):
        value = data.get(name)
        if value not in DEVICE_RESULTS:
            errors.append(_("%(field)s must be one of: %(choices)s.") % {
                "field": str(FIELD_LABELS[name]).capitalize(), "choices": ", ".join(DEVICE_RESULTS)})
        else:
            values[name] = value
    reachable = data.get("jitsi_reachable", "missing")
    if reachable is not None and not isinstance(reachable, bool):
        errors.append(_("%(field)s must be true, false or null.") % {
            "field": str(FIELD_LABELS["jitsi_reachable"]).capitalize()})
    else:
        values["jitsi_reachable"] = reachable
    if errors:
        raise ValidationError(errors)
    return values


def _device_problem(label: str, result: str) -> str | None:
    reasons = {
        "not_allowed": _("%(device)s: not allowed by the browser"),
        "not_found": _("%(device)s: none found"),
        "unsupported": _("%(device)s: this browser cannot open it (use an up-to-date browser and the https link)"),
        "error": _("%(device)s: could not be opened (is another program using it?)"),
    }
    return reasons[result] % {"device": label} if result in reasons else None


def evaluate_readiness(values: dict) -> list[dict]:
    """What failed, as [{code, message}], worded in the site's language for the organizers' lists."""
    problems = []
    with translation.override(settings.LANGUAGE_CODE):
        rtt = values.get("rtt_ms")
        if rtt is None:
            problems.append(("websocket", _("The live connection (websocket) could not be opened")))
        elif rtt > RTT_MAX_MS:
            problems.append(("rtt", _("Slow connection: %(ms)s ms round trip (needs under %(max)s ms)") % {
                "ms": numbers.grouped(rtt), "max": numbers.grouped(RTT_MAX_MS)}))
        download = values.get("download_mbps")
        if download is None:
            problems.append(("download", _("The download speed could not be measured")))
        elif download < DOWNLOAD_MIN_MBPS:
            problems.append(("download", _("Download too slow: %(mbps)s Mbit/s (needs at least %(min)s)") % {
                "mbps": numbers.grouped(download, 1), "min": numbers.grouped(DOWNLOAD_MIN_MBPS)}))
        for name, label in (("camera", _("camera")), ("microphone", _("microphone"))):
            text = _device_problem(label.capitalize(), values.get(name, "error"))
            if text:
                problems.append((name, text))
        if values.get("jitsi_reachable") is not True:
            problems.append(("jitsi", _("The video server (%(domain)s) cannot be reached from this network") % {
                "domain": settings.JITSI_DOMAIN}))
    return [{"code": code, "message": str(message)} for code, message in problems]


def problem_text(problems: list[dict]) -> str:
    return "; ".join(problem["message"] for problem in problems)[:300]


def build_test(invitation: Invitation, values: dict, *, user_agent: str = "") -> ReadinessTest:
    problems = evaluate_readiness(values)
    return ReadinessTest(
        invitation=invitation, rtt_ms=values.get("rtt_ms"), download_mbps=values.get("download_mbps"),
        camera_ok=values.get("camera") == "ok", microphone_ok=values.get("microphone") == "ok",
        jitsi_reachable=values.get("jitsi_reachable"), ok=not problems, problems=problems,
        user_agent=(user_agent or "")[:300],
    )


@transaction.atomic
def record_readiness(invitation: Invitation, data, *, request=None) -> ReadinessTest:
    """Store one test run and move the invitation to tested OK / problem.

    Running the test counts as confirming attendance; a school that declined stays declined.
    """
    values = parse_readiness(data)
    _require_open(invitation)
    invitation = Invitation.objects.select_for_update().select_related("event", "bridge").get(pk=invitation.pk)
    user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    test = build_test(invitation, values, user_agent=user_agent)
    test.save()
    fields = ["problem"]
    invitation.problem = problem_text(test.problems)
    if invitation.status != Invitation.Status.DECLINED:
        invitation.status = Invitation.Status.TESTED_OK if test.ok else Invitation.Status.PROBLEM
        fields.append("status")
    if invitation.responded_at is None:
        invitation.responded_at = timezone.now()
        fields.append("responded_at")
    invitation.save(update_fields=fields)
    audit.record("console.readiness", request=request, actor_label=console_actor(invitation.bridge),
                 target=invitation, summary=invitation.bridge.code,
                 details={"ok": test.ok, "problems": [problem["code"] for problem in test.problems]})
    return test


# --- summaries ------------------------------------------------------------------------------

def scoped_invitations(event: Event, user) -> QuerySet[Invitation]:
    """The event's invitations of bridges in the user's scope."""
    role = role_of(user)
    if role is None:
        return Invitation.objects.none()
    invitations = event.invitations.all()
    path = scope_path_of(role)
    if path is not None:
        invitations = invitations.filter(bridge__path__startswith=path)
    return invitations


# The count each invitation status adds to; "untested" is a confirmation without a test yet.
_BUCKETS = {Invitation.Status.INVITED: "invited", Invitation.Status.CONFIRMED: "untested",
            Invitation.Status.TESTED_OK: "tested_ok", Invitation.Status.PROBLEM: "problem",
            Invitation.Status.DECLINED: "declined"}


@dataclass
class DistrictCounts:
    code: str
    name: str
    invited: int = 0
    untested: int = 0
    tested_ok: int = 0
    problem: int = 0
    declined: int = 0

    @property
    def total(self) -> int:
        return self.invited + self.untested + self.tested_ok + self.problem + self.declined

    @property
    def confirmed(self) -> int:
        """All that confirmed, as `participation.is_confirmed` says (tested or not, passed or not)."""
        return sum(getattr(self, _BUCKETS[status]) for status in participation.CONFIRMED_STATUSES)

    @property
    def ready_percent(self) -> int:
        return round(100 * self.tested_ok / self.total) if self.total else 0

    @property
    def ready_share(self) -> float:
        """Tested OK of those invited, in percent unrounded: the page writes it as 87,6 % ({{ x|pct }})."""
        return 100 * self.tested_ok / self.total if self.total else 0.0

    def add(self, status: str) -> None:
        bucket = _BUCKETS[status]
        setattr(self, bucket, getattr(self, bucket) + 1)

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "total": self.total, "invited": self.invited,
                "confirmed": self.confirmed, "untested": self.untested, "tested_ok": self.tested_ok,
                "problem": self.problem, "declined": self.declined, "ready_percent": self.ready_percent}


@dataclass
class ReadinessSummary:
    district_label: str
    rows: list[DistrictCounts]
    totals: DistrictCounts
    # Each a list of dicts: invitation id, bridge code/name/district, phone, status, problem, reminders...
    not_confirmed: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    untested: list[dict] = field(default_factory=list)
    declined: list[dict] = field(default_factory=list)
    generated_at: datetime | None = None


def readiness_summary(event: Event, user) -> ReadinessSummary:
    """Counts per district and the lists to chase, within the user's scope, in a constant number of queries."""
    latest_test = ReadinessTest.objects.filter(invitation=OuterRef("pk")).order_by("-at", "-id")
    rows = (
        scoped_invitations(event, user)
        .annotate(last_test_at=Subquery(latest_test.values("at")[:1]))
        .order_by("bridge__path")
        .values("id", "status", "problem", "decline_reason", "reminder_count", "last_reminded_at", "responded_at",
                "last_test_at", "bridge__code", "bridge__name", "bridge__path", "bridge__head_name",
                "bridge__head_phone", "bridge__tech_name", "bridge__tech_phone", "bridge__email")
    )
    districts = intermediate_bridges()
    intermediate = Tier.objects.filter(role=Tier.Role.INTERMEDIATE).order_by("order").first()
    outside = DistrictCounts(code="", name=_("Host and other bridges"))
    by_district: dict[str, DistrictCounts] = {}
    totals = DistrictCounts(code="", name=_("Total"))
    summary = ReadinessSummary(
        district_label=intermediate.label if intermediate else _("District"), rows=[], totals=totals,
        generated_at=timezone.now(),
    )
    lists = {Invitation.Status.INVITED: summary.not_confirmed, Invitation.Status.PROBLEM: summary.problems,
             Invitation.Status.CONFIRMED: summary.untested, Invitation.Status.DECLINED: summary.declined}
    for row in rows:
        district = district_of(row["bridge__path"], districts)
        if district is None:
            counts = outside
        else:
            counts = by_district.get(district["code"])
            if counts is None:
                counts = by_district[district["code"]] = DistrictCounts(code=district["code"], name=district["name"])
        counts.add(row["status"])
        totals.add(row["status"])
        target = lists.get(row["status"])
        if target is not None:
            target.append({
                "id": row["id"], "code": row["bridge__code"], "name": row["bridge__name"],
                "district": district["name"] if district else "",
                "contact": row["bridge__tech_name"] or row["bridge__head_name"],
                "phone": row["bridge__tech_phone"] or row["bridge__head_phone"],
                "has_email": bool(row["bridge__email"]),
                "status": row["status"], "problem": row["problem"], "decline_reason": row["decline_reason"],
                "reminder_count": row["reminder_count"], "last_reminded_at": row["last_reminded_at"],
                "last_test_at": row["last_test_at"],
            })
    summary.rows = ([outside] if outside.total else []) + sorted(by_district.values(), key=lambda c: unit_order(c.code, c.name))
    return summary


def latest_test(bridge) -> ReadinessTest | None:
    """The bridge's most recent readiness test, whatever the event (what a school report pre-fills from)."""
    return ReadinessTest.objects.filter(invitation__bridge=bridge).order_by("-at", "-id").first()
