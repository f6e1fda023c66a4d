"""A new province's first imports, on a database that has only been migrated (issue 11's "Done when").

The files are shaped like an office's: the host and district halls on one sheet; 600 schools in the
Department's layout (title block, a merged two-row header, a section row per district, subtotals, phones
typed as numbers, decomposed marks, one repeated row and one broken row, the signature block); then a
teacher roster of three sheets, one per school, each naming its school only in its title, identifiers
typed as numbers that lost their leading zero. Every school must arrive exactly once, every teacher with
identifier and birth date intact, and importing the same files again must change nothing.
"""

import unicodedata
from datetime import date, datetime
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from bridges.models import Bridge, Person, Tier
from tests import fixtures_import as fx

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

DISTRICTS = ["Bình Sơn", "Sơn Tịnh", "Tư Nghĩa", "Nghĩa Hành", "Mộ Đức", "Đức Phổ", "Ba Tơ", "Minh Long",
             "Sơn Hà", "Sơn Tây", "Trà Bồng", "Lý Sơn", "Quảng Ngãi"]
LEVELS = ["Mầm non", "Tiểu học", "THCS"]
SCHOOLS_PER_DISTRICT = [47] * 2 + [46] * 11  # 600 in all


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def district_code(index: int) -> str:
    return f"QNG-{index + 1:02d}"


def school_names(district: str, count: int) -> list[str]:
    # Ba Tơ has both the town Ba Tơ and the commune Ba Tô: two schools whose names differ only in a mark.
    names = [f"Trường {LEVELS[n % 3]} {district} số {n // 3 + 1}" for n in range(count - 2)]
    if district == "Ba Tơ":
        return names + ["Trường Tiểu học Ba Tơ", "Trường Tiểu học Ba Tô"]
    return names + [f"Trường THCS xã {district} Đông", f"Trường THCS xã {district} Tây"]


def halls_workbook(path):
    rows = fx.title_block(6, "DANH SÁCH ĐIỂM CẦU CHÍNH VÀ ĐIỂM CẦU HUYỆN")
    rows.append(["STT", "Mã điểm cầu", "Tên điểm cầu", "Cấp", "Đơn vị cấp trên", "Số điện thoại"])
    rows.append([1, "QNG", "Trung tâm IOC tỉnh Quảng Ngãi", "Điểm cầu chính", None, 2553822123])
    for index, district in enumerate(DISTRICTS):
        kind = "thành phố" if district == "Quảng Ngãi" else "huyện"
        rows.append([index + 2, district_code(index), f"Phòng GD&ĐT {kind} {district}", "Huyện", "QNG",
                     905100000 + index])
    rows += fx.signature_block()
    return fx.write_xlsx(path, rows, sheet_title="Điểm cầu chính")


