"""Identifiers a spreadsheet stored as numbers: the leading zeros they lost come back when the rest of
the column shares one length, with a warning on the row; text is never padded, nothing is cut."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from bridges.identifiers import restore_zeros, usual_length
from bridges.importing import service
from bridges.models import Person
from tests import fixtures_import as fx

pytestmark = [pytest.mark.django_db, pytest.mark.services]

TEXT_IDS = [f"0480{n:08d}" for n in range(1, 21)]  # twenty 12-digit identifiers typed as text
# Cells stored as numbers with no number format: Excel shows (and openpyxl reads) them without zeros.
NUMBER_IDS = {75369950: "000075369950", 12345678901: "012345678901", 7536995075.0: "007536995075"}


def person_row(stt, teacher_id, school="BS-S1"):
    return [stt, f"Giáo viên Số {stt}", "01/01/1990", "Nữ", "Toán", "", "", teacher_id, school]


def write_roster(path, ids):
    rows = [fx.PEOPLE_HEADER] + [person_row(n, value) for n, value in enumerate(ids, start=1)]
    return fx.write_xlsx(path, rows)


def padded_roster(path):
    # The numbers sit among the text cells: rows 7, 12 and 18 of the sheet (the header is row 1).
    ids = list(TEXT_IDS)
    for position, number in zip((5, 10, 16), NUMBER_IDS, strict=True):
        ids.insert(position, number)
    return write_roster(path, ids)


def test_numbers_that_lost_their_zeros_are_padded_with_a_warning(small_tree, tmp_path):
    path = padded_roster(tmp_path / "gv.xlsx")
    plan = service.preview(path, "people")
    assert plan.counts["create"] == 23 and plan.counts["invalid"] == 0
    warnings = {p.row: p for p in plan.problems if p.level == "warning"}
    assert sorted(warnings) == [7, 12, 18]
    with translation.override("vi"):
        text = warnings[7].text
    assert text.startswith("Dòng 7: mã định danh 75369950 được bổ sung số 0 ở đầu thành 000075369950")
    assert "12 chữ số" in text
    call_command("import_people", str(path), stdout=StringIO())
    stored = set(Person.objects.filter(bridge=small_tree["BS-S1"]).values_list("teacher_id", flat=True))
    assert stored >= set(TEXT_IDS) | set(NUMBER_IDS.values())
    assert not stored & {str(int(number)) for number in NUMBER_IDS}


def test_reimporting_the_padded_roster_changes_nothing(small_tree, tmp_path):
    path = padded_roster(tmp_path / "gv.xlsx")
    call_command("import_people", str(path), stdout=StringIO())
    stamps = dict(Person.objects.values_list("pk", "updated_at"))
    plan = service.apply(path, "people")
    assert plan.counts["create"] == 0 and plan.counts["update"] == 0 and plan.counts["unchanged"] == 23
    assert dict(Person.objects.values_list("pk", "updated_at")) == stamps


def test_a_column_of_mixed_lengths_is_not_padded(small_tree, tmp_path):
    # Six 12-digit, five 9-digit (old identity cards), one number: 12 digits cover half, no clear majority.
    ids = TEXT_IDS[:6] + [f"2123{n:05d}" for n in range(5)] + [75369950]
    path = write_roster(tmp_path / "gv.xlsx", ids)
    plan = service.preview(path, "people")
    assert not [p for p in plan.problems if p.level == "warning"]
    call_command("import_people", str(path), stdout=StringIO())
    assert Person.objects.filter(teacher_id="75369950").exists()
    assert not Person.objects.filter(teacher_id="000075369950").exists()


def test_text_cells_keep_their_digits_exactly(small_tree, tmp_path):
    # Text is what the office typed: a short one with zeros, a long one, all kept as written.
    ids = TEXT_IDS[:10] + ["0075369950", "'0000123", "0048000000001234", 1234567890123]
    path = write_roster(tmp_path / "gv.xlsx", ids)
    plan = service.preview(path, "people")
    assert not [p for p in plan.problems if p.level == "warning"]
    call_command("import_people", str(path), stdout=StringIO())
    stored = set(Person.objects.values_list("teacher_id", flat=True))
    # A number longer than the column's length is not cut either.
    assert {"0075369950", "0000123", "0048000000001234", "1234567890123"} <= stored


def test_each_sheet_is_its_own_column(small_tree, tmp_path):
    # One school's sheet of citizen numbers; another's of mixed lengths: only the first pads its number.
    citizens = [fx.PEOPLE_HEADER] + [person_row(n, value) for n, value in enumerate(TEXT_IDS[:10] + [75369950], 1)]
    mixed = TEXT_IDS[10:13] + [f"2123{n:05d}" for n in range(3)] + [12345678]
    rows = [fx.PEOPLE_HEADER] + [person_row(n, value, "BS-S2") for n, value in enumerate(mixed, start=1)]
    path = fx.write_xlsx(tmp_path / "gv.xlsx", rows, sheet_title="Trường BS-S2",
                         extra_sheets=[("Trường BS-S1", citizens)])
    call_command("import_people", str(path), stdout=StringIO())
    assert Person.objects.get(teacher_id="000075369950").bridge == small_tree["BS-S1"]
    assert Person.objects.get(teacher_id="12345678").bridge == small_tree["BS-S2"]


@pytest.mark.parametrize("identifiers, length", [
    (["001", "002", "003", "04"], 3), (["001", "002", "03", "04"], None), ([], None), (["", ""], None),
])
def test_usual_length_needs_a_clear_majority(identifiers, length):
    assert usual_length(identifiers) == length


@pytest.mark.parametrize("raw, cleaned, length, restored", [
    (75369950, "75369950", 12, "000075369950"), (75369950.0, "75369950", 12, "000075369950"),
    ("75369950", "75369950", 12, "75369950"), (75369950, "75369950", None, "75369950"),
    (1234567890123, "1234567890123", 12, "1234567890123"), (True, "True", 12, "True"),
])
def test_only_numbers_shorter_than_the_column_are_padded(raw, cleaned, length, restored):
    assert restore_zeros(raw, cleaned, length) == restored
