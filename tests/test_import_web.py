"""The import page and the import API: upload -> preview -> confirm, organizers only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from bridges.models import Bridge, Person, Role
from core.models import AuditEntry, Job
from tests import fixtures_import as fx

pytestmark = [pytest.mark.django_db, pytest.mark.services]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def uploads(media):
    folder = media / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def upload(client, path, kind="bridges", **extra):
    with open(path, "rb") as fh:
        return client.post(reverse("bridges:import"), {"kind": kind, "file": fh, **extra})


def test_page_flow_preview_then_confirm(client, organizer, tiers, tmp_path, media):
    client.force_login(organizer)
    assert reverse("bridges:import") in client.get(reverse("bridges:list")).content.decode()
    assert client.get(reverse("bridges:import")).status_code == 200
    resp = upload(client, fx.province_bridge_list(tmp_path / "ds.xlsx"))
    assert resp.status_code == 302
    preview = Job.objects.get(kind="import_preview")
    assert resp.url == reverse("bridges:import_job", args=[preview.pk])
    assert preview.status == "done" and preview.result["counts"]["create"] == 6
    assert len(uploads(media)) == 1
    with translation.override("en"):
        page = client.get(resp.url).content.decode()
    assert "QNG-BS-01" in page and "15" in page
    assert Bridge.objects.count() == 0

    # Confirming without skipping the invalid row fails and writes nothing; the file is kept.
    resp = client.post(reverse("bridges:import_confirm", args=[preview.pk]))
    failed = Job.objects.get(kind="import_apply")
    assert failed.status == "failed" and Bridge.objects.count() == 0 and len(uploads(media)) == 1
    assert client.get(resp.url).status_code == 200

    resp = client.post(reverse("bridges:import_confirm", args=[preview.pk]), {"skip_invalid": "1"})
    apply = Job.objects.filter(kind="import_apply").exclude(pk=failed.pk).get()
    assert resp.url == reverse("bridges:import_job", args=[apply.pk])
    assert apply.status == "done" and apply.result["counts"]["create"] == 6
    assert Bridge.objects.count() == 6 and uploads(media) == []
    assert client.get(resp.url).status_code == 200
    assert AuditEntry.objects.get(action="import.bridges").actor == organizer
    # The preview now leads to its result; a second confirm is refused.
    assert client.get(reverse("bridges:import_job", args=[preview.pk])).url == resp.url
    client.post(reverse("bridges:import_confirm", args=[preview.pk]), {"skip_invalid": "1"})
    assert Job.objects.filter(kind="import_apply").count() == 2


def test_people_upload_with_bridge_code(client, organizer, small_tree, tmp_path):
    client.force_login(organizer)
    rows = [["Họ và tên", "Ngày sinh"], ["Người Một", "01/02/1990"], ["Người Hai", "03/04/1991"]]
    resp = upload(client, fx.write_xlsx(tmp_path / "r.xlsx", rows), kind="people", bridge="TN-S2")
    preview = Job.objects.get(pk=resp.url.rstrip("/").rsplit("/", 1)[1])
    assert preview.result["counts"]["create"] == 2
    client.post(reverse("bridges:import_confirm", args=[preview.pk]))
    assert Person.objects.filter(bridge__code="TN-S2", full_name__startswith="Người").count() == 2
    resp = upload(client, fx.write_xlsx(tmp_path / "r2.xlsx", rows), kind="people", bridge="NOPE")
    assert resp.status_code == 400


def test_bad_file_fails_the_preview_and_is_deleted(client, organizer, tiers, tmp_path, media):
    client.force_login(organizer)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook at all")
    resp = upload(client, bad)
    preview = Job.objects.get(kind="import_preview")
    assert preview.status == "failed" and preview.message
    assert uploads(media) == []
    assert client.get(resp.url).status_code == 200
    assert client.post(reverse("bridges:import_confirm", args=[preview.pk])).status_code == 302
    assert not Job.objects.filter(kind="import_apply").exists()


def test_cancel_deletes_the_upload(client, organizer, tiers, tmp_path, media):
    client.force_login(organizer)
    upload(client, fx.flat_bridge_list(tmp_path / "flat.xlsx"))
    preview = Job.objects.get(kind="import_preview")
    assert len(uploads(media)) == 1
    client.post(reverse("bridges:import_cancel", args=[preview.pk]))
    assert uploads(media) == []
    client.post(reverse("bridges:import_confirm", args=[preview.pk]))
    assert Bridge.objects.count() == 0 and not Job.objects.filter(kind="import_apply").exists()


def test_upload_size_is_capped(client, organizer, tiers, settings, media):
    settings.IMPORT_MAX_BYTES = 100 * 1024
    client.force_login(organizer)
    junk = SimpleUploadedFile("junk.xlsx", b"\x01" * (300 * 1024), content_type=XLSX)
    resp = client.post(reverse("bridges:import"), {"kind": "bridges", "file": junk})
    assert resp.status_code == 413 and not Job.objects.exists() and uploads(media) == []
    # Just over the cap, inside the multipart slack: refused while storing, nothing kept.
    junk = SimpleUploadedFile("junk.xlsx", b"\x01" * (100 * 1024 + 10), content_type=XLSX)
    resp = client.post(reverse("bridges:import"), {"kind": "bridges", "file": junk})
    assert resp.status_code == 400 and not Job.objects.exists() and uploads(media) == []


def test_only_organizers_import(client, make_user, small_tree, tmp_path):
    officer = make_user("officer", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
    client.force_login(officer)
    assert client.get(reverse("bridges:import")).status_code == 403
    assert upload(client, fx.flat_bridge_list(tmp_path / "flat.xlsx")).status_code == 403
    with open(fx.flat_bridge_list(tmp_path / "flat.xlsx"), "rb") as fh:
        assert client.post("/api/bridges/imports", {"kind": "bridges", "file": fh}).status_code == 403
    assert not Job.objects.exists()
    client.logout()
    assert client.get(reverse("bridges:import")).status_code == 302


def test_api_flow(client, organizer, tiers, tmp_path, media):
    client.force_login(organizer)
    with open(fx.flat_bridge_list(tmp_path / "flat.xlsx"), "rb") as fh:
        resp = client.post("/api/bridges/imports", {"kind": "bridges", "file": fh})
    assert resp.status_code == 200, resp.content
    started = resp.json()
    assert started["status"] == "done" and started["result"]["counts"]["create"] == 5
    preview = client.get(f"/api/bridges/imports/{started['job_id']}").json()
    assert preview["result"]["rows_total"] == 5 and preview["status_url"].endswith(f"/jobs/{started['job_id']}")
    resp = client.post(f"/api/bridges/imports/{started['job_id']}/confirm", {"skip_invalid": False},
                       content_type="application/json")
    assert resp.status_code == 200, resp.content
    applied = resp.json()
    assert applied["kind"] == "import_apply" and applied["result"]["counts"]["create"] == 5
    assert client.get(f"/api/jobs/{applied['job_id']}").json()["status"] == "done"
    assert Bridge.objects.count() == 5 and uploads(media) == []
    again = client.post(f"/api/bridges/imports/{started['job_id']}/confirm", {}, content_type="application/json")
    assert again.status_code == 400 and again.json()["detail"]
    bad = client.post("/api/bridges/imports", {"kind": "bridges",
                                               "file": SimpleUploadedFile("x.xlsx", b"", content_type=XLSX)})
    assert bad.status_code in (200, 400)
    assert "/api/bridges/imports" in client.get("/api/openapi.json").json()["paths"]

