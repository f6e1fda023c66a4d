"""A school-report round exported: the demo's device-needs report (seed_demo: most schools answered, a few
late, a few missing) through `manage.py export_school_report` as the annex workbook, read back with openpyxl
(district totals equal the sum of their school rows, two header rows, A4 landscape, the Decree 30 date line,
no formula smuggled in) and printed by LibreOffice where present; the CSV through the API in a district
officer's scope."""

import csv
import io
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from bridges.models import Bridge, Role
from demo import school_reports as demo_reports
from schoolreports.models import ReportAnswer, ReportForm

FIRST_FIXED = 6  # No., name, code/.., ...: the number columns start after these on both sheets
CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
REF = re.compile(r"^'?(?P<sheet>.+?)'?!\$(?P<col>[A-Z]+)\$(?P<first>\d+):\$(?P=col)\$(?P<last>\d+)$")


@pytest.fixture
def demo_round(db):
    call_command("seed_demo", "--schools", "26", "--teachers-per-school", "2", stdout=sys.stderr)
    form = ReportForm.objects.get(title=demo_reports.TITLE)
    return form.rounds.get()


def _table(ws, first_label: str):
    """The data rows under the two header rows (the row whose first cell is `first_label`)."""
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == first_label)
    return rows[header], rows[header + 1], rows[header + 2:]


def test_the_demo_round_has_late_and_missing_schools(demo_round):
    answers = ReportAnswer.objects.filter(round=demo_round)
    schools = Bridge.objects.filter(tier__role="school").count()
    assert schools * 0.7 < answers.count() < schools
    assert 0 < answers.filter(late=True).count() < answers.count()
    call_command("seed_demo", "--schools", "26", "--teachers-per-school", "2", stdout=sys.stderr)
    assert ReportForm.objects.filter(title=demo_reports.TITLE).count() == 1  # idempotent


