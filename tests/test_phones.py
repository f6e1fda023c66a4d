"""One rule for a phone number: the import and the console's contact form store the same thing."""

import pytest
from django.core.exceptions import ValidationError

from bridges.importing import normalize
from bridges.phones import normalize_phone
from events.services.console import clean_contacts

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
    assert normalize.phone(raw) == (stored, None)
    if isinstance(raw, str):
        assert clean_contacts({"head_phone": raw}) == {"head_phone": stored}


def test_a_non_number_is_refused_by_both_with_a_reason():
    assert normalize_phone("gọi cô Lan") is None
    value, reason = normalize.phone("gọi cô Lan")
    assert value == "" and "gọi cô Lan" in reason
    with pytest.raises(ValidationError) as refused:
        clean_contacts({"head_phone": "gọi cô Lan"})
    assert "head_phone" in refused.value.message_dict

