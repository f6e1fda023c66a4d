"""The reports page for officials and the attendance exports (direct download or background job)."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attendance.models import RollCall
from bridges import scope
from bridges.models import Tier
from bridges.tree import unit_order
from core import numbers
from core.audit import client_ip
from core.jobs.access import visible_jobs
from events.access import get_event
from events.models import Event
from followups.models import FollowUpForm

from . import data, export
from .cells import date_text
from .filters import ReportError, ReportFilters, resolve
from .sheets import _readiness_text, summary_table

# Above this many bridges the page shows the districts only (the workbook has every bridge).
PAGE_BRIDGE_LIMIT = 150
# Roll calls whose "present" columns stay in the table at 1366 px; with more, they move to each row's details.
PAGE_ROLL_CALL_COLUMNS = 3


def _filter_args(source) -> dict:
    return {"district": source.get("district", ""), "tier": source.get("tier", ""),
            "roll_calls": source.getlist("rc")}


def _query(filters: ReportFilters) -> str:
    params = filters.as_params()
    pairs = [("district", params["district"]), ("tier", params["tier"])] + [("rc", i) for i in params["roll_calls"]]
    return urlencode([(k, v) for k, v in pairs if v])


@login_required
@require_GET
def reports_index(request):
    role = scope.require_role(request.user)
    events = Event.objects.exclude(status=Event.Status.DRAFT).select_related("host").order_by("-starts_at")[:100]
    return render(request, "reports/reports_index.html", {"events": events, "role": role})


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else 100 * fraction


def _chart_rows(report: data.AttendanceReport) -> list[dict]:
    """Bars for the page: attendance rate and completion per district, as percentages for CSS widths."""
    rows = []
    for group in report.groups:
        rate = report.rate(group)
        done = data.share(group.completed, group.teachers)
        rows.append({"name": group.name, "rate": None if rate is None else round(min(rate, 1) * 100, 1),
                     "completed": None if done is None else round(done * 100, 1)})
    return rows


def _columns_in_view(report: data.AttendanceReport) -> list:
    """The held roll calls whose "present" figures are columns of the page's tables (the rest: details)."""
    held = [rc for rc in report.roll_calls if rc.held]
    return held if len(held) <= PAGE_ROLL_CALL_COLUMNS else []


class _Figures:
    """core.numbers for a page's details, each distinct value written once (a district's page repeats the
    same small counts across its bridges; writing a number costs ~50 µs)."""

    def __init__(self):
        self._seen: dict[tuple, str] = {}

    def num(self, value, places: int = 0) -> str:
        key = ("n", value, places)
        if key not in self._seen:
            self._seen[key] = numbers.grouped(value, places)
        return self._seen[key]

    def ratio(self, part, whole) -> str:
        key = ("r", part, whole)
        if key not in self._seen:
            self._seen[key] = numbers.ratio_percent(part, whole)
        return self._seen[key]


def _present_details(report, counts: dict, expected: int, in_view: list, f: _Figures) -> list[tuple[str, str]]:
    details = []
    for rc in report.roll_calls:
        if not rc.held:
            continue
        n = counts.get(rc.id, 0)
        if rc not in in_view:
            details.append((_("Present: %(label)s") % {"label": rc.label}, f.num(n)))
        details.append((_("Present (%%): %(label)s") % {"label": rc.label}, f.ratio(n, expected)))
    return details


def _group_rows(report: data.AttendanceReport, groups, in_view: list) -> list[dict]:
    """A district's (or the total's) row at 1366 px: attendance and completion in columns, the rest in details."""
    f = _Figures()
    rows = []
    for g in groups:
        rows.append({
            "name": g.name or _("Total"), "invited": g.invited, "confirmed": g.confirmed, "checked_in": g.checked_in,
            "expected": g.expected, "present": [g.present.get(rc.id, 0) for rc in in_view],
            "rate": _percent(report.rate(g)), "completed": g.completed,
            "completed_pct": _percent(data.share(g.completed, g.teachers)), "certificates": g.certificates,
            "details": [
                (_("Confirmed (%)"), f.ratio(g.confirmed, g.invited)),
                (_("Bridges tested OK"), f.num(g.tested)),
                (_("Checked in (%)"), f.ratio(g.checked_in, g.invited)),
                (_("Minutes connected (mean per bridge)"), f.num(g.mean_minutes, 1)),
                (_("People present (headcount)"), f.num(g.headcount)),
                *_present_details(report, g.present, g.expected, in_view, f),
                (_("Teachers on the rosters"), f.num(g.teachers)),
                (_("With certificate (%)"), f.ratio(g.certificates, g.teachers)),
                (_("Check-ins flagged: many from one device"), f.num(g.flagged)),
            ],
        })
    return rows


