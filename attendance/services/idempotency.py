"""Client nonces: a retried write gets the first answer, never a second row.

The nonce row is inserted first, inside the write's transaction, under a unique constraint
(scope, nonce). A concurrent repeat blocks on that index until the first transaction ends
(PostgreSQL) or waits for the write lock (SQLite, BEGIN IMMEDIATE); its insert then does nothing
(ON CONFLICT DO NOTHING) and it reads the committed first answer. If the write itself fails, the nonce rolls back with it and a
retry runs again. Pretix's check-in API uses the same shape.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
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
    # The nonce's row is claimed and completed by two plain statements (_claim, _store): through the ORM's
    # compiler, with a savepoint to survive the unique index's IntegrityError, they cost a console's write
    # more than the database's work.
    with transaction.atomic():
        if not _claim(scope, nonce):
            return replay(ClientNonce.objects.get(scope=scope, nonce=nonce))
        status, body = write()
        _store(scope, nonce, status, body)
        return Answer(status, body)


def _claim(scope: str, nonce: str) -> bool:
    """Insert the nonce's row, its answer pending; False when the row exists (a repeat). `ON CONFLICT DO
    NOTHING` on the unique index (PostgreSQL, SQLite): a concurrent repeat waits for the first transaction as
    before, then inserts nothing, and no savepoint is needed to carry on after it."""
    meta, quote = ClientNonce._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("scope", "nonce", "status_code", "response",
                                                                        "created_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, 0, %s, %s) "  # noqa: S608 - names from _meta
            f"ON CONFLICT ({quote('scope')}, {quote('nonce')}) DO NOTHING",
            [scope, nonce, meta.get_field("response").get_db_prep_save({}, connection),
             connection.ops.adapt_datetimefield_value(timezone.now())])
        return cursor.rowcount == 1


def _store(scope: str, nonce: str, status: int, body: dict) -> None:
    """The answer on the nonce's row (what record.save(update_fields=[...]) wrote)."""
    meta, quote = ClientNonce._meta, connection.ops.quote_name
    response = meta.get_field("response")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {quote('status_code')} = %s, {quote(response.column)} = %s "  # noqa: S608 - names from _meta
            f"WHERE {quote('scope')} = %s AND {quote('nonce')} = %s",
            [status, response.get_db_prep_save(body, connection), scope, nonce])


KEEP_DAYS = 30


def purge(older_than_days: int = KEEP_DAYS) -> int:
    """Forget answers older than this many days; returns how many. A console sends its offline queue
    when it reconnects (hours, a day or two later): a month is far beyond any honest retry, and the
    rows themselves (check-ins, attempts) stay."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _by_model = ClientNonce.objects.filter(created_at__lt=cutoff).delete()
    return deleted
