"""Designing school-report forms: an XLSForm written as KoboToolbox writes it is imported (pyxform reads it),
exported and read again by pyxform into the same form; unsupported features are refused by name with the row;
the designer page adds fields (a grid with its rules); a form is versioned once answers exist; a monthly
series opens one round per period; the shipped templates copy into editable forms."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from pyxform.builder import create_survey_element_from_dict
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from schoolreports import services, xlsform
from schoolreports.models import FormVersion, ReportForm, ReportRound, RoundSeries

from .schoolreports_support import console_submit, device_round, grid_values


def kobo_workbook(extra_rows=()) -> bytes:
    """An XLSForm as KoboToolbox exports it: metadata rows, a $kuid column, labels per language."""
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Vietnamese (vi)", "hint::Vietnamese (vi)", "required", "constraint",
                   "constraint_message::Vietnamese (vi)", "$kuid"])
    rows = [
        ("start", "start", "", "", "", "", "", "k1"),
        ("end", "end", "", "", "", "", "", "k2"),
        ("begin_group", "ha_tang", "Hạ tầng", "", "", "", "", "k3"),
        ("text", "duong_truyen", "Đường truyền internet", "Nhà mạng, tốc độ", "yes", "", "", "k4"),
        ("select_one yn", "co_mang", "Có mạng ổn định?", "", "yes", "", "", "k5"),
        ("select_multiple nt", "nen_tang", "Nền tảng đang dùng", "", "", "", "", "k6"),
        ("decimal", "toc_do", "Tốc độ (Mbit/s)", "", "", ". >= 0 and . <= 1000", "0 đến 1000", "k7"),
        ("date", "ngay_kiem_tra", "Ngày kiểm tra", "", "", "", "", "k8"),
        ("note", "luu_y", "Ghi đúng số liệu ngày kiểm tra", "", "", "", "", "k9"),
        ("begin group", "thiet_bi", "Học sinh thiếu thiết bị", "", "", "", "", "k10"),
        ("integer", "tieu_hoc__ho_ngheo", "Tiểu học / Hộ nghèo", "", "yes", ". >= 0", "", "k11"),
        ("integer", "tieu_hoc__can_ngheo", "Tiểu học / Hộ cận nghèo", "", "yes", ". >= 0", "", "k12"),
        ("integer", "thcs__ho_ngheo", "THCS / Hộ nghèo", "", "yes", ". >= 0", "", "k13"),
        ("integer", "thcs__can_ngheo", "THCS / Hộ cận nghèo", "", "yes", ". >= 0", "", "k14"),
        ("end group", "", "", "", "", "", "", "k15"),
        ("integer", "tong", "Tổng số", "", "yes", "", "", "k16"),
        ("end_group", "", "", "", "", "", "", "k17"),
        *extra_rows,
    ]
    for row in rows:
        survey.append(list(row))
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Vietnamese (vi)"])
    for row in [("yn", "yes", "Có"), ("yn", "no", "Không"), ("nt", "k12online", "K12Online"),
                ("nt", "teams", "Microsoft Teams")]:
        choices.append(list(row))
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["Rà soát dạy học trực tuyến", "ra_soat", "2026120201"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsform_is_imported_exported_and_read_again_by_pyxform(client, organizer):
    client.force_login(organizer)
    upload = io.BytesIO(kobo_workbook())
    upload.name = "ra_soat.xlsx"
    made = client.post("/api/school-reports/forms/import", {"file": upload})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["form"]["title"] == "Rà soát dạy học trực tuyến"
    assert len(body["warnings"]) == 2 and "start" in body["warnings"][0]  # phone metadata skipped, said so
    (section,) = body["form"]["definition"]["sections"]
    assert (section["key"], section["title"], section["help"]) == ("ha_tang", "Hạ tầng",
                                                                   "Ghi đúng số liệu ngày kiểm tra")
    kinds = {f["key"]: f["type"] for f in section["fields"]}
    assert kinds == {"duong_truyen": "text", "co_mang": "yes_no", "nen_tang": "multi_choice", "toc_do": "decimal",
                     "ngay_kiem_tra": "date", "thiet_bi": "grid", "tong": "integer"}
    grid = next(f for f in section["fields"] if f["type"] == "grid")
    assert [r["label"] for r in grid["rows"]] == ["Tiểu học", "THCS"]
    assert [c["label"] for c in grid["columns"]] == ["Hộ nghèo", "Hộ cận nghèo"]
    assert grid["required"] and grid["min"] == 0
    speed = next(f for f in section["fields"] if f["key"] == "toc_do")
    assert (speed["min"], speed["max"], speed["help"]) == (0, 1000, "")

    exported = client.get(f"/api/school-reports/forms/{body['form']['id']}/xlsform")
    assert exported.status_code == 200
    data = exported.content
    # The real consumer: pyxform reads the exported workbook and builds an XForm from it.
    book = get_xlsform(io.BytesIO(data), file_type=".xlsx")
    survey = create_survey_element_from_dict(workbook_to_json(book, form_name="data", warnings=[]))
    xml = survey.to_xml()
    assert "tieu_hoc__ho_ngheo" in xml and "Rà soát dạy học trực tuyến" in xml
    sheet = load_workbook(io.BytesIO(data))["survey"]
    types = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "select_one yes_no" in types and "select_multiple nen_tang" in types
    again = xlsform.read(data)
    assert again.definition == body["form"]["definition"] and again.title == body["form"]["title"]


def test_unsupported_xlsform_features_are_refused_by_name_with_the_row(client, organizer):
    client.force_login(organizer)
    upload = io.BytesIO(kobo_workbook(extra_rows=[
        ("begin repeat", "hoc_sinh", "Từng học sinh", "", "", "", "", "k18"),
        ("geopoint", "vi_tri", "Vị trí", "", "", "", "", "k19"),
        ("end repeat", "", "", "", "", "", "", "k20"),
        ("calculate", "tinh", "", "", "", "", "", "k21"),
    ]))
    upload.name = "bad.xlsx"
    refused = client.post("/api/school-reports/forms/import", {"file": upload})
    assert refused.status_code == 400
    problems = refused.json()["fields"]["file"]
    assert any("19" in p and "begin repeat" in p for p in problems), problems
    assert any("20" in p and "geopoint" in p for p in problems)
    assert any("22" in p and "calculate" in p for p in problems)
    assert not ReportForm.objects.exists()
    bad_column = io.BytesIO()
    book = Workbook()
    book.active.title = "survey"
    book.active.append(["type", "name", "label", "relevant"])
    book.active.append(["integer", "so", "Số", "${x} > 1"])
    book.save(bad_column)
    bad_column.seek(0)
    bad_column.name = "relevant.xlsx"
    problems = client.post("/api/school-reports/forms/import", {"file": bad_column}).json()["fields"]["file"]
    assert len(problems) == 1 and "relevant" in problems[0] and "2" in problems[0]


def test_the_designer_page_adds_a_grid_with_its_rules(client, organizer):
    client.force_login(organizer)
    made = client.post("/school-reports/new", {"title": "Báo cáo thiết bị"})
    form = ReportForm.objects.get()
    assert made.status_code == 302 and made["Location"].endswith(f"/forms/{form.pk}/")
    page = f"/school-reports/forms/{form.pk}/"
    assert client.post(page, {"action": "field", "type": "integer", "label": "Tổng số máy", "key": "tong_may",
                              "min": "0", "required": "on"}).status_code == 302
    response = client.post(page, {"action": "field", "type": "grid", "label": "Máy theo cấp", "required": "on",
                                  "rows": "tieu_hoc = Tiểu học\nTHCS", "columns": "Máy bàn\nMáy xách tay",
                                  "min": "0", "max": "500", "total_equals": "tong_may"})
    assert response.status_code == 302
    fields = form.latest_version().definition["sections"][0]["fields"]
    grid = fields[1]
    assert [r["key"] for r in grid["rows"]] == ["tieu_hoc", "thcs"]
    assert [c["key"] for c in grid["columns"]] == ["may_ban", "may_xach_tay"]
    assert (grid["max"], grid["total_equals"]) == (500, "tong_may")
    wrong = client.post(page, {"action": "field", "type": "integer", "label": "Sai", "min": "9", "max": "2"})
    assert wrong.status_code == 400 and "sections.0.fields.2.max" in wrong.content.decode()
    assert len(form.latest_version().definition["sections"][0]["fields"]) == 2
    assert "Máy theo cấp" in client.get(page).content.decode()


def test_a_form_is_versioned_once_answers_exist(client, organizer, small_tree):
    round_ = device_round()
    form = round_.form
    extra = services.create_form(title="x")  # another form: its rounds are untouched
    definition = form.latest_version().definition
    services.save_definition(form, definition)  # nobody answered: changed in place
    assert form.versions.count() == 1
    assert console_submit(client, small_tree["BS-S1"], round_, grid_values()).status_code == 201
    definition["sections"][1]["fields"][0]["label"] = "Danh sách ưu tiên (họ tên, lớp)"
    client.force_login(organizer)
    changed = client.put(f"/api/school-reports/forms/{form.pk}", {"title": form.title, "definition": definition},
                         content_type="application/json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    round_.refresh_from_db()
    assert round_.version.number == 1  # its answers were given against version 1
    later = services.publish_round(form, deadline=timezone.now() + timedelta(days=2))
    assert later.version.number == 2 and FormVersion.objects.filter(form=extra).count() == 1


def test_a_monthly_series_opens_one_round_per_period(client, organizer, small_tree):
    form = services.copy_template("replication")
    client.force_login(organizer)
    made = client.post(f"/api/school-reports/forms/{form.pk}/series",
                       {"frequency": "monthly", "starts_on": date(2026, 1, 1).isoformat(), "due_days": 5},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    (opened,) = made.json()["opened"]
    today = timezone.localdate()
    round_ = ReportRound.objects.get(pk=opened["id"])
    assert round_.period_start == today.replace(day=1)
    assert timezone.localtime(round_.deadline).day == 5 and timezone.localtime(round_.deadline).hour == 17
    call_command("open_report_rounds")
    call_command("open_report_rounds")
    assert ReportRound.objects.filter(series=RoundSeries.objects.get()).count() == 1


@pytest.mark.parametrize("key", ["device_needs", "online_readiness", "replication"])
def test_every_shipped_template_copies_into_an_editable_form(client, organizer, key):
    client.force_login(organizer)
    made = client.post(f"/api/school-reports/templates/{key}/copy")
    assert made.status_code == 201
    body = made.json()
    assert body["template_key"] == key and body["fields"] >= 3
    assert client.put(f"/api/school-reports/forms/{body['id']}", {"title": "Bản của tỉnh"},
                      content_type="application/json").json()["title"] == "Bản của tỉnh"
