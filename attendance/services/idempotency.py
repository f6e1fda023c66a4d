"""Client nonces: a retried write gets the first answer, never a second row.

The nonce row is inserted first, inside the write's transaction, under a unique constraint
(scope, nonce). A concurrent repeat blocks on that index until the first transaction ends
(PostgreSQL) or waits for the write lock (SQLite, BEGIN IMMEDIATE); it then fails the insert and
reads the committed first answer. If the write itself fails, the nonce rolls back with it and a
retry runs again. Pretix's check-in API uses the same shape.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ClientNonce

_NONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass
class Answer:
    status: int
    body: dict
    replayed: bool = False


def replay(stored: ClientNonce) -> Answer:
    """The first answer again, for a repeat of its nonce."""
    return Answer(stored.status_code, stored.response, replayed=True)


def clean_nonce(value) -> str | None:
    """A nonce as clients make them (a UUID, or any 8-64 URL-safe characters), else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if _NONCE.match(value) else None


def once(scope: str, nonce: str, write: Callable[[], tuple[int, dict]]) -> Answer:
    """Run `write` (returning (status, JSON body)) once per (scope, nonce); repeats get its answer."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = ClientNonce.objects.create(scope=scope, nonce=nonce, status_code=0)
        except IntegrityError:
            stored = ClientNonce.objects.get(scope=scope, nonce=nonce)
            return replay(stored)
        status, body = write()
        record.status_code = status
        record.response = body
        record.save(update_fields=["status_code", "response"])
        return Answer(status, body)


KEEP_DAYS = 30


def purge(older_than_days: int = KEEP_DAYS) -> int:
    """Forget answers older than this many days; returns how many. A console sends its offline queue
    when it reconnects (hours, a day or two later): a month is far beyond any honest retry, and the
    rows themselves (check-ins, attempts) stay."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _by_model = ClientNonce.objects.filter(created_at__lt=cutoff).delete()
    return deleted
