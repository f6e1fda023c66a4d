"""TCVN3 (ABC): lists typed with .VnTime fonts, as a text file's bytes or as a workbook's look-alike letters.

The TCVN3 strings below are written as an office's file holds them (each byte as its Latin-1 character),
not produced by the project's own table: "Tr­êng TiÓu häc Ba T¬" is what a .VnTime document saves for
"Trường Tiểu học Ba Tơ".
"""

import unicodedata
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from bridges.importing import legacy, reading
from bridges.importing.errors import ImportFileError
from bridges.models import Bridge, Person
from core.models import Job
from tests import fixtures_import as fx

pytestmark = [pytest.mark.django_db]

# (as typed with .VnTime / .VnTimeH, as Unicode)
SAMPLES = [
    ("Tr\u00adêng TiÓu häc Ba T¬", "Trường Tiểu học Ba Tơ"),
    ("Tr\u00adêng TiÓu häc Ba T«", "Trường Tiểu học Ba Tô"),
    ("NguyÔn V¨n §øc", "Nguyễn Văn Đức"),
    ("Hå ThÞ Ngäc ¸nh", "Hồ Thị Ngọc Ánh"),
    ("hép møt tÕt", "hộp mứt tết"),
    # Capitals were typed in the capital font with the lowercase codes.
    ("NGUYÔN THÞ HOA", "NGUYỄN THỊ HOA"),
    ("PHßNG GD&§T BA T¥", "PHÒNG GD&ĐT BA TƠ"),
]
TEACHERS = [
    ("NguyÔn V¨n §øc", "048175000322", "Nguyễn Văn Đức"),
    ("Hå ThÞ Ngäc ¸nh", "048188000311", "Hồ Thị Ngọc Ánh"),
    ("Tr\u00ad¬ng ThÞ Thuû", "048190000333", "Trương Thị Thuỷ"),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(("typed", "expected"), SAMPLES)
def test_cells_typed_in_vntime_fonts_are_decoded(typed, expected):
    assert legacy.decode_cell(typed) == expected


def test_a_sheet_of_such_cells_is_recognised():
    # One short cell may hold a single telling code; a sheet's sample holds many.
    assert legacy.looks_like_tcvn3(" ".join(typed for typed, _ in SAMPLES))


@pytest.mark.parametrize("text", ["Trường Tiểu học Ba Tơ", "Nguyễn Văn Đức", "Hồ Thị Ngọc Ánh", "Café, Ü", "Plain"])
def test_unicode_text_is_not_taken_for_tcvn3(text):
    assert not legacy.looks_like_tcvn3(text)


def test_windows_1258_bytes_are_not_taken_for_tcvn3():
    raw = fx.to_cp1258("Họ và tên;Trường\nĐỗ Thị Hoa;Trường Tiểu học Ba Tơ\nNguyễn Văn Đức;Ủy ban\n")
    assert not legacy.bytes_look_like_tcvn3(raw)
    text, label = reading.decode_text(raw)
    assert label == reading.CP1258 and "Đức" in unicodedata.normalize("NFC", text)


def roster_text(school_code: str) -> bytes:
    lines = ["Hä vµ tªn;M· ®Þnh danh;M· tr\u00adêng"] + [f"{name};{ident};{school_code}" for name, ident, _ in TEACHERS]
    return "\r\n".join(lines).encode("latin-1")


def test_a_tcvn3_text_file_is_detected_and_imported(small_tree, tmp_path):
    school = small_tree["BS-S1"]
    path = tmp_path / "danh_sach.csv"
    path.write_bytes(roster_text(school.code))
    output = run("import_people", str(path))
    assert "Text file read as TCVN3 (ABC)" in output
    imported = Person.objects.filter(bridge=school, teacher_id__in=[ident for _t, ident, _e in TEACHERS])
    assert sorted(imported.values_list("full_name", flat=True)) == sorted(expected for _t, _i, expected in TEACHERS)
    assert "0 created" in run("import_people", str(path))  # a re-import changes nothing


def test_the_encoding_can_be_chosen_on_the_command(small_tree, tmp_path):
    school = small_tree["BS-S1"]
    path = tmp_path / "danh_sach.csv"
    path.write_bytes(roster_text(school.code))
    # Read as Windows-1258 on purpose: even the header's words come out wrong, so nothing is understood.
    with pytest.raises(CommandError, match="No recognisable header"):
        call_command("import_people", str(path), "--encoding", "cp1258", "--dry-run", stdout=StringIO())
    assert "Text file read as TCVN3 (ABC)" in run("import_people", str(path), "--encoding", "tcvn3", "--dry-run")
    with pytest.raises(CommandError):
        call_command("import_people", str(path), "--encoding", "latin9", stdout=StringIO())


def test_a_workbook_typed_in_vntime_is_converted_with_a_note(small_tree, tmp_path):
    school = small_tree["BS-S1"]
    path = fx.write_xlsx(tmp_path / "roster.xlsx", [["Hä vµ tªn", "M· ®Þnh danh", "M· tr\u00adêng"]] + [
        [name, ident, school.code] for name, ident, _ in TEACHERS])
    output = run("import_people", str(path))
    assert "TCVN3 (ABC, .VnTime)" in output
    imported = Person.objects.filter(bridge=school, teacher_id__in=[ident for _t, ident, _e in TEACHERS])
    assert set(imported.values_list("full_name", flat=True)) == {expected for _t, _i, expected in TEACHERS}


def test_a_unicode_workbook_is_left_alone_unless_tcvn3_is_chosen(small_tree, tmp_path):
    school = small_tree["BS-S1"]
    path = fx.write_xlsx(tmp_path / "roster.xlsx", [["Họ và tên", "Mã định danh", "Mã trường"],
                                                    ["Nguyễn Văn Đức", "048175000322", school.code]])
    [sheet] = reading.read_file(path)
    assert not sheet.converted_tcvn3 and sheet.rows[1][0] == "Nguyễn Văn Đức"
    with pytest.raises(ImportFileError):
        reading.read_file(path, encoding="ebcdic")


def test_the_preview_page_reads_the_file_again_with_another_encoding(client, organizer, small_tree, tmp_path,
                                                                       settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    school = small_tree["BS-S1"]
    path = tmp_path / "danh_sach.csv"
    path.write_bytes(roster_text(school.code))
    client.force_login(organizer)
    with path.open("rb") as fh:
        response = client.post(reverse("bridges:import"), {"kind": "people", "file": fh, "encoding": "cp1258"})
    first = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    page = client.get(response.url).content.decode()
    # Read as the wrong encoding, nothing is understood; the file is kept so another one can be tried.
    first.refresh_from_db()
    assert first.status == Job.Status.FAILED
    assert first.message in page and reverse("bridges:import_reread", args=[first.pk]) in page
    response = client.post(reverse("bridges:import_reread", args=[first.pk]), {"encoding": "", "skip_sheets": ""})
    again = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert again.pk != first.pk and again.params["upload"] == first.params["upload"]
    page = client.get(response.url).content.decode()
    assert "TCVN3 (ABC)" in page and "Nguyễn Văn Đức" in page
    # The replaced preview can no longer be written.
    first.refresh_from_db()
    assert first.result["replaced_by"] == again.pk
    ours = Person.objects.filter(bridge=school, teacher_id__in=[ident for _t, ident, _e in TEACHERS])
    client.post(reverse("bridges:import_confirm", args=[first.pk]))
    assert not ours.exists()
    client.post(reverse("bridges:import_confirm", args=[again.pk]))
    assert ours.count() == len(TEACHERS)


def test_the_api_rereads_with_a_chosen_encoding(client, organizer, small_tree, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    school = small_tree["BS-S1"]
    path = tmp_path / "danh_sach.csv"
    path.write_bytes(roster_text(school.code))
    client.force_login(organizer)
    with path.open("rb") as fh:
        started = client.post("/api/bridges/imports", {"kind": "people", "file": fh, "encoding": "utf-8"}).json()
    # Not UTF-8: the chosen encoding fails with a message, and the file is kept for another try.
    assert started["status"] == "failed" and "UTF-8" in started["message"]
    again = client.post(f"/api/bridges/imports/{started['job_id']}/reread", {"encoding": "tcvn3"},
                        content_type="application/json").json()
    assert again["status"] == "done", again
    names = {row["label"] for row in again["result"]["rows"]}
    assert "Nguyễn Văn Đức" in names
    bad = client.post(f"/api/bridges/imports/{again['job_id']}/reread", {"encoding": "klingon"},
                      content_type="application/json")
    assert bad.status_code == 400 and "klingon" in bad.json()["detail"]


def test_bridges_typed_in_tcvn3_keep_their_marks(tiers, tmp_path):
    lines = ["M· ®iÓm cÇu;Tªn ®iÓm cÇu;CÊp;§¬n vÞ cÊp trªn",
             "BT;Phßng GD&§T Ba T¬;§iÓm cÇu chÝnh;",
             "BT-01;Tr\u00adêng TiÓu häc Ba T¬;Tr\u00adêng;BT",
             "BT-02;Tr\u00adêng TiÓu häc Ba T«;Tr\u00adêng;BT"]
    path = tmp_path / "diem_cau.csv"
    path.write_bytes("\r\n".join(lines).encode("latin-1"))
    run("import_bridges", str(path))
    assert Bridge.objects.get(code="BT-01").name == "Trường Tiểu học Ba Tơ"
    assert Bridge.objects.get(code="BT-02").name == "Trường Tiểu học Ba Tô"
    assert Bridge.objects.get(code="BT").name == "Phòng GD&ĐT Ba Tơ"
