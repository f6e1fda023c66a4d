"""The attendance workbook as it prints, and the CSV as programs read it.

openpyxl (always): every sheet on A4 fitted to the page width, landscape where wide, header rows
repeated, "Trang &P / &N" in the footer, the scope written once, the signed first sheet (national
header, title, table, chart, Decree 30 date, signer), widths that hold their text (measured with the
Liberation Serif font when the system has it) and a fitted scale that keeps text at 8 pt or more.
LibreOffice (where soffice is installed): the workbook converted to PDF and read back with pdfinfo,
pdftotext and its word boxes; the CSV opened by LibreOffice's own CSV import.
"""

import csv
import io
import re
import shutil
import statistics
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from bridges.models import Person, Role
from core.dates import official_date
from reports import page_setup
from reports.workbook import HEADER_ROW
from training.models import CertificateTemplate

from .report_data import make_attended_event

LIBERATION_BOLD = Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf")
SIGNER = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def facts(small_tree):
    CertificateTemplate.objects.create(
        issuer="ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI\nSỞ GIÁO DỤC VÀ ĐÀO TẠO",
        motto="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập – Tự do – Hạnh phúc",
        signer_title=SIGNER, signer_name="Trần Minh Đức", place="Quảng Ngãi")
    return make_attended_event(small_tree)


def download(client, event, **data) -> bytes:
    response = client.post(reverse("reports:export", args=[event.pk]), {"format": "xlsx", **data})
    assert response.status_code == 200, response.content[:300]
    return response.content


def sheet_text(ws) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def printed_widths(ws) -> list[float]:
    """The widths of the columns inside the sheet's print area (all columns when it has none)."""
    last = ws.max_column
    if ws.print_area:
        _c1, _r1, last, _r2 = range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))
    widths = []
    for index in range(1, last + 1):
        letter = get_column_letter(index)
        widths.append(ws.column_dimensions[letter].width if letter in ws.column_dimensions else 8.43)
    return widths


def wrapped_lines_in_font(font, text: str, width: float, size: float = 11) -> int:
    """Lines a text takes in a cell `width` wide, laid out with the font's own advance widths."""
    room = width * 7 * 0.75 - 3.75  # a width unit is 7 px at 96 dpi, 5 px of it padding
    lines, line = 1, 0.0
    space = font.stringWidth(" ", size)
    for word in text.split():
        w = font.stringWidth(word, size)
        if line and line + space + w > room:
            lines, line = lines + 1, 0.0
        line += (space if line else 0) + w
    return lines


@pytest.mark.services
def test_every_sheet_prints_fitted_on_a4_with_page_numbers_and_the_scope_once(client, facts, small_tree,
                                                                               make_user):
    client.force_login(make_user("binhson", Role.Kind.DISTRICT_OFFICER, small_tree["BS"]))
    wb = load_workbook(io.BytesIO(download(client, facts["event"])))
    assert wb.sheetnames == ["Báo cáo", "Tổng hợp", "Điểm cầu", "Giáo viên"]
    assert wb.active.title == "Báo cáo"  # "print" in Excel prints the signed sheet, not the annexes
    cover, *annexes = wb.worksheets

    for ws in wb.worksheets:
        setup = ws.page_setup
        assert (int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (9, 1, 0), ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.oddFooter.center.text == "Trang &P / &N"
        # The scope, once: "Phạm vi: Phạm vi: Huyện BS" was the old label inside the label.
        text = sheet_text(ws)
        assert text.count("Phạm vi:") == 1 and "Phạm vi: Huyện BS" in text, ws.title
        # The workbook's font (cells without a style of their own) is Times New Roman.
        assert ws.cell(row=HEADER_ROW + 1, column=3).font.name == "Times New Roman"

    assert cover.page_setup.orientation == "portrait"
    for ws in annexes:
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"  # the header row on every page
        assert all(c.alignment.wrap_text for c in ws[HEADER_ROW])
        # What fitting to the width does: the printable width over the printed columns' width.
        plan = page_setup.layout(printed_widths(ws), orientation="landscape")
        assert plan.effective_font_size >= 8, (ws.title, plan)
    assert page_setup.layout(printed_widths(cover), page_setup.DOCUMENT_MARGINS,
                             orientation="portrait").scale == 1  # the signed sheet prints at full size

    # The bridges sheet keeps its contacts on screen, not on paper: the print area stops before them.
    bridges = annexes[1]
    headers = [c.value for c in bridges[HEADER_ROW]]
    area_end = column_index_from_string(re.sub(r"\d", "", bridges.print_area.split(":")[-1].replace("$", "")))
    assert headers[area_end] == "Người phụ trách" and "Điện thoại" not in headers[:area_end]

    # The signed sheet: national header, Decree 30 date, title, table, chart, signer.
    text = sheet_text(cover)
    for line in ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập – Tự do – Hạnh phúc", official_date(timezone.localdate(), "Quảng Ngãi"), "BÁO CÁO",
                 facts["event"].title, "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Minh Đức", "Tổng cộng"):
        assert line in text, line
    assert re.search(r"Quảng Ngãi, ngày \d\d tháng (0[12]|[3-9]|1[0-2]) năm \d{4}", text)
    assert len(cover._charts) == 1 and len(cover._charts[0].series) == 2
    # Its total is the summary sheet's: find the "Tổng cộng" rows and compare bridges invited.
    cover_total = next(r for r in cover.iter_rows(values_only=True) if "Tổng cộng" in r)
    summary_total = next(r for r in annexes[0].iter_rows(values_only=True) if "Tổng cộng" in r)
    assert cover_total[2] == summary_total[2] == 3  # BS and its two schools

    # No header is cut off: each fits its row in the font the printout uses (where the system has it).
    if LIBERATION_BOLD.exists():
        from reportlab.pdfbase.ttfonts import TTFont

        bold = TTFont("LiberationSerif-Bold", str(LIBERATION_BOLD))
        for ws in wb.worksheets[1:]:
            height = ws.row_dimensions[HEADER_ROW].height
            for cell in ws[HEADER_ROW]:
                width = ws.column_dimensions[get_column_letter(cell.column)].width
                lines = wrapped_lines_in_font(bold, str(cell.value), width)
                assert lines * 11 * 1.15 <= height, (ws.title, cell.value, lines, height)


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed ({package})")
    return path


