from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .jobs.access import result_file_response, visible_jobs


@require_GET
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def job_detail(request, pk: int):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    return render(request, "core/job_detail.html", {"job": job})


@login_required
def job_download(request, pk: int):
    return result_file_response(request.user, pk)
