"""core asks core.roles who someone is; bridges fills it in (AppConfig.ready), so core imports no app."""

from django.urls import reverse

from bridges.models import Role
from core import roles
from core.models import Job


def test_bridges_tells_core_the_role(small_tree, make_user, client):
    officer = make_user("bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
    assert roles.role_of(officer) == officer.diemcau_role
    client.force_login(officer)
    assert client.get("/api/me").json() == {"username": "bs", "role": "district_officer", "scope_code": "BS"}
    assert "current_role" in client.get(reverse("home")).context


def test_only_whoever_sees_all_jobs_sees_another_persons_job(make_user, organizer, client):
    officer = make_user("officer", Role.Kind.DISTRICT_OFFICER)
    other = make_user("other", Role.Kind.DISTRICT_OFFICER)
    job = Job.objects.create(kind="tests.any", created_by=other)
    assert not roles.sees_all_jobs(officer) and roles.sees_all_jobs(organizer)
    client.force_login(officer)
    assert client.get(f"/api/jobs/{job.pk}").status_code == 404
    client.force_login(other)
    assert client.get(f"/api/jobs/{job.pk}").status_code == 200
    client.force_login(organizer)
    assert client.get(reverse("core:job", args=[job.pk])).status_code == 200
