from core import roles
from core.models import Job


def visible_jobs(user):
    """Everyone sees the jobs they started; whoever may see all jobs (organizers, see core.roles) sees all."""
    if not user.is_authenticated:
        return Job.objects.none()
    if roles.sees_all_jobs(user):
        return Job.objects.all()
    return Job.objects.filter(created_by=user)