def test_the_annex_workbook_district_totals_are_the_sum_of_its_school_rows(demo_round, tmp_path):
    school = Bridge.objects.filter(tier__role="school").order_by("path").first()
    school.name = '=HYPERLINK("http://evil.example","x")'
    school.save()
    out = tmp_path / "bao-cao.xlsx"
    call_command("export_school_report", str(demo_round.pk), "--out", str(out), "--place", "Quảng Ngãi",
                 "--issuer", "UBND tỉnh Quảng Ngãi|Sở Giáo dục và Đào tạo", "--signer-title", "GIÁM ĐỐC",
                 "--signer-name", "Trần Minh Đức", stdout=sys.stderr)
    book = load_workbook(out)
    summary, details = book.worksheets
    texts = [c for row in summary.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(t.startswith("Quảng Ngãi, ngày ") and " tháng " in t and " năm " in t for t in texts), texts[:12]
    assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO" in texts and "GIÁM ĐỐC" in texts and "Trần Minh Đức" in texts
    assert int(summary.page_setup.paperSize) == int(summary.PAPERSIZE_A4) and summary.page_setup.orientation == "landscape"
    assert summary.print_title_rows

    top, labels, rows = _table(summary, "STT")
    width = len(top)
    group_row = [c for c in top[FIRST_FIXED:]]
    assert group_row[0] and "Tiểu học" in group_row[0] and labels[FIRST_FIXED] == "Hộ nghèo"  # two header rows
    district_rows = [r for r in rows if isinstance(r[0], int)]
    total_row = next(r for r in rows if r[1] == "Tổng cộng")

    _top, _labels, school_rows = _table(details, "STT")
    by_district: dict[str, list] = {}
    subtotals = {}
    for row in school_rows:
        if isinstance(row[0], int):
            by_district.setdefault(row[3], []).append(row)
        elif isinstance(row[0], str) and row[0].startswith("Cộng "):
            subtotals[row[0][len("Cộng "):]] = row
    assert len(district_rows) == len(by_district) == len(subtotals) >= 2
    for district in district_rows:
        name = district[1]
        schools = by_district[name]
        assert district[2] == len(schools)  # schools asked
        assert district[3] == sum(1 for s in schools if isinstance(s[4], datetime))  # sent: its time
        for col in range(FIRST_FIXED, width):
            summed = sum(s[col] or 0 for s in schools)
            assert (district[col] or 0) == summed == (subtotals[name][col] or 0), (name, col)
    for col in range(FIRST_FIXED, width):
        assert (total_row[col] or 0) == sum(d[col] or 0 for d in district_rows)
    # The bar chart of the grid: its total per district, read from the summary's district rows (names in B).
    with zipfile.ZipFile(out) as package:
        charts = [ElementTree.fromstring(package.read(n))  # noqa: S314 - the file this test just wrote
                  for n in package.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 1  # the device-needs form has one grid
    chart = charts[0]
    assert chart.find(f".//{CHART}barChart") is not None
    grid_label = "Số học sinh chưa có thiết bị, theo cấp học và đối tượng"
    title = chart.find(f"{CHART}chart/{CHART}title")
    assert "".join(t.text or "" for t in title.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}t")) \
        == grid_label
    (values_ref,) = [f.text for f in chart.iter(f"{CHART}f") if f.text and "$B$" not in f.text]
    (labels_ref,) = [f.text for f in chart.iter(f"{CHART}f") if f.text and "$B$" in f.text]
    values, names = REF.match(values_ref), REF.match(labels_ref)
    assert values and names and values["sheet"] == names["sheet"] == summary.title
    assert (values["first"], values["last"]) == (names["first"], names["last"])
    charted = range(int(values["first"]), int(values["last"]) + 1)
    assert [summary.cell(row=r, column=2).value for r in charted] == [r[1] for r in district_rows]
    grid_total = column_index_from_string(values["col"])
    assert top[grid_total - 1] == grid_label and labels[grid_total - 1] == "Tổng cộng"  # the grid's total column
    assert [summary.cell(row=r, column=grid_total).value for r in charted] == [r[grid_total - 1]
                                                                              for r in district_rows]
    assert sum(summary.cell(row=r, column=grid_total).value or 0 for r in charted) == total_row[grid_total - 1] > 0
    # Text that would be a formula is kept as text.
    cell = next(c for row in details.iter_rows() for c in row if c.value == school.name)
    assert cell.data_type == "s"

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed: the printed pages are not checked")
    pdfinfo, pdftotext = shutil.which("pdfinfo"), shutil.which("pdftotext")
    if pdfinfo is None or pdftotext is None:
        pytest.skip("poppler-utils (pdfinfo, pdftotext) are not installed: the printed pages are not checked")
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    info = subprocess.run([pdfinfo, str(tmp_path / "bao-cao.pdf")], capture_output=True, text=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info)
    assert size and float(size.group(1)) > float(size.group(2)), info  # A4, landscape
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == 2  # each sheet fitted to one page's width
    text = subprocess.run([pdftotext, "-layout", str(tmp_path / "bao-cao.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert "Tổng cộng" in text and "GIÁM ĐỐC" in text


def test_a_district_officer_downloads_their_district_as_csv(client, make_user, demo_round):
    district = Bridge.objects.filter(tier__role="intermediate").order_by("path").first()
    client.force_login(make_user("canbo", Role.Kind.DISTRICT_OFFICER, scope=district))
    response = client.get(f"/api/school-reports/rounds/{demo_round.pk}/export.csv")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, data = rows[0], rows[1:]
    assert header[:4] == ["Huyện / xã", "Mã", "Trường", "Trạng thái"] or len(header) > 10
    assert data and {row[0] for row in data} == {district.name}
    page = client.get(f"/school-reports/rounds/{demo_round.pk}/")
    assert f"/school-reports/rounds/{demo_round.pk}/export.xlsx".encode() in page.content
    xlsx = client.get(f"/school-reports/rounds/{demo_round.pk}/export.xlsx")
    assert xlsx.status_code == 200
    names = {r[3] for r in load_workbook(io.BytesIO(xlsx.content)).worksheets[1].iter_rows(values_only=True)
             if r and isinstance(r[0], int)}
    assert names == {district.name}


def test_a_form_without_a_grid_exports_no_chart(small_tree, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from schoolreports import services

    form = services.copy_template("replication")
    round_ = services.publish_round(form, deadline=timezone.now() + timedelta(days=3))
    out = tmp_path / "nhan-rong.xlsx"
    call_command("export_school_report", str(round_.pk), "--out", str(out), stdout=sys.stderr)
    with zipfile.ZipFile(out) as package:
        assert not [n for n in package.namelist() if n.startswith("xl/charts/")]
    assert load_workbook(out).worksheets[0].print_title_rows  # the rest of the annex is there