def schools_workbook(path) -> dict[str, str]:
    """The Department's list. Returns {school name: district hall's code}."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "DS trường"
    for row in fx.title_block(8, "DANH SÁCH ĐIỂM CẦU CÁC TRƯỜNG"):
        ws.append(row)
    ws.append(["STT", "Tên trường", "Cấp", "Địa chỉ", "Người phụ trách", None, None, "Ghi chú"])
    ws.append([None, None, None, None, "Họ và tên", "Chức vụ", "Số điện thoại", None])
    for cols in ("A6:A7", "B6:B7", "C6:C7", "D6:D7", "E6:G6", "H6:H7"):
        ws.merge_cells(cols)
    expected = {}
    number = 0
    for index, (district, count) in enumerate(zip(DISTRICTS, SCHOOLS_PER_DISTRICT, strict=True)):
        kind = "THÀNH PHỐ" if district == "Quảng Ngãi" else "HUYỆN"
        ws.append([f"{'IVX'[index % 3]}. {kind} {district.upper()}"])
        for n, name in enumerate(school_names(district, count), start=1):
            number += 1
            # Every third name comes decomposed, as some Mac and web forms write it; the phone is a number.
            typed = fx.nfd(name) if number % 3 == 0 else name
            ws.append([n, typed, "Trường", f"Xã {district}", f"Hiệu trưởng {number}", "Hiệu trưởng",
                       979000000 + number, None])
            expected[name] = district_code(index)
            if number == 100:  # the same school typed twice, differing only in the note
                ws.append([n, typed, "Trường", f"Xã {district}", f"Hiệu trưởng {number}", "Hiệu trưởng",
                           979000000 + number, "gửi lại"])
        if index == 5:  # a broken row: a number and an address but no name
            ws.append([count + 1, None, "Trường", "Xã không tên", "Ai đó", None, 123, None])
        ws.append([None, "Cộng", None, None, None, None, None, count])
    ws.append([None, "TỔNG CỘNG", None, None, None, None, None, sum(SCHOOLS_PER_DISTRICT)])
    for row in fx.signature_block():
        ws.append(row)
    wb.save(path)
    return expected


ROSTER_SCHOOLS = ["Trường Tiểu học Ba Tơ", "Trường Tiểu học Ba Tô", "Trường THCS xã Lý Sơn Đông"]


def teachers_of(sheet: int) -> list[tuple[str, str, date]]:
    return [(f"Giáo viên {'ABC'[sheet]}{k} Nguyễn Thị Hồng", f"051{sheet}{k:02d}000{sheet}{k:02d}",
             date(1980 + k, sheet + 1, k + 1)) for k in range(12)]


def roster_workbook(path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, school in enumerate(ROSTER_SCHOOLS):
        ws = wb.create_sheet(f"Trường {sheet + 1}")
        ws.append(["SỞ GIÁO DỤC VÀ ĐÀO TẠO QUẢNG NGÃI"])
        ws.append([f"DANH SÁCH GIÁO VIÊN THAM GIA TẬP HUẤN – {school.upper()}"])
        ws.append([])
        ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số điện thoại", "Mã định danh"])
        for k, (name, ident, born) in enumerate(teachers_of(sheet)):
            # Identifiers typed as numbers with no number format: the leading zero is gone in the cell.
            when = datetime(born.year, born.month, born.day) if k % 2 else born.strftime("%d/%m/%Y")
            ws.append([k + 1, fx.nfd(name) if k == 3 else name, when, "Nữ", 905200000 + sheet * 100 + k,
                       int(ident)])
        if sheet == 1:
            ws.append([13, None, "01/01/1980", "Nam", 905000999, "051000000999"])  # a row with no name
        ws.append([None, "Tổng cộng: 12 người"])
    notes = wb.create_sheet("Hướng dẫn")
    notes.append(["Các trường gửi danh sách trước ngày 10/3"])
    wb.save(path)
    return path


def test_a_new_province_imports_its_real_lists(tmp_path):
    # Only migrated: the tiers come from the data migration, nothing else is stored.
    assert set(Tier.objects.values_list("role", flat=True)) == {"host", "intermediate", "school"}
    assert not Bridge.objects.exists()

    halls = halls_workbook(tmp_path / "diem_cau_huyen.xlsx")
    assert "Written: 14 created" in run("import_bridges", str(halls))

    schools = tmp_path / "ds_truong.xlsx"
    expected = schools_workbook(schools)
    assert len(expected) == 600
    output = run("import_bridges", str(schools), "--skip-invalid")
    assert "Written: 600 created, 0 updated." in output
    assert "[error]" in output and "[warning]" in output  # the broken row and the repeat are both reported

    stored = Bridge.objects.filter(tier__role="school").select_related("parent")
    assert stored.count() == 600
    by_name = {bridge.name: bridge for bridge in stored}
    assert set(by_name) == set(expected)  # every school exactly once, with its marks, in NFC
    for name, bridge in by_name.items():
        assert unicodedata.is_normalized("NFC", bridge.name)
        assert bridge.parent.code == expected[name], name
    assert by_name["Trường Tiểu học Ba Tơ"].pk != by_name["Trường Tiểu học Ba Tô"].pk
    assert by_name[school_names("Bình Sơn", 47)[0]].head_phone == "0979000001"

    roster = roster_workbook(tmp_path / "giao_vien.xlsx")
    output = run("import_people", str(roster), "--skip-invalid")
    assert "3 sheets read" in output and "Hướng dẫn" in output  # the notes sheet is listed as skipped
    assert "Written: 36 created, 0 updated." in output
    for sheet, school in enumerate(ROSTER_SCHOOLS):
        people = {p.full_name: p for p in Person.objects.filter(bridge=by_name[school])}
        assert len(people) == 12, school
        for name, ident, born in teachers_of(sheet):
            person = people[name]
            assert person.teacher_id == ident and len(ident) == 12
            assert person.birth_date == born

    # The same files again: nothing changes.
    for command, path in (("import_bridges", halls), ("import_bridges", schools), ("import_people", roster)):
        assert "Written: 0 created, 0 updated." in run(command, str(path), "--skip-invalid"), path.name
    assert Bridge.objects.count() == 614 and Person.objects.count() == 36


def test_a_row_problem_is_said_once_even_when_children_ask_again(tmp_path):
    # No tier column: the top row cannot be placed; its two levels of children each ask for its tier.
    path = tmp_path / "khong_cap.csv"
    path.write_text("Mã điểm cầu;Tên điểm cầu;Đơn vị cấp trên\nQNG;Trung tâm IOC;\n"
                    "QNG-01;Phòng GD huyện Bình Sơn;QNG\nQNG-01-01;Trường TH A;QNG-01\n", encoding="utf-8")
    from bridges.importing import service

    plan = service.preview(path, "bridges")
    rows = [problem.row for problem in plan.problems if problem.level == "error"]
    assert sorted(rows) == [2, 3, 4]  # one problem per row


def test_reading_a_large_workbook_reports_progress(tmp_path):
    from bridges.importing import reading

    rows = [["Họ và tên", "Mã định danh", "Mã trường"]] + [[f"Người {n}", f"{n:012d}", "BS-S1"] for n in range(9000)]
    path = fx.write_xlsx(tmp_path / "lon.xlsx", rows, extra_sheets=[("Ghi chú", [["x"]])])
    seen = []
    reading.read_file(path, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) >= 4  # a step every 2,000 rows
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert all(0 <= done <= total for done, total in seen)
