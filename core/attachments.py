"""A file a school attaches to an answer (a follow-up report, a school report's attachment field): which kinds
and how large, judged once here. A stored attachment gets a random name (`stored_name`), never guessable from
the school or the name it was sent with."""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.utils.translation import gettext as _

from core.text import clean_text

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods")


def refusal(uploaded, label: str | None = None) -> str | None:
    """Why this upload cannot be kept (kind or size), in the reader's language; None when it can."""
    label = label or _("Attachment")
    suffix = PurePath(getattr(uploaded, "name", "") or "").suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        return _("%(field)s: only %(types)s files.") % {"field": label, "types": ", ".join(ATTACHMENT_TYPES)}
    if (uploaded.size or 0) > MAX_ATTACHMENT_BYTES:
        return _("%(field)s: %(mb)s MB at most.") % {"field": label, "mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
    return None


def display_name(uploaded) -> str:
    return clean_text(PurePath(getattr(uploaded, "name", "") or "").name)[:200]


def stored_name(folder: str, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{folder}/{secrets.token_urlsafe(16)}{suffix}"
