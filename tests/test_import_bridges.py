"""Bridge-list imports from office-shaped spreadsheets, through the management command and the service."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bridges.importing import service
from bridges.models import Bridge
from core.models import AuditEntry
from tests import fixtures_import as fx

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_office_list_previews_sections_totals_and_signature(tiers, tmp_path):
    path = fx.province_bridge_list(tmp_path / "ds.xlsx")
    plan = service.preview(path, "bridges")
    assert plan.header_row == 6
    fields = {name for _label, name in plan.columns}
    assert {"code", "name", "tier", "head_name", "head_role", "head_phone", "tech_name", "tech_phone",
            "expected_participants"} <= fields
    assert plan.counts["create"] == 6 and plan.counts["invalid"] == 1
    assert plan.skipped_rows == 3  # two "Cộng" and the "TỔNG CỘNG"
    assert plan.signature_from == 24
    errors = [(p.row, p.level) for p in plan.problems if p.level == "error"]
    assert errors == [(15, "error")]  # the row without a name
    assert any(p.row == 20 and p.level == "warning" for p in plan.problems)  # duplicate of row 19
    assert Bridge.objects.count() == 0  # a preview writes nothing


def test_invalid_row_fails_the_command_and_writes_nothing(tiers, tmp_path):
    path = fx.province_bridge_list(tmp_path / "ds.xlsx")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_bridges", str(path), stdout=out)
    assert "15" in out.getvalue()  # the row problem is printed with its row number
    assert Bridge.objects.count() == 0
    assert not AuditEntry.objects.filter(action="import.bridges").exists()


def test_skip_invalid_writes_the_tree_with_normalized_values(tiers, tmp_path):
    path = fx.province_bridge_list(tmp_path / "ds.xlsx")
    run("import_bridges", str(path), "--skip-invalid")
    host = Bridge.objects.get(code="QNG")
    district = Bridge.objects.get(code="QNG-BS")
    school = Bridge.objects.get(code="QNG-BS-01")
    assert host.tier.role == "host" and host.parent is None and host.depth == 0
    assert district.parent == host and district.path == f"{host.path}{district.pk}/" and district.depth == 1
    assert school.parent == district and school.path == f"{district.path}{school.pk}/" and school.depth == 2
    assert Bridge.objects.get(code="QNG-TN-01").parent.code == "QNG-TN"
    # Phones: a number that lost its 0, dots, +84, a landline; digits libphonenumber rejects kept as typed.
    assert host.head_phone == "0905123456" and host.tech_phone == "0905111222"
    assert district.head_phone == "0912345678"
    assert Bridge.objects.get(code="QNG-TN").head_phone == "02553845123"
    assert Bridge.objects.get(code="QNG-TN-01").head_phone == "123"
    # NFD name composed, stray spaces removed, "40 người" read as 40.
    assert school.name == "Trường THCS Bình Thạnh" and school.head_name == "Đỗ Thị Hoa"
    assert Bridge.objects.get(code="QNG-BS-02").expected_participants == 40
    assert host.head_role == "Giám đốc" and host.internet_line == "VNPT 1 Gbps"
    entry = AuditEntry.objects.get(action="import.bridges")
    assert entry.details["counts"]["create"] == 6


def test_reimporting_the_same_file_changes_nothing(tiers, tmp_path):
    path = fx.province_bridge_list(tmp_path / "ds.xlsx")
    run("import_bridges", str(path), "--skip-invalid")
    before = {b.code: (b.updated_at, b.path) for b in Bridge.objects.all()}
    plan = service.apply(path, "bridges", skip_invalid=True)
    assert plan.counts["create"] == 0 and plan.counts["update"] == 0
    assert {b.code: (b.updated_at, b.path) for b in Bridge.objects.all()} == before


def test_changed_cells_become_updates(tiers, tmp_path):
    path = fx.province_bridge_list(tmp_path / "ds.xlsx")
    service.apply(path, "bridges", skip_invalid=True)
    school = Bridge.objects.get(code="QNG-BS-01")
    school.head_phone = "0900000000"
    school.save()
    plan = service.preview(path, "bridges")
    updated = [p for p in plan.rows if p.action == "update"]
    assert [p.key for p in updated] == ["QNG-BS-01"]
    assert updated[0].changes == {"head_phone": ("0900000000", "0979111222")}


def test_dry_run_writes_nothing(tiers, tmp_path):
    path = fx.flat_bridge_list(tmp_path / "flat.xlsx")
    output = run("import_bridges", str(path), "--dry-run")
    assert "5" in output
    assert Bridge.objects.count() == 0


def test_parent_spellings_and_derived_codes_are_stable(tiers, tmp_path):
    """No code column: "Huyện Bình Sơn", "H. Bình Sơn" and "huyện  Bình Sơn" are one district."""
    path = fx.flat_bridge_list(tmp_path / "flat.xlsx")
    run("import_bridges", str(path))
    district = Bridge.objects.get(name="Huyện Bình Sơn")
    assert district.tier.code == "district" and district.parent.name == "Trung tâm IOC"
    assert set(district.children.values_list("name", flat=True)) == {
        "Trường TH Bình Minh", "Trường THCS Bình Dương", "Trường THPT Bình Sơn"}
    assert district.children.get(name="Trường THPT Bình Sơn").head_phone == "0905666777"
    codes = set(Bridge.objects.values_list("code", flat=True))
    # The same list again: matched by name under the same parent, nothing created or changed.
    plan = service.apply(path, "bridges")
    assert plan.counts["create"] == 0 and plan.counts["update"] == 0
    assert set(Bridge.objects.values_list("code", flat=True)) == codes
    # The district renamed "H. Bình Sơn" is still the same district, not a new one.
    renamed = fx.flat_bridge_list(tmp_path / "flat2.xlsx", rename_district=True)
    plan = service.preview(renamed, "bridges")
    assert plan.counts["create"] == 0


def test_section_rows_create_missing_districts(tiers, small_tree, tmp_path):
    """A section that names an unknown place becomes that intermediate bridge under the host."""
    rows = [
        ["DANH SÁCH ĐIỂM CẦU TRƯỜNG HỌC"],
        ["STT", "Tên trường", "Địa chỉ", "Số lượng"],
        ["I", "HUYỆN SƠN TỊNH"],
        [1, "Trường TH Tịnh Hà", "Xã Tịnh Hà", 25],
        [2, "Trường THCS Tịnh Ấn Tây", "Xã Tịnh Ấn Tây", 30],
        ["II. HUYỆN BS"],
        [1, "Trường TH Bình Thới", "Xã Bình Thới", 20],
    ]
    path = fx.write_xlsx(tmp_path / "sections.xlsx", rows)
    run("import_bridges", str(path))
    son_tinh = Bridge.objects.get(name="Huyện Sơn Tịnh")
    assert son_tinh.parent == small_tree["host"] and son_tinh.tier.code == "district"
    assert son_tinh.children.count() == 2
    assert Bridge.objects.get(name="Trường TH Bình Thới").parent == small_tree["BS"]
    assert Bridge.objects.get(name="Trường TH Tịnh Hà").tier.code == "school"
    plan = service.preview(path, "bridges")
    assert plan.writes == 0


def test_unknown_parent_is_a_row_problem(tiers, small_tree, tmp_path):
    rows = [
        ["Mã", "Tên điểm cầu", "Đơn vị cấp trên"],
        ["X1", "Trường A", "Huyện Không Có"],
        ["X2", "Trường B", "BS"],
    ]
    path = fx.write_xlsx(tmp_path / "p.xlsx", rows)
    plan = service.preview(path, "bridges")
    assert [(p.row, p.level) for p in plan.problems] == [(2, "error")]
    assert plan.counts["create"] == 1
    with pytest.raises(CommandError):
        run("import_bridges", str(path))
    assert not Bridge.objects.filter(code__in=["X1", "X2"]).exists()


def test_moving_a_district_moves_its_subtree(tiers, small_tree, tmp_path):
    rows = [["Mã điểm cầu", "Tên điểm cầu", "Đơn vị cấp trên"], ["BS", "Huyện BS", "TN"]]
    path = fx.write_xlsx(tmp_path / "move.xlsx", rows)
    run("import_bridges", str(path))
    school = Bridge.objects.get(code="BS-S1")
    assert school.path.startswith(Bridge.objects.get(code="TN").path) and school.depth == 3


def test_a_parent_loop_is_refused(tiers, small_tree, tmp_path):
    rows = [["Mã điểm cầu", "Tên điểm cầu", "Đơn vị cấp trên"], ["BS", "Huyện BS", "BS-S1"]]
    plan = service.preview(fx.write_xlsx(tmp_path / "loop.xlsx", rows), "bridges")
    assert [(p.row, p.level) for p in plan.problems] == [(2, "error")]
    assert plan.writes == 0


def _texts(plan, row):
    return [p.text for p in plan.problems if p.row == row]


def test_names_differing_only_in_marks_are_different_schools(tiers, small_tree, tmp_path):
    """Ba Tơ (the town) and Ba Tô (a commune) are two schools; folding only suggests, never merges."""
    rows = [
        ["Tên điểm cầu", "Đơn vị cấp trên", "Ghi chú"],
        ["Trường Tiểu học Ba Tơ", "BS", ""],
        ["Trường Tiểu học Ba Tô", "BS", ""],
        [fx.nfd("Trường Tiểu học Ba Tơ"), "BS", "gọi trước 8 giờ"],  # the row 2 school, decomposed marks
        ["Trường Tiểu học Ba To", "BS", ""],  # typed without marks
    ]
    path = fx.write_xlsx(tmp_path / "bato.xlsx", rows)
    plan = service.preview(path, "bridges")
    assert not plan.has_errors
    assert plan.counts["create"] == 3 and plan.counts["unchanged"] == 1
    assert _texts(plan, 4) == ["Dòng 4: trùng với dòng 2, bỏ qua"]
    assert _texts(plan, 5) == ["Dòng 5: “Trường Tiểu học Ba To” gần giống “Trường Tiểu học Ba Tơ” (dòng 2) — "
                               "hai điểm cầu khác nhau? Cả hai đều được nhập"]
    service.apply(path, "bridges")
    names = sorted(small_tree["BS"].children.values_list("name", flat=True))
    assert names == ["Trường BS 1", "Trường BS 2", "Trường Tiểu học Ba To", "Trường Tiểu học Ba Tô",
                     "Trường Tiểu học Ba Tơ"]
    before = {b.code: b.updated_at for b in Bridge.objects.all()}
    again = service.apply(path, "bridges")
    assert again.counts["create"] == 0 and again.counts["update"] == 0
    assert {b.code: b.updated_at for b in Bridge.objects.all()} == before


def test_decomposed_name_is_its_composed_twin_and_unmarked_name_is_asked(tiers, small_tree, tmp_path):
    Bridge.objects.create(code="BT-1", name="Trường Tiểu học Ba Tơ", tier=tiers["school"], parent=small_tree["BS"])
    rows = [
        ["Tên điểm cầu", "Đơn vị cấp trên"],
        [fx.nfd("Trường Tiểu học Ba Tơ"), "Huyện BS"],
        ["Trường Tiểu học Ba To", "Huyện BS"],
    ]
    plan = service.preview(fx.write_xlsx(tmp_path / "nfd.xlsx", rows), "bridges")
    assert [(p.row, p.action, p.key) for p in plan.rows][0] == (2, "unchanged", "BT-1")
    assert plan.rows[1].action == "create"
    assert _texts(plan, 3) == ["Dòng 3: “Trường Tiểu học Ba To” gần giống điểm cầu đã có “Trường Tiểu học Ba Tơ” "
                               "(mã BT-1) — hai điểm cầu khác nhau? Được thêm thành điểm cầu mới"]
