"""Keep secrets that travel in URLs (console links, QR codes, certificate codes) out of the logs."""

import logging
import re

# Path segments that are credentials: /c/<console token>, /a/<QR code>, /verify/<code> and their API twins.
_SECRET_SEGMENT = re.compile(r"(/(?:c|a|verify|console|qr)/)[^/\s\"'?#]+")


def redact(text: str) -> str:
    return _SECRET_SEGMENT.sub(r"\1[redacted]", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            # Argument by argument first: a formatter may read them (uvicorn's access formatter unpacks them).
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def redact_access_log() -> None:
    """The redaction filter on uvicorn's access logger, whatever handlers uvicorn gave it: a logger's filter
    sees every record logged through it, so the paths are cleaned before any handler prints them."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSecrets) for f in access.filters):
        access.addFilter(RedactSecrets())
