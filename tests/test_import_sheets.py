"""Workbooks with one sheet per school: every sheet is read and the preview says what each held."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from bridges.importing import service
from bridges.models import Person
from core.models import Job
from tests import fixtures_import as fx

pytestmark = [pytest.mark.django_db, pytest.mark.services]

SCHOOLS = ("BS-S1", "BS-S2", "TN-S1")


def run(*args):
    out = StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_every_sheet_is_imported_and_the_junk_sheet_is_listed(small_tree, tmp_path):
    path = fx.roster_by_school(tmp_path / "gv.xlsx")
    before = Person.objects.count()
    out = run("import_people", str(path))
    assert Person.objects.count() == before + 9
    for code in SCHOOLS:
        names = set(Person.objects.filter(bridge__code=code, full_name__startswith=f"Giáo viên {code} số")
                    .values_list("full_name", flat=True))
        assert names == {f"Giáo viên {code} số {k}" for k in (1, 2, 3)}
        assert f"Sheet “Trường {code}”: header on row 3, 3 data rows; columns: STT → stt, Họ và tên → full_name" in out
    assert "3 sheets read: Trường BS-S1, Trường BS-S2, Trường TN-S1." in out
    assert "Sheet “Ghi chú”: skipped, no recognisable header in the first 40 rows." in out

    again = run("import_people", str(path))
    assert Person.objects.count() == before + 9
    assert "0 to create, 0 to update, 9 unchanged" in again


def test_a_problem_names_its_sheet(small_tree, tmp_path):
    path = fx.roster_by_school(tmp_path / "gv.xlsx", missing_name_on="BS-S2")
    with translation.override("en"):
        plan = service.preview(path, "people")
        texts = [p.text for p in plan.problems if p.level == "error"]
    # Row 5 exists on every sheet; only the second sheet's lacks a name.
    assert texts == ["Row 5 (sheet “Trường BS-S2”): missing full name"]
    assert plan.counts["create"] == 8 and plan.counts["invalid"] == 1
    out = StringIO()
    before = Person.objects.count()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("import_people", str(path), stdout=out)
    assert Person.objects.count() == before
    assert "Row 5 (sheet “Trường BS-S2”): missing full name" in out.getvalue()


def test_sections_do_not_run_into_the_next_sheet(small_tree, tmp_path):
    # The first sheet groups its rows under a section naming a school; the second has a school column.
    import openpyxl

    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "BS-S1"
    first.append(["Họ và tên", "Ngày sinh", "Mã định danh"])
    first.append(["I. Trường BS 1"])
    first.append(["Hồ Văn Một", "01/01/1980", "048180000001"])
    second = wb.create_sheet("Khác")
    second.append(["Họ và tên", "Ngày sinh", "Mã định danh"])
    second.append(["Hồ Văn Hai", "01/01/1981", "048181000002"])
    wb.save(tmp_path / "gv.xlsx")
    with translation.override("en"):
        plan = service.preview(tmp_path / "gv.xlsx", "people")
        errors = [p.text for p in plan.problems if p.level == "error"]
    assert plan.counts["create"] == 1
    assert errors == ["Row 2 (sheet “Khác”): no bridge given: add a bridge (school) column or choose the bridge"]


def test_web_preview_and_api_show_the_same_sheet_lines(client, organizer, small_tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(organizer)
    path = fx.roster_by_school(tmp_path / "gv.xlsx")
    with open(path, "rb") as fh:
        resp = client.post(reverse("bridges:import"), {"kind": "people", "file": fh})
    preview = Job.objects.get(kind="import_preview")
    assert resp.status_code == 302 and preview.status == "done"
    notes = preview.result["notes"]
    # The job runs in the language of the request that uploaded it: Vietnamese here.
    assert len(notes) == 4 and notes[-1] == "Trang tính “Ghi chú”: bỏ qua, không tìm thấy dòng tiêu đề cột trong 40 dòng đầu."
    assert preview.result["sheets_read"] == 3 and preview.result["counts"]["create"] == 9
    page = client.get(resp.url).content.decode()
    api = client.get(f"/api/bridges/imports/{preview.pk}").json()
    assert api["result"]["notes"] == notes
    assert "Đã đọc 3 trang tính" in page and notes[-1] in page
    assert {row["sheet"] for row in api["result"]["rows"]} == {f"Trường {code}" for code in SCHOOLS}


def test_a_sheet_can_be_left_out_by_command_form_and_api(client, organizer, small_tree, tmp_path, settings):
    path = fx.roster_by_school(tmp_path / "gv.xlsx")
    before = Person.objects.count()
    out = run("import_people", str(path), "--skip-sheet", "Trường BS-S2", "--skip-sheet", "Ghi chú")
    assert Person.objects.count() == before + 6
    assert not Person.objects.filter(full_name__startswith="Giáo viên BS-S2").exists()
    assert "Sheet “Trường BS-S2”: skipped, left out on request." in out
    with pytest.raises(CommandError, match="no sheet named “Trường X”"):
        run("import_people", str(path), "--skip-sheet", "Trường X")

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(organizer)
    with open(path, "rb") as fh:
        client.post(reverse("bridges:import"), {"kind": "people", "file": fh, "skip_sheets": "Trường BS-S1\r\n"})
    web = Job.objects.get(kind="import_preview")
    assert web.result["counts"]["create"] == 3 and web.result["sheets_read"] == 2  # BS-S2 and TN-S1 again
    with open(path, "rb") as fh:
        api = client.post("/api/bridges/imports", {"kind": "people", "file": fh,
                                                   "skip_sheets": "Trường BS-S1\nTrường TN-S1"}).json()
    assert api["result"]["counts"]["create"] == 3 and api["result"]["sheets_read"] == 1
    confirmed = client.post(f"/api/bridges/imports/{api['job_id']}/confirm", "{}",
                            content_type="application/json").json()
    assert confirmed["status"] == "done" and confirmed["result"]["counts"]["create"] == 3
    assert Person.objects.filter(full_name__startswith="Giáo viên BS-S2").count() == 3


def test_the_title_block_or_sheet_title_names_the_school(small_tree, tmp_path):
    path = fx.roster_by_school(tmp_path / "gv.xlsx", school_in_title=True)
    before = Person.objects.count()
    out = run("import_people", str(path))
    assert Person.objects.count() == before + 9
    for code in SCHOOLS:
        assert Person.objects.filter(bridge__code=code, full_name__startswith=f"Giáo viên {code} số").count() == 3
    assert "No school column: the rows are for “Trường Bs 1”, named in the sheet's title." in out
    assert "No school column: the rows are for “Trường TN 1”, named in the sheet's title." in out
    assert "0 to create, 0 to update, 9 unchanged" in run("import_people", str(path))


def test_a_title_naming_an_unknown_school_refuses_its_rows(small_tree, tmp_path):
    path = fx.roster_by_school(tmp_path / "gv.xlsx", schools=("BS-S1", "XX-S9", "TN-S1"), school_in_title=True)
    with translation.override("en"):
        plan = service.preview(path, "people")
        errors = {p.text for p in plan.problems if p.level == "error"}
    assert plan.counts["create"] == 6 and plan.counts["invalid"] == 3
    assert "Row 4 (sheet “Trường XX 9”): no bridge: the section Trường Xx 9 on row 1 (sheet “Trường XX 9”) names " \
           "no known bridge" in errors
