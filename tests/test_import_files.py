"""Malformed files get a clear message and write nothing."""

import io
import os
import zipfile
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from msoffcrypto.format.ooxml import OOXMLFile

from bridges.importing import service
from bridges.importing.errors import ImportFileError
from bridges.models import Bridge
from tests import fixtures_import as fx

pytestmark = [pytest.mark.django_db, pytest.mark.services]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def message_for(path, kind="bridges") -> str:
    with pytest.raises(ImportFileError) as caught:
        service.preview(path, kind)
    return caught.value.user_message


def test_not_a_spreadsheet(tiers, tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4000))
    assert "not a spreadsheet" in message_for(path)


def test_empty_file(tiers, tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "empty" in message_for(path)
    blank = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(blank)
    assert "empty" in message_for(blank)


def test_password_protected_xlsx(tiers, tmp_path):
    plain = io.BytesIO()
    fx.province_bridge_list(plain)
    plain.seek(0)
    path = tmp_path / "secret.xlsx"
    with path.open("wb") as out:
        OOXMLFile(plain).encrypt("mat-khau", out)
    assert path.read_bytes()[:4] == bytes.fromhex("d0cf11e0")
    assert "password" in message_for(path)


def test_old_xls(tiers, tmp_path):
    path = tmp_path / "old.xls"
    # An OLE2 compound file without an encrypted package: what Excel 97-2003 writes.
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 3000)
    assert ".xls" in message_for(path)


def test_zip_that_is_not_a_workbook(tiers, tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not a spreadsheet" in message_for(path)
    ods = tmp_path / "sheet.ods"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    assert ".ods" in message_for(ods)


def test_oversized_junk_is_refused_before_reading(tiers, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    path = tmp_path / "junk.csv"
    with path.open("wb") as out:
        out.write(b"a;b\n" * (300 * 1024))
    assert "too large" in message_for(path)


def test_zip_bomb_is_refused(tiers, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 100 * 1024
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (4 * 1024 * 1024))
    assert path.stat().st_size < settings.IMPORT_MAX_BYTES
    # core.archives: judged by its declared size, unopened (tests/test_zip_bombs.py measures the memory)
    assert "unpacks to 4 MB" in message_for(path)


def test_sheet_without_a_recognisable_header(tiers, tmp_path):
    path = fx.write_xlsx(tmp_path / "x.xlsx", [["Báo cáo tháng 3"], ["Chỉ tiêu", "Kết quả"], ["A", 1]])
    message = message_for(path)
    assert "No recognisable header" in message
    junk_csv = tmp_path / "junk.csv"
    junk_csv.write_bytes(os.urandom(2000).replace(b"\x00", b"\x01"))
    with pytest.raises(ImportFileError):
        service.preview(junk_csv, "bridges")


def test_header_without_rows(tiers, tmp_path):
    path = fx.write_xlsx(tmp_path / "x.xlsx", [["STT", "Tên điểm cầu", "Địa chỉ"]])
    assert "no data rows" in message_for(path)


def test_header_found_on_a_later_sheet(tiers, tmp_path):
    rows = [["Mã điểm cầu", "Tên điểm cầu", "Cấp"], ["H1", "Trung tâm", "Điểm cầu chính"]]
    path = fx.write_xlsx(tmp_path / "x.xlsx", rows, extra_sheets=[("Hướng dẫn", [["Điền danh sách ở trang sau"]])])
    assert service.preview(path, "bridges").counts["create"] == 1


def test_commands_report_file_errors_and_write_nothing(tiers, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"%PDF-1.4\n" + b"\x00" * 100)
    with pytest.raises(CommandError, match="not a spreadsheet"):
        call_command("import_bridges", str(path), stdout=StringIO())
    with pytest.raises(CommandError, match="not a spreadsheet"):
        call_command("import_people", str(path), "--bridge", "X", stdout=StringIO())
    assert Bridge.objects.count() == 0
