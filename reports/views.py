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
from core.audit import client_ip
from core.jobs.access import visible_jobs
from events.access import get_event
from events.models import Event
from followups.models import FollowUpForm

from . import data, export
from .filters import ReportError, ReportFilters, resolve
from .sheets import bridges_table, summary_table
from .tables import display_rows

# Above this many bridges the page shows the districts only (the workbook has every bridge).
PAGE_BRIDGE_LIMIT = 150


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


def _chart_rows(report: data.AttendanceReport) -> list[dict]:
    """Bars for the page: attendance rate and completion per district, as percentages for CSS widths."""
    rows = []
    for group in report.groups:
        rate = report.rate(group)
        done = data.share(group.completed, group.teachers)
        rows.append({"name": group.name, "rate": None if rate is None else round(min(rate, 1) * 100, 1),
                     "completed": None if done is None else round(done * 100, 1)})
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
    report = data.build(event, filters)
    summary = summary_table(report)
    bridges = bridges_table(report) if len(report.bridges) <= PAGE_BRIDGE_LIMIT else None
    job = None
    job_id = request.GET.get("job", "")
    if job_id.isdigit():
        job = visible_jobs(request.user).filter(pk=int(job_id), kind=export.EXPORT_JOB).first()
    visible = scope.visible_bridges(request.user)
    return render(request, "reports/reports.html", {
        "event": event, "report": report, "filters": filters, "summary": summary, "bridges_table": bridges,
        "summary_rows": display_rows(summary),
        "summary_total": display_rows(summary, [summary.total])[0] if summary.total else None,
        "bridge_rows": display_rows(bridges) if bridges else [], "chart": _chart_rows(report), "job": job,
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
