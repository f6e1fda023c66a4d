"""core.json_input.loads: the bounds hold whether the walk over the decoded values runs or is skipped."""

import json

import pytest

from core.json_input import MAX_DEPTH, BadJSON, loads


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("raw, code", [
    (b'{"name": "a\\u0000b"}', "invalid_text"),
    (b'{"name": "\\ud800"}', "invalid_text"),
    (b'{"\\udfff": 1}', "invalid_text"),
    ('{"name": "\ud800"}', "invalid_text"),  # a str given with a lone surrogate in its own characters
    ('{"name": "a\x00b"}', "invalid_json"),  # a raw control character is not JSON
    (_nested(MAX_DEPTH + 1).encode(), "too_deep"),
    (b'{"n": 99999999999999999999}', "number_too_large"),
])
def test_what_cannot_be_stored_is_refused(raw, code):
    with pytest.raises(BadJSON) as refused:
        loads(raw)
    assert refused.value.code == code


@pytest.mark.parametrize("raw, expected", [
    (b'{"code": "1.2.3.abc", "nonce": "n-1", "identifier": "079123"}',
     {"code": "1.2.3.abc", "nonce": "n-1", "identifier": "079123"}),
    (b'{"name": "Nguy\\u1ec5n V\\u0103n A"}', {"name": "Nguyễn Văn A"}),  # escapes that are fine
    ('{"name": "Nguyễn Văn A"}'.encode(), {"name": "Nguyễn Văn A"}),
    (_nested(MAX_DEPTH).encode(), json.loads(_nested(MAX_DEPTH))),
    # More brackets than levels (inside strings): walked, and accepted.
    (json.dumps({"text": "[" * 40 + "{" * 40}).encode(), {"text": "[" * 40 + "{" * 40}),
])
def test_what_can_be_stored_is_decoded(raw, expected):
    assert loads(raw) == expected
