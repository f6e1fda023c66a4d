"""API: attendance reports and exports as background jobs (mounted at /api/attendance/ by config/api.py).

/api/attendance/events/{id}/report           the reports page's numbers (scoped, filtered)
/api/attendance/events/{id}/exports          start an export job (.xlsx or a sheet as CSV)
"""

from ninja import Query, Router, Schema, Status

from bridges import scope
from core.api import JobOut, job_out
from core.audit import client_ip
from core.openapi import refusals
from events.access import get_event

from . import data, export
from .filters import resolve

router = Router(tags=["reports"])


class FilterIn(Schema):
    district: str = ""
    tier: str = ""
    roll_calls: list[int] = []


class ReportRollCallOut(Schema):
    id: int
    label: str
    held: bool


class ReportGroupOut(Schema):
    id: int | None
    code: str
    name: str
    invited: int
    confirmed: int
    tested: int
    checked_in: int
    mean_minutes_connected: float
    expected: int
    headcount: int
    present: dict[str, int]
    attendance_rate: float | None
    teachers: int
    completed: int
    certificates: int


class ReportOut(Schema):
    event_id: int
    title: str
    covering: str
    completion_rule: str
    roll_calls: list[ReportRollCallOut]
    groups: list[ReportGroupOut]
    total: ReportGroupOut


def _group(report: data.AttendanceReport, group: data.GroupRow) -> dict:
    return {
        "id": group.id, "code": group.code, "name": group.name, "invited": group.invited,
        "confirmed": group.confirmed, "tested": group.tested, "checked_in": group.checked_in,
        "mean_minutes_connected": round(group.mean_minutes, 1), "expected": group.expected,
        "headcount": group.headcount, "present": {str(k): v for k, v in group.present.items()},
        "attendance_rate": report.rate(group), "teachers": group.teachers, "completed": group.completed,
        "certificates": group.certificates,
    }


@router.get("/events/{event_id}/report", response={200: ReportOut, **refusals(400, 403, 404)},
            summary="Attendance numbers per district and in total (the reports page and the workbook's summary)")
def event_report(request, event_id: int, filters: Query[FilterIn]):
    """The attendance report of the event, per district and in total: invited, confirmed, tested, checked in,
    mean minutes connected, people present at each roll call, completion and certificates. Filtered by
    `district`, `tier` and `roll_calls`, within the caller's scope; a filter outside it answers 400. Any
    account with a role.
    """
    role = scope.require_role(request.user)
    event = get_event(request.user, event_id)
    resolved = resolve(event, request.user, role=role, district=filters.district, tier=filters.tier,
                       roll_calls=filters.roll_calls)
    report = data.summarise(event, resolved)
    return {
        "event_id": event.pk, "title": event.title, "covering": resolved.describe(),
        "completion_rule": report.rule_text,
        "roll_calls": [{"id": rc.id, "label": rc.label, "held": rc.held} for rc in report.roll_calls],
        "groups": [_group(report, g) for g in report.groups], "total": _group(report, report.total),
    }


class ExportIn(FilterIn):
    format: str = export.XLSX
    sheet: str = ""
    language: str = "vi"


@router.post("/events/{event_id}/exports", response={202: JobOut, **refusals(400, 403, 404)},
             summary="Start an export (xlsx workbook, or one sheet as CSV: summary, bridges, teachers); "
                     "poll /api/jobs/{id}; /api/jobs/{id}/file is the download when it is done")
def start_export(request, event_id: int, payload: ExportIn):
    """Starts a background job that writes the report as an xlsx workbook (the default, for people to print and
    sign) or one of its sheets as CSV (for programs), with the same filters as the report, in Vietnamese or
    English. Poll /api/jobs/{id}; the file is at /api/jobs/{id}/file when it is done. Any account with a
    role, within its scope; the export is written to the audit log.
    """
    role = scope.require_role(request.user)
    event = get_event(request.user, event_id)
    resolved = resolve(event, request.user, role=role, district=payload.district, tier=payload.tier,
                       roll_calls=payload.roll_calls)
    job = export.start_job(event, resolved, user=request.user, fmt=payload.format, sheet=payload.sheet or None,
                           language=payload.language if payload.language in ("vi", "en") else "vi",
                           ip=client_ip(request))
    job.refresh_from_db()
    return Status(202, job_out(job))
