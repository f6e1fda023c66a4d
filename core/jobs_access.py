from bridges.scope import is_organizer

from .models import Job


def visible_jobs(user):
    if not user.is_authenticated:
        return Job.objects.none()
    if is_organizer(user):
        return Job.objects.all()
    return Job.objects.filter(created_by=user)
