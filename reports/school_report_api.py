"""API: a school-report round's downloads (mounted at /api/school-reports/ by config/api.py)."""

from ninja import Router

from core.openapi import file_response, refusals

from .school_report_views import XLSX, export_response

router = Router(tags=["school reports"])


@router.get("/rounds/{round_id}/export.xlsx", response={200: None, **refusals(403, 404)},
            openapi_extra=file_response(XLSX, description="The annex workbook"), url_name="school_report_xlsx_api",
            summary="A round as the annex workbook (.xlsx), in the caller's scope")
def export_xlsx(request, round_id: int):
    """Sheet "Tổng hợp": title block, the date line, one row per district with totals, the signer block; sheet
    "Chi tiết": one row per school by district with subtotals. Two header rows (a grid flattened under its
    rows), A4 landscape. A district officer gets their district only."""
    return export_response(request, round_id, "xlsx")


@router.get("/rounds/{round_id}/export.csv", response={200: None, **refusals(403, 404)},
            openapi_extra=file_response("text/csv", description="One row per school, one column per number"),
            url_name="school_report_csv_api", summary="A round as CSV (the machine format), in the caller's scope")
def export_csv(request, round_id: int):
    """UTF-8 with BOM, one row per school (district, code, name, status, late, sent, then every number column,
    grid cells as grid__row__col headers labelled "row – column"). A district officer gets their district only."""
    return export_response(request, round_id, "csv")
