"""Zip bombs (issue 15) are refused from their declared sizes, before anything is inflated: the bridge import,
an invitation list of codes, an XLSForm. The bomb is real: a workbook whose sheet inflates to 300 MB of
spaces from a few hundred KB, and tracemalloc shows the refusal costs a few MB, not hundreds."""

import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bridges.importing.errors import ImportFileError
from bridges.importing.reading import read_file
from core import archives
from events.services.invitations import parse_code_file
from schoolreports import xlsform

UNPACKED = 300 * 1024 * 1024


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A valid workbook, then its sheet replaced by 300 MB of padding (streamed: never held in memory)."""
    book = openpyxl.Workbook()
    book.active.append(["Mã", "Tên"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
                continue
            with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(source.read(info)[:-len(b"</worksheet>")])
                chunk = b" " * (1024 * 1024)
                for _ in range(UNPACKED // len(chunk)):
                    sheet.write(chunk)
                sheet.write(b"</worksheet>")
    data = out.getvalue()
    assert len(data) < 1024 * 1024 and archives.declared_size(data)[1] > UNPACKED
    return data


def refused_cheaply(call) -> Exception:
    tracemalloc.start()
    try:
        with pytest.raises((ImportFileError, ValidationError, xlsform.XLSFormRefused)) as refused:
            call()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, f"{peak / 1e6:.0f} MB to refuse"
    return refused.value


def test_the_import_refuses_a_bomb_unopened(bomb, tmp_path):
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(bomb)
    refusal = refused_cheaply(lambda: read_file(path))
    assert "MB" in refusal.message


def test_an_invitation_list_refuses_a_bomb_unopened(bomb):
    refusal = refused_cheaply(lambda: parse_code_file(SimpleUploadedFile("ma.xlsx", bomb)))
    assert "MB" in " ".join(refusal.messages)


def test_an_xlsform_refuses_a_bomb_unopened(bomb):
    refusal = refused_cheaply(lambda: xlsform.read(bomb, filename="bieu-mau.xlsx"))
    assert "MB" in " ".join(refusal.problems)


def test_real_workbooks_pass(tmp_path):
    """A roster of 5,000 teachers inflates about 10 times: far under the bounds."""
    book = openpyxl.Workbook()
    book.active.append(["Mã trường", "Họ và tên", "Điện thoại"])
    for n in range(5000):
        book.active.append([f"BS-S{n % 40}", f"Nguyễn Văn {n}", f"09050{n:05d}"])
    path = tmp_path / "that.xlsx"
    book.save(path)
    archives.require_modest_zip(path, max_unpacked=UNPACKED)
    data = path.read_bytes()
    assert len(parse_code_file(SimpleUploadedFile("ma.xlsx", data))) == 5000
