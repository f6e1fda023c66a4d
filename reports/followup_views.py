"""A follow-up report's downloads (workbook, CSV) and the panel that offers them on the form's page.

The form's page belongs to followups, below reports: reports adds its rollup table and download
buttons to it as a panel (followups.panels, registered in reports/apps.py).
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from bridges import scope
from core import audit
from followups.access import get_form

from . import export
from .filters import ReportError
from .followup_sheets import summary_table
from .tables import display_rows


def panel_values(request, form, state) -> dict:
    """The follow-up page's table by district (as in the workbook's first sheet) and its downloads."""
    table = summary_table(state)
    return {"form": form, "table": table, "rows": display_rows(table),
            "total": display_rows(table, [table.total])[0] if table.total else None}


@login_required
@require_GET
def followup_export(request, pk: int):
    form = get_form(request.user, pk)
    role = scope.require_role(request.user)
    fmt = request.GET.get("format", export.XLSX)
    sheet = request.GET.get("sheet") or None
    buffer = io.BytesIO()
    try:
        export.check_format(fmt)
        rows = export.write_followup(form, role.scope, buffer, fmt=fmt, sheet=sheet)
    except ReportError as exc:
        messages.error(request, exc.user_message)
        return redirect("followups:detail", pk=form.pk)
    audit.record("followup.export", request=request, target=form, summary=form.title[:200],
                 details={"format": fmt, "sheet": sheet or "", "rows": rows})
    response = HttpResponse(buffer.getvalue(), content_type=export.CONTENT_TYPES[fmt])
    suffix = f"-{sheet}" if fmt == export.CSV and sheet else ""
    response["Content-Disposition"] = f'attachment; filename="bao-cao-sau-tap-huan-{form.pk}{suffix}.{fmt}"'
    return response
