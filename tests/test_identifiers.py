"""One rule for a personal identifier: the roster import, the teacher's phone page and certificate look-up."""

import pytest

from bridges.identifiers import clean_identifier
from bridges.importing import normalize


@pytest.mark.parametrize("raw, stored", [("0075 3699 5075", "007536995075"), ("0075.3699.5075", "007536995075"),
                                         ("0075-3699-5075", "007536995075"), ("'007536995075", "007536995075"),
                                         (7536995075.0, "7536995075")])
def test_an_identifier_is_cleaned_of_separators(raw, stored):
    assert clean_identifier(raw) == stored


def test_bridge_codes_keep_their_dashes():
    assert normalize.identifier(" QNG-BSO-001 ") == "QNG-BSO-001"
