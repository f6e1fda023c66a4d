import subprocess
import sys

import pytest
from django.urls import reverse

from bridges.models import Bridge, Role

pytestmark = pytest.mark.django_db


def test_healthz_checks_the_database(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"


def test_openapi_schema_is_served(client, organizer):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert "/api/bridges/" in paths and "/api/jobs/{job_id}" in paths


def test_pages_default_to_vietnamese_and_switch_to_english(client, organizer):
    client.force_login(organizer)
    assert "Điểm cầu" in client.get("/bridges/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/bridges/"})
    assert "Bridges" in client.get("/bridges/").content.decode()


def test_dates_are_shown_dd_mm_yyyy(client, organizer, small_tree):
    person = small_tree["BS-S1"].people.first()
    person.birth_date = "1985-03-07"
    person.save()
    client.force_login(organizer)
    assert "07/03/1985" in client.get(reverse("bridges:detail", args=["BS-S1"])).content.decode()


def test_tree_paths_follow_moves(small_tree):
    school = small_tree["BS-S1"]
    assert school.depth == 2 and school.path.startswith(small_tree["BS"].path)
    district = small_tree["BS"]
    district.parent = small_tree["TN"]
    district.save()
    school.refresh_from_db()
    assert school.path.startswith(small_tree["TN"].path) and school.depth == 3


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        "DIEMCAU_ENV": "production", "SECRET_KEY": "x" * 20 + "-long-random-production-key-0123456789",
        "ALLOWED_HOSTS": "diemcau.example.vn", "JITSI_APP_SECRET": "s" * 40, "JITSI_WEBHOOK_SECRET": "w" * 40,
        # core.checks refuses a localhost SITE_URL and undelivered mail in production (issue 15).
        "SITE_URL": "https://diemcau.example.vn", "EMAIL_HOST": "smtp.example.vn",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"), "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


class TestScope:
    def test_district_officer_sees_only_their_district(self, client, small_tree, make_user):
        officer = make_user("bs_officer", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
        client.force_login(officer)
        assert client.get(reverse("bridges:detail", args=["BS-S1"])).status_code == 200
        assert client.get(reverse("bridges:detail", args=["TN-S1"])).status_code == 403
        listing = client.get("/bridges/").content.decode()
        assert "BS-S1" in listing and "TN-S1" not in listing

    def test_district_officer_cannot_read_another_districts_people_over_the_api(self, client, small_tree, make_user):
        officer = make_user("bs_officer", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
        client.force_login(officer)
        own = client.get("/api/bridges/BS-S2/people")
        assert own.status_code == 200 and own.json()["count"] == 3
        other = client.get("/api/bridges/TN-S2/people")
        assert other.status_code == 403
        assert "0TN20" not in other.content.decode()
        codes = {b["code"] for b in client.get("/api/bridges/?limit=100").json()["items"]}
        assert codes == {"BS", "BS-S1", "BS-S2"}

    def test_official_reads_but_cannot_rotate_console_links(self, client, small_tree, make_user):
        official = make_user("official", Role.Kind.OFFICIAL)
        client.force_login(official)
        assert client.get("/api/bridges/TN-S1").status_code == 200
        assert client.post("/api/bridges/TN-S1/rotate-console").status_code == 403

    def test_anonymous_and_roleless_see_nothing(self, client, small_tree, make_user):
        assert client.get("/api/bridges/").status_code == 401
        assert client.get("/bridges/").status_code == 302
        client.force_login(make_user("nobody"))
        assert client.get("/bridges/").status_code == 403


def test_rotating_the_console_link_revokes_the_old_one(client, small_tree, organizer):
    school = small_tree["BS-S1"]
    old_url = reverse("console", args=[school.console_token])
    assert client.get(old_url).status_code == 200
    client.force_login(organizer)
    resp = client.post(reverse("bridges:rotate_console", args=["BS-S1"]))
    assert resp.status_code == 302
    client.logout()
    assert client.get(old_url).status_code == 404
    school.refresh_from_db()
    assert client.get(reverse("console", args=[school.console_token])).status_code == 200
    from core.models import AuditEntry

    entry = AuditEntry.objects.get(action="bridge.console_rotated")
    assert entry.actor == organizer and entry.target_id == str(school.pk)
    assert Bridge.objects.get(pk=school.pk).console_rotated_at is not None


def test_every_model_has_a_working_admin_page(client, make_user, small_tree):
    from django.apps import apps
    from django.contrib import admin

    superuser = make_user("root")
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    client.force_login(superuser)
    ours = [m for m in apps.get_models() if m._meta.app_label in {"core", "bridges", "events", "attendance", "training"}]
    missing = [m._meta.label for m in ours if m not in admin.site._registry]
    assert missing == []
    for model in ours:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_pages_stay_vietnamese_for_an_english_browser_until_the_switch_is_used(client, organizer):
    client.force_login(organizer)
    assert "Điểm cầu" in client.get("/bridges/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/bridges/"})
    assert "Bridges" in client.get("/bridges/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()


def test_the_api_negotiates_its_language(client, make_user, small_tree):
    client.force_login(make_user("nobody"))
    english = client.get("/api/bridges/BS-S1", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    vietnamese = client.get("/api/bridges/BS-S1").json()["detail"]
    assert english != vietnamese
