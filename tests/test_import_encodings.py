"""Text files as Excel and Vietnamese offices save them: UTF-16 "Unicode Text", Windows-1258, UTF-8 with a BOM."""

import codecs
import random
import unicodedata
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from bridges.importing import reading, service
from bridges.importing.errors import ImportFileError
from bridges.models import Bridge, Person
from core.models import Job
from tests import fixtures_import as fx

pytestmark = [pytest.mark.django_db, pytest.mark.services]

# Names whose marks are the whole difference between words; a comma inside a cell of a tab-separated file.
TEACHERS = [
    ("Hồ Thị Ngọc Ánh", "048188000311", "Giáo viên, tổ trưởng"),
    ("Nguyễn Hữu Đức", "048175000322", "Hiệu trưởng"),
    ("Trương Thị Thuỷ", "048190000333", "Giáo viên"),
]
SCHOOLS = [
    ("BT", "Phòng GD&ĐT Ba Tơ", "Điểm cầu chính", "", "Thị trấn Ba Tơ, huyện Ba Tơ"),
    ("BT-01", "Trường Tiểu học Ba Điền", "Trường", "BT", "Xã Ba Điền, huyện Ba Tơ"),
    ("BT-02", "Trường THCS Phạm Văn Đồng", "Trường", "BT", "Xã Ba Động, huyện Ba Tơ"),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def unicode_text(path, rows, *, codec="utf-16-le", bom=codecs.BOM_UTF16_LE):
    """What Excel writes for "Save as: Unicode Text (*.txt)": a BOM, tabs, CRLF, cells with a tab quoted."""
    text = "".join("\t".join(row) + "\r\n" for row in rows)
    path.write_bytes(bom + text.encode(codec))
    return path


def people_rows(school_code: str) -> list[list[str]]:
    return [["Họ và tên", "Mã định danh", "Chức vụ", "Mã trường"]] + [
        [name, ident, role, school_code] for name, ident, role in TEACHERS
    ]


def bridge_lines(delimiter=";") -> str:
    header = ["Mã điểm cầu", "Tên điểm cầu", "Cấp", "Đơn vị cấp trên", "Địa chỉ"]
    return "".join(delimiter.join(row) + "\r\n" for row in [header, *SCHOOLS])


def assert_bridges_exact():
    for code, name, _tier, parent, address in SCHOOLS:
        bridge = Bridge.objects.get(code=code)
        assert bridge.name == name and unicodedata.is_normalized("NFC", bridge.name)
        assert bridge.address == address
        assert (bridge.parent.code if bridge.parent else "") == parent


def test_utf16_unicode_text_roster_through_the_command(small_tree, tmp_path):
    path = unicode_text(tmp_path / "giao-vien.txt", people_rows("TN-S1"))
    output = run("import_people", str(path))
    assert "Text file read as UTF-16 LE, cells separated by tabs." in output
    for name, ident, role in TEACHERS:
        person = Person.objects.get(teacher_id=ident)
        assert person.full_name == name and unicodedata.is_normalized("NFC", person.full_name)
        assert person.bridge.code == "TN-S1" and person.subject == role  # "Giáo viên, tổ trưởng" kept whole
    # The same file again changes nothing.
    assert service.preview(path, "people").writes == 0


@pytest.mark.parametrize(("codec", "bom", "label"), [
    ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16 LE"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16 BE"),
    ("utf-8", codecs.BOM_UTF8, "UTF-8 (BOM)"),
    ("utf-8", b"", "UTF-8"),
])
def test_reader_decodes_each_unicode_form(tmp_path, codec, bom, label):
    path = unicode_text(tmp_path / "gv.txt", people_rows("TN-S1"), codec=codec, bom=bom)
    [sheet] = reading.read_file(path)
    assert sheet.encoding == label and sheet.delimiter == "\t"
    assert sheet.rows[0] == ["Họ và tên", "Mã định danh", "Chức vụ", "Mã trường"]  # no BOM left on the first cell
    assert [row[0] for row in sheet.rows[1:]] == [name for name, _i, _r in TEACHERS]
    assert sheet.rows[1][2] == "Giáo viên, tổ trưởng"


