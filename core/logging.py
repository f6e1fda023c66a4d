"""Keep secrets that travel in URLs (console links, QR codes, certificate codes) out of the logs."""

import logging
import re

# Path segments that are credentials: /c/<console token>, /a/<QR code>, /verify/<code> and their API twins.
_SECRET_SEGMENT = re.compile(r"(/(?:c|a|verify|console|qr)/)[^/\s\"'?#]+")


def redact(text: str) -> str:
    return _SECRET_SEGMENT.sub(r"\1[redacted]", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
