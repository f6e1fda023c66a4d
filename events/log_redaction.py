"""Keep console secrets out of logs: request paths of /c/<token>/... and /api/console/<token>/... are
logged by Django for every 4xx/5xx answer and by uvicorn's access log."""

import logging
import re

_SECRET_IN_PATH = re.compile(r"(/c/|/api/console/)[^/?#\s\"']+")
REDACTED = "[redacted]"
LOGGERS = ("django.request", "uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    return _SECRET_IN_PATH.sub(lambda m: m.group(1) + REDACTED, text)


class RedactConsoleTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(value) if isinstance(value, str) else value for key, value in record.args.items()}
        return True


def install() -> None:
    """Filters on the loggers themselves, so they apply whatever handlers the deployment configures."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactConsoleTokens) for f in logger.filters):
            logger.addFilter(RedactConsoleTokens())
