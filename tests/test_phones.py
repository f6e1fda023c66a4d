"""One rule for a phone number: the import and the console's contact form store the same thing."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from bridges.importing import normalize, service
from bridges.models import Bridge
from bridges.phones import is_checked, normalize_phone
from events.services.console import clean_contacts
from tests import fixtures_import as fx
from tests.invitation_data import make_event

CASES = [
    ("0905 123 456", "0905123456"),
    ("+84 905 123 456", "0905123456"),
    ("84905123456", "0905123456"),  # the country code without its plus, as a spreadsheet keeps it
    (905123456, "0905123456"),  # a number cell lost the leading 0
    ("0905.123.456 - 0912 345 678", "0905123456"),  # two numbers in a cell: the first
    ("+855 12 345 678", "+85512345678"),  # a foreign number is kept, never dropped
    ("", ""),
]


@pytest.mark.parametrize("raw, stored", CASES)
def test_import_and_console_store_the_same_number(raw, stored):
    assert normalize_phone(raw) == stored
    assert normalize.phone(raw, 20)[:2] == (stored, None)
    if isinstance(raw, str):
        assert clean_contacts({"head_phone": raw}) == {"head_phone": stored}


def test_text_with_no_digit_is_refused_by_both_with_a_reason():
    assert normalize_phone("gọi cô Lan") is None
    value, reason, level = normalize.phone("gọi cô Lan", 20)
    assert value == "" and "gọi cô Lan" in reason and level == "warning"
    with pytest.raises(ValidationError) as refused:
        clean_contacts({"head_phone": "gọi cô Lan"})
    assert "head_phone" in refused.value.message_dict


@pytest.mark.parametrize("raw, kept", [
    ("0123 456", "0123 456"),
    (" ĐT: 0123-456.7 (cô Lan) ", "0123-456.7"),  # only digits, +, spaces, dots and dashes are kept
    (1234567, "1234567"),  # a number cell
])
def test_digits_libphonenumber_rejects_are_kept_by_the_import_but_refused_by_the_console(raw, kept):
    """An office's list is kept as typed, marked unchecked; a person typing on the console is asked again."""
    assert normalize_phone(raw) is None
    value, reason, level = normalize.phone(raw, 20)
    assert (value, level) == (kept, "warning") and kept in reason
    assert not is_checked(value) and is_checked("0905123456") and not is_checked("")
    if isinstance(raw, str):
        with pytest.raises(ValidationError) as refused:
            clean_contacts({"head_phone": raw})
        assert "head_phone" in refused.value.message_dict


def test_a_valid_number_behind_letters_is_mended_not_kept_as_typed():
    assert normalize.phone("0905x123456", 20)[:2] == ("0905123456", None)


def test_a_kept_number_longer_than_the_field_is_an_error_not_cut():
    value, reason, level = normalize.phone("0123 456 789 012 345 678", 20)
    assert value == "" and level == "error" and "20" in reason


def _list_with_an_unknown_number(path):
    rows = [
        ["TT", "Tên đơn vị", "Đơn vị cấp trên", "Cấp", "Họ tên người phụ trách", "SĐT người phụ trách", "Số lượng"],
        [1, "Trung tâm IOC", "", "Điểm cầu chính", "Nguyễn An", "0905123456", 50],
        [2, "Trường TH Bình Minh", "Trung tâm IOC", "Trường", "Hồ Minh", " 0123 456 ", 20],
        [3, "Trường TH Bình Phước", "Trung tâm IOC", "Trường", "Lê Phước", "0123 456 789 012 345 678", 20],
    ]
    return fx.write_xlsx(path, rows)


@pytest.mark.django_db
def test_import_keeps_an_unknown_number_with_a_warning_and_the_chase_list_marks_it(
        tiers, tmp_path, client, organizer):
    path = _list_with_an_unknown_number(tmp_path / "ds.xlsx")
    plan = service.preview(path, "bridges")
    assert [(p.row, p.level) for p in plan.problems if "0123 456" in p.text] == [(3, "warning"), (4, "error")]
    assert plan.counts["invalid"] == 1  # the number too long for the field is not cut
    out = StringIO()
    call_command("import_bridges", str(path), "--skip-invalid", stdout=out)
    assert "0123 456" in out.getvalue()  # the warning is printed with the summary
    school = Bridge.objects.get(name="Trường TH Bình Minh")
    assert school.head_phone == "0123 456"  # as typed, trimmed
    assert not Bridge.objects.filter(name="Trường TH Bình Phước").exists()
    host = Bridge.objects.get(name="Trung tâm IOC")
    event = make_event({"host": host, "school": school}, tiers, invite=("host", "school"))
    client.force_login(organizer)
    html = client.get(reverse("events:readiness", args=[event.pk])).content.decode()
    assert 'href="tel:0123456">0123 456</a> <span class="hint unchecked"' in html
    assert "(chưa kiểm tra)" in html
    assert html.count("(chưa kiểm tra)") == 1  # the host's valid number is not marked
    assert 'href="tel:0905123456">0905123456</a>' in html
    tiles = client.get(reverse("attendance:board_snapshot", args=[event.pk])).json()["tiles"]
    assert {t["code"]: t["phone_checked"] for t in tiles} == {host.code: True, school.code: False}