def soffice_or_skip() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    return path


def convert(soffice: str, source: Path, target_ext: str, tmp_path: Path, infilter: str | None = None) -> Path:
    # A profile of its own: several soffice processes may run on the machine at once.
    command = [soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", target_ext, "--outdir", str(tmp_path / "out"), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    out = tmp_path / "out" / (source.stem + "." + target_ext)
    assert out.exists(), f"LibreOffice wrote no {out.name}"
    return out


def word_boxes(pdf: Path, page: int) -> list[tuple[float, str]]:
    """(height, text) of each word on a page, from pdftotext's bounding boxes."""
    html = subprocess.run([tool("pdftotext", "poppler-utils"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(float(y2) - float(y1), word) for _x1, y1, _x2, y2, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


@pytest.mark.services
def test_libreoffice_prints_the_workbook_as_an_official_reads_it(client, facts, small_tree, make_user, tmp_path):
    soffice = soffice_or_skip()
    for name in ("pdfinfo", "pdftotext"):
        tool(name, "poppler-utils")  # skip before the export, not after
    # Enough teachers for the teachers' annex to run over several pages.
    Person.objects.bulk_create([Person(bridge=small_tree["BS-S1"], full_name=f"Nguyễn Văn Thêm {i:03d}",
                                       teacher_id=f"{i:012d}", subject="Giáo viên tiểu học") for i in range(150)])
    client.force_login(make_user("binhson", Role.Kind.DISTRICT_OFFICER, small_tree["BS"]))
    source = tmp_path / "diem-danh.xlsx"
    source.write_bytes(download(client, facts["event"]))
    pdf = convert(soffice, source, "pdf", tmp_path)

    info = subprocess.run([tool("pdfinfo", "poppler-utils"), "-f", "1", "-l", "1", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert re.search(r"Page\s+1 size:\s+595\.\d+ x 841\.\d+", info)  # A4 portrait: the signed sheet
    text = subprocess.run([tool("pdftotext", "poppler-utils"), "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.split("\f")[:pages]
    for number, page in enumerate(text, start=1):
        assert f"Trang {number} / {pages}" in page, number

    def first_page(title: str) -> int:
        return next(i for i, page in enumerate(text) if title in page)

    summary, bridges, teachers = (first_page(t) for t in ("TỔNG HỢP ĐIỂM DANH THEO HUYỆN", "ĐIỂM DANH THEO ĐIỂM CẦU",
                                                          "ĐIỂM DANH THEO GIÁO VIÊN"))
    assert 1 <= summary <= 2, "the signed report takes one or two pages"
    signed = "\n".join(text[:summary])
    for line in ("BÁO CÁO", official_date(timezone.localdate(), "Quảng Ngãi"), "PHÓ GIÁM ĐỐC", "Trần Minh Đức"):
        assert line in signed, line
    # The scope once per title block (the signed sheet and each annex's first page), never doubled.
    whole = "\n".join(text)
    assert "Phạm vi: Phạm vi" not in whole and whole.count("Phạm vi: Huyện BS") == 4
    # The teachers' header row is printed again on every page of that annex.
    assert pages - teachers >= 2
    for page in text[teachers:]:
        assert "Họ và tên" in page and "Ngày sinh" in page

    # The size an official reads: the footer is 10 pt on the signed sheet, printed at full size, which
    # gives the height of a point in the word boxes; a teachers' page is mostly 11 pt cells, fitted.
    footer = [h for h, word in word_boxes(pdf, 1) if word == "Trang"]
    per_point = footer[0] / 10
    teachers_page = statistics.median(h for h, _w in word_boxes(pdf, teachers + 2))
    assert teachers_page / per_point >= 7.9, f"{teachers_page / per_point:.1f} pt"


def rows_of(content: bytes, **options) -> list[list]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), **options))


def test_csv_is_one_machine_readable_format(client, facts, organizer):
    person = facts["people"]["0BS10"]
    Person.objects.filter(pk=person.pk).update(teacher_id="001234567890", birth_date=date(1990, 2, 3))
    client.force_login(organizer)
    url = reverse("reports:export", args=[facts["event"].pk])
    teachers = client.post(url, {"format": "csv", "sheet": "teachers"}).content
    assert b"\r\n" in teachers and b'"001234567890"' in teachers  # text quoted, with every digit

    # Python's csv module, told that unquoted fields are numbers: text stays text, numbers are numbers.
    header, *rows = rows_of(teachers, quoting=csv.QUOTE_NONNUMERIC)
    row = next(r for r in rows if r[header.index("Mã định danh giáo viên")] == "001234567890")
    assert row[header.index("Ngày sinh")] == "1990-02-03"
    assert row[header.index("Số lần có mặt")] == 2.0 and row[header.index("Có mặt (%)")] == 100.0
    checked_in = re.fullmatch(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\+07:00", row[header.index("Lần 1")])
    assert checked_in, row[header.index("Lần 1")]
    local = timezone.localtime(person.checkins.get(roll_call=facts["roll_calls"][0]).at)
    assert checked_in.groups() == (local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S"))
    assert row[header.index("Lần 3")] == ""  # not held yet

    bridges = rows_of(client.post(url, {"format": "csv", "sheet": "bridges"}).content)
    header = bridges[0]
    school = next(r for r in bridges if r[1] == "BS-S1")
    assert school[header.index("Số phút kết nối")] == "90.0" and school[header.index("Điện thoại")] == "0905000000"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", school[header.index("Thời điểm điểm danh")])
    summary = rows_of(client.post(url, {"format": "csv", "sheet": "summary"}).content)
    assert summary[-1][1] == "Tổng cộng" and summary[-1][summary[0].index("Tỷ lệ tham dự")] == "58.3"


def test_libreoffice_reads_the_csv_with_identifiers_as_text(client, facts, organizer, tmp_path):
    soffice = soffice_or_skip()
    Person.objects.filter(pk=facts["people"]["0BS10"].pk).update(teacher_id="001234567890")
    client.force_login(organizer)
    source = tmp_path / "giao-vien.csv"
    source.write_bytes(client.post(reverse("reports:export", args=[facts["event"].pk]),
                                   {"format": "csv", "sheet": "teachers"}).content)
    # LibreOffice's CSV import: comma, double quote, UTF-8, from line 1, English (USA) numbers,
    # quoted fields as text, special numbers detected.
    out = convert(soffice, source, "xlsx", tmp_path, infilter="CSV:44,34,76,1,,1033,true,true")
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    ids = [row[header.index("Mã định danh giáo viên")] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert "001234567890" in ids and "0BS11" in ids
    times_present = [row[header.index("Số lần có mặt")] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, int | float) for v in times_present)


def test_a_title_typed_like_a_formula_stays_text_on_every_sheet(client, facts, organizer):
    from events.models import Event

    from .report_data import FORMULA_NAME

    Event.objects.filter(pk=facts["event"].pk).update(title=FORMULA_NAME)
    client.force_login(organizer)
    wb = load_workbook(io.BytesIO(download(client, facts["event"])))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and FORMULA_NAME in c.value]
    assert {c.parent.title for c in cells} == set(wb.sheetnames)  # the cover's title line, the annexes' event line
    assert all(c.data_type == "s" for c in cells)
