"""Roster imports: names, phones, identifiers, dates as offices write them."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bridges.importing import service
from bridges.models import Bridge, Person
from core.models import AuditEntry
from tests import fixtures_import as fx

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_roster_preview_lists_row_problems(small_tree, tmp_path):
    path = fx.roster(tmp_path / "gv.xlsx", "BS-S1")
    plan = service.preview(path, "people")
    assert plan.counts["create"] == 4 and plan.counts["invalid"] == 1 and plan.counts["unchanged"] == 1
    problems = {(p.row, p.level) for p in plan.problems}
    assert (8, "error") in problems  # no name
    assert (9, "warning") in problems  # 31/02 left empty; a 5-digit phone kept as typed
    assert (10, "warning") in problems  # exact duplicate of row 7
    assert plan.skipped_rows == 1 and plan.signature_from is not None


def test_invalid_rows_stop_the_command(small_tree, tmp_path):
    path = fx.roster(tmp_path / "gv.xlsx", "BS-S1")
    before = Person.objects.count()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_people", str(path), stdout=out)
    assert Person.objects.count() == before
    assert "8" in out.getvalue()


def test_values_are_normalized(small_tree, tmp_path):
    path = fx.roster(tmp_path / "gv.xlsx", "BS-S1")
    run("import_people", str(path), "--skip-invalid")
    hong = Person.objects.get(teacher_id="012345678901")  # a number cell formatted 000000000000
    assert hong.full_name == "Nguyễn Thị Hồng" and hong.name_key == "nguyen thi hong"  # NFD composed
    assert hong.birth_date == date(1985, 3, 7) and hong.gender == "F" and hong.phone == "0905123456"
    assert hong.bridge.code == "BS-S1" and hong.subject == "Toán"
    minh = Person.objects.get(teacher_id="001079001234")
    assert minh.full_name == "Trần Văn Minh" and minh.birth_date == date(1979, 8, 15) and minh.phone == "0905234567"
    lan = Person.objects.get(full_name="Lê Thị Lan")
    assert lan.phone == "0905345678" and lan.teacher_id == ""
    sai = Person.objects.get(full_name="Phan Văn Sai")
    assert sai.birth_date is None and sai.phone == "12345"  # not a known number: kept as typed, unchecked
    assert AuditEntry.objects.get(action="import.people").details["counts"]["create"] == 4


def test_reimport_changes_nothing_and_edits_become_updates(small_tree, tmp_path):
    path = fx.roster(tmp_path / "gv.xlsx", "BS-S1", with_problems=False)
    run("import_people", str(path))
    stamps = dict(Person.objects.values_list("pk", "updated_at"))
    plan = service.apply(path, "people")
    assert plan.counts["create"] == 0 and plan.counts["update"] == 0
    assert dict(Person.objects.values_list("pk", "updated_at")) == stamps
    minh = Person.objects.get(teacher_id="001079001234")
    minh.subject = "Lịch sử"
    minh.save()
    plan = service.preview(path, "people")
    assert [(p.action, p.changes) for p in plan.rows if p.action == "update"] == [
        ("update", {"subject": ("Lịch sử", "Ngữ văn")})]


def test_teacher_id_moves_a_person_between_schools(small_tree, tmp_path):
    path = fx.roster(tmp_path / "gv.xlsx", "BS-S1", with_problems=False)
    run("import_people", str(path))
    moved = fx.roster(tmp_path / "gv2.xlsx", "TN-S2", with_problems=False)
    plan = service.apply(moved, "people")
    assert plan.counts["update"] == 2 and plan.counts["create"] == 1  # Lan has no identifier: a new person
    assert Person.objects.get(teacher_id="012345678901").bridge.code == "TN-S2"


def test_bridge_option_and_name_match(small_tree, tmp_path):
    rows = [
        ["Họ và tên", "Ngày sinh", "Chức vụ"],
        ["Giáo viên BS10", "", "Tổ trưởng"],  # already on BS-S1 from the fixture, no birth date
        ["Người Mới", "12/12/1999", "Giáo viên"],
    ]
    path = fx.write_xlsx(tmp_path / "r.xlsx", rows)
    output = run("import_people", str(path), "--bridge", "BS-S1")
    assert "1" in output
    existing = Person.objects.get(full_name="Giáo viên BS10")
    assert existing.subject == "Tổ trưởng" and existing.teacher_id == "0BS10"  # empty cells erase nothing
    assert Person.objects.get(full_name="Người Mới").bridge.code == "BS-S1"
    with pytest.raises(CommandError):
        run("import_people", str(path), "--bridge", "NOPE")


def test_bridge_by_name_and_missing_bridge(small_tree, tmp_path):
    rows = [
        ["Họ và tên", "Mã định danh", "Trường"],
        ["Một", "X001", "Trường BS 2"],
        ["Hai", "X002", "Trường Không Có"],
        ["Ba", "X003", ""],
    ]
    plan = service.preview(fx.write_xlsx(tmp_path / "r.xlsx", rows), "people")
    assert plan.counts["create"] == 1
    assert [p.row for p in plan.problems if p.level == "error"] == [3, 4]
    assert next(p for p in plan.rows if p.row == 2).bridge.code == "BS-S2"


def test_conflicting_rows_in_one_file(small_tree, tmp_path):
    rows = [
        ["Họ và tên", "Mã định danh", "Môn dạy"],
        ["An", "Y001", "Toán"],
        ["Bình", "Y001", "Văn"],
        ["Chi", "", "Sử"],
        ["Chi", "", "Địa"],
    ]
    plan = service.preview(fx.write_xlsx(tmp_path / "r.xlsx", rows), "people", bridge_code="TN-S1")
    assert [p.row for p in plan.problems if p.level == "error"] == [3, 5]


def test_section_rows_name_the_school(small_tree, tmp_path):
    rows = [
        ["STT", "Họ và tên", "Giới tính", "Môn"],
        ["I. Trường BS 1"],
        [1, "Lê Một", "Nam", "Toán"],
        ["II. TN-S1"],
        [1, "Lê Hai", "nữ", "Văn"],
    ]
    service.apply(fx.write_xlsx(tmp_path / "r.xlsx", rows), "people")
    assert Person.objects.get(full_name="Lê Một").bridge.code == "BS-S1"
    hai = Person.objects.get(full_name="Lê Hai")
    assert hai.bridge.code == "TN-S1" and hai.gender == "F"


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8-sig", ";"), ("cp1258", ","), ("utf-8", "\t")])
def test_csv_encodings_and_delimiters(small_tree, tmp_path, encoding, delimiter):
    path = fx.people_csv(tmp_path / "r.csv", "TN-S1", encoding=encoding, delimiter=delimiter)
    run("import_people", str(path))
    mai = Person.objects.get(teacher_id="048188000111")
    assert mai.full_name == "Võ Thị Mai" and mai.birth_date == date(1988, 2, 2) and mai.phone == "0905777888"
    tung = Person.objects.get(teacher_id="048175000222")
    assert tung.full_name == "Đặng Văn Tùng" and tung.birth_date == date(1975, 12, 30) and tung.phone == "0905999000"


def test_names_differing_only_in_marks_are_different_people(small_tree, tmp_path):
    rows = [
        ["Họ và tên", "Ngày sinh", "Môn dạy"],
        ["Nguyễn Thị Hồng", "01/01/1990", "Toán"],
        ["Nguyễn Thị Hông", "01/01/1990", "Toán"],
        [fx.nfd("Nguyễn Thị Hồng"), "01/01/1990", "Toán"],  # row 2 again, decomposed marks
        ["Nguyen Thi Hong", "01/01/1990", "Toán"],
    ]
    path = fx.write_xlsx(tmp_path / "hong.xlsx", rows)
    plan = service.preview(path, "people", bridge_code="BS-S1")
    assert not plan.has_errors
    assert plan.counts["create"] == 3 and plan.counts["unchanged"] == 1
    assert [p.text for p in plan.problems if p.row == 4] == ["Dòng 4: trùng với dòng 2, bỏ qua"]
    assert [p.text for p in plan.problems if p.row == 5] == [
        "Dòng 5: “Nguyen Thi Hong” gần giống “Nguyễn Thị Hồng” (dòng 2) — hai người khác nhau? Cả hai đều được nhập"]
    service.apply(path, "people", bridge_code="BS-S1")
    assert Person.objects.filter(bridge__code="BS-S1", birth_date=date(1990, 1, 1)).count() == 3
    again = service.preview(path, "people", bridge_code="BS-S1")
    assert again.writes == 0
    # Stored "Nguyễn Thị Hồng": its decomposed twin is the same person, a new unmarked spelling is asked.
    later = [["Họ và tên", "Ngày sinh"], [fx.nfd("Nguyễn Thị Hồng"), "01/01/1990"], ["Nguyễn Thi Hồng", "01/01/1990"]]
    plan = service.preview(fx.write_xlsx(tmp_path / "later.xlsx", later), "people", bridge_code="BS-S1")
    assert [p.action for p in plan.rows] == ["unchanged", "create"]
    assert [p.text for p in plan.problems if p.row == 3][0].startswith(
        "Dòng 3: “Nguyễn Thi Hồng” gần giống “")


def test_bridge_named_with_its_marks_is_not_its_unmarked_neighbour(small_tree, tiers, tmp_path):
    for code, name in (("BT-1", "Trường Tiểu học Ba Tơ"), ("BT-2", "Trường Tiểu học Ba Tô")):
        Bridge.objects.create(code=code, name=name, tier=tiers["school"], parent=small_tree["BS"])
    rows = [["Họ và tên", "Trường"], ["Một", "Trường Tiểu học Ba Tô"], ["Hai", fx.nfd("Trường Tiểu học Ba Tơ")]]
    plan = service.preview(fx.write_xlsx(tmp_path / "r.xlsx", rows), "people")
    assert [p.bridge.code for p in plan.rows] == ["BT-2", "BT-1"]
