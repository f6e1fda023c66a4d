import logging

from core.logging import RedactSecrets, redact


def test_console_tokens_qr_codes_and_certificate_codes_are_redacted():
    line = 'GET /c/AbCdEf_123-xyz/checkin 403; GET /a/signed.qr:code 400; /verify/7K3M-9QXD-2H8T-F 200 /api/console/tok/x'
    cleaned = redact(line)
    for secret in ("AbCdEf_123-xyz", "signed.qr:code", "7K3M-9QXD-2H8T-F", "/tok/"):
        assert secret not in cleaned
    assert "/c/[redacted]/checkin" in cleaned


def test_filter_rewrites_formatted_records():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "%s: %s", ("Forbidden", "/c/secret123/"), None)
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "Forbidden: /c/[redacted]/"
