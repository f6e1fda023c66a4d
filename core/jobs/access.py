from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from core import roles
from core.models import Job


def visible_jobs(user):
    """Everyone sees the jobs they started; whoever may see all jobs (organizers, see core.roles) sees all."""
    if not user.is_authenticated:
        return Job.objects.none()
    if roles.sees_all_jobs(user):
        return Job.objects.all()
    return Job.objects.filter(created_by=user)


def result_file_response(user, pk: int) -> FileResponse:
    """A job's file (a ZIP of letters, a workbook, a CSV, a print PDF) as a download, for whoever may
    see the job; 404 when they may not, or when the job has no file (yet). The content type follows the
    file's name. Job files hold personal data: this is the only way they are served, never /media/."""
    job = get_object_or_404(visible_jobs(user), pk=pk)
    if not job.result_file:
        raise Http404
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=job.result_file.name.rsplit("/", 1)[-1])
