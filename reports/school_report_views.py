"""A school-report round's downloads (the annex workbook, the CSV) for pages and the API, in the caller's scope
(a district officer: their district), and the panel that puts them on the round's page (schoolreports.panels)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from bridges import scope
from schoolreports.access import get_round
from schoolreports.panels import RoundPanel, register
from schoolreports.rollup import rollup

from .school_report_export import Heading, csv_bytes, workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(request, round_id: int, kind: str) -> HttpResponse:
    round_ = get_round(request.user, round_id)
    role = scope.require_role(request.user)
    path = scope.scope_path_of(role)
    state = rollup(round_, path)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if kind == "csv":
        response = HttpResponse(csv_bytes(state), content_type="text/csv; charset=utf-8")
    else:
        heading = Heading(scope=role.scope.name if role.scope_id else "")
        response = HttpResponse(workbook_bytes(state, heading), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-{round_.pk}-{stamp}.{kind}"'
    return response


@login_required
@require_GET
def export_xlsx(request, pk: int):
    return export_response(request, pk, "xlsx")


@login_required
@require_GET
def export_csv(request, pk: int):
    return export_response(request, pk, "csv")


def _downloads(request, round_, state) -> dict:
    return {"xlsx": reverse("school_report_xlsx", args=[round_.pk]),
            "csv": reverse("school_report_csv", args=[round_.pk])}


def register_panels() -> None:
    register(RoundPanel("downloads", "reports/_school_report_downloads.html", _downloads, order=10))