def _bridge_rows(report: data.AttendanceReport, in_view: list) -> list[dict]:
    f = _Figures()
    rows = []
    held = [rc.id for rc in report.roll_calls if rc.held]
    for b in report.bridges:
        rate = (sum(b.present.get(i, 0) for i in held) / (b.expected * len(held))) if b.expected and held else None
        rows.append({
            "name": b.name, "code": b.code, "status": b.status_label, "readiness": _readiness_text(b),
            "checked_in_at": b.checked_in_at, "expected": b.expected,
            "present": [b.present.get(rc.id, 0) for rc in in_view], "rate": _percent(rate),
            "completed": b.completed, "completed_pct": _percent(data.share(b.completed, b.teachers)),
            "certificates": b.certificates,
            "details": [
                (_("Tier"), b.tier_label), (_("District"), b.district_name),
                (_("Tested at"), date_text(b.readiness_at) if b.readiness_at else numbers.EMPTY),
                (_("People present (headcount)"), f.num(b.headcount)),
                (_("Minutes connected"), f.num(b.minutes, 1)),
                *_present_details(report, b.present, b.expected, in_view, f),
                (_("Teachers on the rosters"), f.num(b.teachers)),
                (_("Check-ins flagged: many from one device"), f.num(b.flagged)),
                (_("Head contact"), " · ".join(x for x in (b.head_name, b.head_phone) if x) or numbers.EMPTY),
                (_("Technical contact"), " · ".join(x for x in (b.tech_name, b.tech_phone) if x) or numbers.EMPTY),
                (_("E-mail"), b.email or numbers.EMPTY),
            ],
        })
    return rows


@login_required
@require_GET
def reports_page(request, event_id: int):
    role = scope.require_role(request.user)
    event = get_event(request.user, event_id)
    status = 200
    try:
        filters = resolve(event, request.user, role=role, **_filter_args(request.GET))
    except ReportError as exc:
        messages.error(request, exc.user_message)
        filters, status = resolve(event, request.user, role=role), 400
    report = data.summarise(event, filters)
    summary = summary_table(report)
    in_view = _columns_in_view(report)
    job = None
    job_id = request.GET.get("job", "")
    if job_id.isdigit():
        job = visible_jobs(request.user).filter(pk=int(job_id), kind=export.EXPORT_JOB).first()
    visible = scope.visible_bridges(request.user)
    return render(request, "reports/reports.html", {
        "event": event, "report": report, "filters": filters, "summary": summary, "rc_in_view": in_view,
        "group_rows": _group_rows(report, report.groups, in_view),
        "total_row": _group_rows(report, [report.total], in_view)[0] if report.groups else None,
        "bridge_rows": _bridge_rows(report, in_view) if len(report.bridges) <= PAGE_BRIDGE_LIMIT else None,
        "chart": _chart_rows(report), "job": job,
        "query": _query(filters),
        "present_figures": [(rc.label, report.total.present.get(rc.id, 0)) for rc in report.roll_calls if rc.held],
        "districts": sorted(visible.filter(tier__role=Tier.Role.INTERMEDIATE).values("code", "name"),
                            key=lambda d: unit_order(d["code"], d["name"])),
        "tiers": Tier.objects.all(), "all_roll_calls": RollCall.objects.filter(session__event=event)
        .order_by("opened_at", "id"),
        "direct_limit": export.DIRECT_LIMIT, "estimated": export.estimated_rows(event, filters),
        "followups": FollowUpForm.objects.filter(event=event),
        "can_open_followup": scope.is_organizer(request.user), "tab": "reports",
    }, status=status)


@login_required
@require_POST
def export_attendance(request, event_id: int):
    role = scope.require_role(request.user)
    event = get_event(request.user, event_id)
    page = reverse("reports:reports", args=[event.pk])
    try:
        filters = resolve(event, request.user, role=role, **_filter_args(request.POST))
        fmt = export.check_format(request.POST.get("format", export.XLSX))
        sheet = export.check_sheet(request.POST.get("sheet", "summary")) if fmt == export.CSV else None
    except ReportError as exc:
        messages.error(request, exc.user_message)
        return redirect(page)
    query = _query(filters)
    background = request.POST.get("background") == "1"
    if background or export.estimated_rows(event, filters) > export.DIRECT_LIMIT:
        job = export.start_job(event, filters, user=request.user, fmt=fmt, sheet=sheet, ip=client_ip(request))
        messages.info(request, _("The export is being prepared; the download link appears when it is ready."))
        return redirect(f"{page}?{query}{'&' if query else ''}job={job.pk}")
    buffer = io.BytesIO()
    _report, rows = export.write(event, filters, buffer, fmt=fmt, sheet=sheet)
    export.record_export(event, filters, fmt=fmt, sheet=sheet, request=request, rows=rows)
    response = HttpResponse(buffer.getvalue(), content_type=export.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{export.file_name(event, filters, fmt, sheet)}"'
    return response