def test_cp1258_bridge_list_through_the_command_and_the_reader(tiers, tmp_path):
    path = tmp_path / "diem-cau.csv"
    data = fx.to_cp1258(bridge_lines(";"))
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really a legacy file, not UTF-8 in disguise

    [sheet] = reading.read_file(path)
    assert sheet.encoding == "Windows-1258" and sheet.delimiter == ";"
    # Windows-1258 writes tones as combining marks: the raw cell is decomposed, its NFC form is the name.
    raw = sheet.rows[2][1]
    assert not unicodedata.is_normalized("NFC", raw)
    assert unicodedata.normalize("NFC", raw) == "Trường Tiểu học Ba Điền"

    output = run("import_bridges", str(path))
    assert "Text file read as Windows-1258, cells separated by semicolons." in output
    assert "TCVN3" in output  # how to re-save a file whose names come out wrong
    assert_bridges_exact()
    assert service.apply(path, "bridges").writes == 0


def test_utf8_with_bom_still_works(tiers, tmp_path):
    path = tmp_path / "diem-cau.csv"
    path.write_bytes(bridge_lines(",").replace(", huyện", " - huyện").encode("utf-8-sig"))
    output = run("import_bridges", str(path))
    assert "Text file read as UTF-8 (BOM), cells separated by commas." in output
    assert Bridge.objects.get(code="BT-02").name == "Trường THCS Phạm Văn Đồng"
    assert Bridge.objects.get(code="BT").address == "Thị trấn Ba Tơ - huyện Ba Tơ"


def test_workbooks_have_no_encoding_line(tiers, tmp_path):
    path = fx.write_xlsx(tmp_path / "x.xlsx", [["Mã điểm cầu", "Tên điểm cầu", "Cấp"], ["H1", "Trung tâm", "Điểm cầu chính"]])
    assert service.preview(path, "bridges").notes == []


def test_preview_page_and_api_show_the_encoding(client, organizer, small_tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(organizer)
    path = unicode_text(tmp_path / "giao-vien.txt", people_rows("TN-S2"))
    with translation.override("vi"):
        with path.open("rb") as fh:
            resp = client.post(reverse("bridges:import"), {"kind": "people", "file": fh})
        preview = Job.objects.get(kind="import_preview")
        assert preview.status == "done" and preview.result["counts"]["create"] == 3
        note = "Tệp văn bản được đọc theo bảng mã UTF-16 LE, các ô phân cách bằng dấu tab."
        assert preview.result["notes"] == [note]
        page = client.get(resp.url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        assert note in page and "Hồ Thị Ngọc Ánh" in page  # the decoded names, before anything is written
        api = client.get(f"/api/bridges/imports/{preview.pk}").json()
        assert api["result"]["notes"] == [note]
    assert not Person.objects.filter(teacher_id="048188000311").exists()


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(4000),
    codecs.BOM_UTF16_LE + random.Random(8).randbytes(4000),  # a BOM, then bytes that are no UTF-16 text
    random.Random(9).randbytes(4000).replace(b"\x00", b"\x01"),  # no NUL, but neither UTF-8 nor Windows-1258
])
def test_binary_junk_is_refused_in_vietnamese(tiers, tmp_path, data):
    path = tmp_path / "danh-sach.txt"
    path.write_bytes(data)
    refusal = "Tệp này không phải bảng tính đọc được"
    with translation.override("vi"):
        with pytest.raises(ImportFileError) as caught:
            service.preview(path, "bridges")
        assert refusal in caught.value.user_message
        with pytest.raises(CommandError, match=refusal):
            call_command("import_people", str(path), "--bridge", "X", stdout=StringIO())
    assert Bridge.objects.count() == 0
