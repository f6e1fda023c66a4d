"""Many rows of one table written or read at once, through Django's connection, cheaply (issue 13).

`Model.objects.bulk_create` builds its statement through the ORM's compiler and prepares every value
field by field; on PostgreSQL Django 5.2 sends the rows as arrays to UNNEST, which psycopg's client-side
binding quotes element by element, and psycopg parses every statement of more than 50 parameters anew.
For a hot path writing a handful of rows per request (the teachers' check-in batches) that cost more than
the database's own work. Here:

- on PostgreSQL, `COPY table (columns) FROM STDIN` through psycopg's `cursor.copy()` (rows formatted by
  psycopg's C code, no statement to parse); ids, when asked for, are taken from the table's sequence
  first (one short query) and written with the rows;
- elsewhere (SQLite, the embedded default), one `INSERT INTO t (c, ...) VALUES (...), (...)
  [RETURNING id]`, its text built once per shape.

Both run on `connection.cursor()`, inside the caller's transaction, and a unique constraint's violation
is Django's IntegrityError (COPY under `wrap_database_errors`), as with bulk_create: on PostgreSQL a
concurrent writer of the same key makes it wait for that transaction, then fail. No defaults or
`auto_now` are applied and no instance is touched: the caller passes every column's value.

`write` inserts into several tables in one round trip on PostgreSQL (`Insert`s): one text of statements,
each `INSERT ... SELECT` from one JSON parameter holding its rows (json's C encoder, one cast per column
on the server), where COPY costs two round trips a table and the ids a third. Ids the caller needs
before writing (a row another row refers to) are taken with the reads (`NextIds`, PostgreSQL only: None
elsewhere, where `insert_rows(..., return_ids=True)` gives them). Elsewhere each `Insert` is one
multi-row INSERT, as `insert_rows`.

`read` reads instances by key (`Select`: `WHERE column IN (...)`, a plain statement) with only the columns
asked for, and counts (`Count`, its GROUP BY twin): the ORM's compiler cost several times the query's own
work for the batch's few rows (an instance's other fields are deferred, as with `.only()`). Several reads
go in one round trip on PostgreSQL, each key list as one array (`= ANY(%s)`); `fetch` and `counts` are
one read each.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache, partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections

_DJANGO_JSON = DjangoJSONEncoder()

# Column types whose Python values the drivers take as they are.
_AS_IS = frozenset({
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey", "IntegerField",
    "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField", "SmallIntegerField",
    "TextField",
})


def insert_rows(model, fields: Sequence[str], rows: Sequence[Sequence], *, return_ids: bool = False,
                using: str = "default") -> list:
    """Insert `rows` (one value per name of `fields`, in order; a foreign key by its id) into `model`'s
    table. With `return_ids`, the new rows' primary keys in the rows' order; else []."""
    if not rows:
        return []
    connection = connections[using]
    fields = tuple(fields)
    _check_widths(fields, rows)
    if connection.vendor == "postgresql":
        return _copy(connection, model, fields, rows, return_ids)
    return _insert(connection, model, fields, rows, return_ids)


def _check_widths(fields: Sequence[str], rows: Sequence[Sequence]) -> None:
    for row in rows:
        if len(row) != len(fields):
            raise ValueError(f"a row of {len(row)} values for {len(fields)} columns")


def _copy(connection, model, fields: tuple[str, ...], rows: Sequence[Sequence], return_ids: bool) -> list:
    statement, json_columns = _copy_statement(model, fields, return_ids, connection.alias)
    ids: list = []
    with connection.cursor() as cursor:
        if return_ids:
            cursor.execute(_next_ids(model, connection.alias), [len(rows)])
            ids = [pk for (pk,) in cursor.fetchall()]
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for index, row in enumerate(rows):
                if json_columns:
                    row = [json.dumps(value, cls=encoder) if (encoder := json_columns.get(k, False)) is not False
                           else value for k, value in enumerate(row)]
                copy.write_row((ids[index], *row) if return_ids else row)
    return ids


def _insert(connection, model, fields: tuple[str, ...], rows: Sequence[Sequence], return_ids: bool) -> list:
    head, one, tail = _insert_statement(model, fields, return_ids, connection.alias)
    preparers = [_preparer(model._meta.get_field(name), connection) for name in fields]
    limit = getattr(connection.features, "max_query_params", None) or 65535
    per_statement = max(1, limit // len(fields))
    ids: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            params = [prepare(value) if prepare else value
                      for row in chunk for prepare, value in zip(preparers, row, strict=True)]
            cursor.execute(f"{head}{','.join([one] * len(chunk))}{tail}", params)
            if return_ids:
                # In the rows' order, as Django's bulk_create takes them from RETURNING.
                ids += [pk for (pk,) in cursor.fetchall()]
    return ids


@dataclass(frozen=True)
class Insert:
    """Rows for `write`: one value per name of `fields`, in order (a foreign key by its id; the primary key
    as "id" when the caller took it, see NextIds)."""

    model: type
    fields: Sequence[str]
    rows: Sequence[Sequence]


def write(*inserts: Insert, using: str = "default") -> None:
    """Each Insert's rows, in order, in the caller's transaction: on PostgreSQL all in one round trip (each
    about 0.1 ms of the client's CPU on loopback: COPY took two a table). A unique constraint's violation
    stops them all: Django's IntegrityError, as with insert_rows."""
    connection = connections[using]
    inserts = [i for i in inserts if i.rows]
    for insert in inserts:
        _check_widths(insert.fields, insert.rows)
    if not inserts:
        return
    if connection.vendor != "postgresql":
        for insert in inserts:
            _insert(connection, insert.model, tuple(insert.fields), insert.rows, False)
        return
    statements = [_json_insert_statement(i.model, tuple(i.fields), connection.alias) for i in inserts]
    # Rows written together share their times (a batch's "now"): each written out once.
    default = partial(_json_value, {})
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements),
                       [json.dumps(i.rows, default=default, ensure_ascii=False) for i in inserts])


def _json_value(seen: dict, value):
    """What json lacks, as PostgreSQL's casts read it: a time in ISO 8601 to the microsecond (Django's JSON
    encoder would cut it to the millisecond), anything else as Django's encoder gives it."""
    if isinstance(value, datetime | date | time):
        text = seen.get(value)
        if text is None:
            text = seen[value] = value.isoformat()
        return text
    return _DJANGO_JSON.default(value)


@lru_cache(maxsize=64)
def _json_insert_statement(model, fields: tuple[str, ...], using: str) -> str:
    """INSERT ... SELECT from the JSON array of rows: each value taken by its position and cast to its
    column's type (a JSON column keeps its JSON; null is SQL's NULL, as Django stores None)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    columns, values = [], []
    for position, name in enumerate(fields):
        field = meta.pk if name == "id" else meta.get_field(name)
        columns.append(quote(field.column))
        if field.get_internal_type() == "JSONField":
            values.append(f"NULLIF((row->{position})::jsonb, 'null'::jsonb)")
        else:
            values.append(f"(row->>{position})::{field.cast_db_type(connection)}")
    return (f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - names from _meta
            f"SELECT {', '.join(values)} FROM json_array_elements(%s::json) AS row")


@lru_cache(maxsize=64)
def _copy_statement(model, fields: tuple[str, ...], with_id: bool, using: str) -> tuple[str, dict]:
    quote = connections[using].ops.quote_name
    meta = model._meta
    columns = ([meta.pk.column] if with_id else []) + [meta.get_field(f).column for f in fields]
    json_columns = {k: meta.get_field(f).encoder for k, f in enumerate(fields)
                    if meta.get_field(f).get_internal_type() == "JSONField"}
    return f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN", json_columns


@lru_cache(maxsize=64)
def _next_ids(model, using: str) -> str:
    meta = model._meta
    return (f"SELECT nextval(pg_get_serial_sequence('{connections[using].ops.quote_name(meta.db_table)}', "  # noqa: S608 - names from _meta
            f"'{meta.pk.column}')) FROM generate_series(1, %s)")


@lru_cache(maxsize=64)
def _insert_statement(model, fields: tuple[str, ...], returning_id: bool, using: str) -> tuple[str, str, str]:
    """The statement's head, one row's placeholders and its RETURNING clause: built once per shape."""
    quote = connections[using].ops.quote_name
    meta = model._meta
    head = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(meta.get_field(f).column) for f in fields)}) "  # noqa: S608
            "VALUES ")
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return head, one, f" RETURNING {quote(meta.pk.column)}" if returning_id else ""


def _preparer(field, connection):
    """The conversion a column's values need on this connection (None: as they are)."""
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "JSONField":
        encoder, adapt = field.encoder, connection.ops.adapt_json_value
        return lambda value: adapt(value, encoder)
    return lambda value: field.get_db_prep_save(value, connection)


@dataclass(frozen=True)
class Select:
    """A read of `model`'s instances: the rows whose columns hold one of the values given for each name of
    `where` (a collection of keys), and none of `exclude`'s single values, loaded with `fields` only (the
    primary key first, always; the others deferred, as with `.only()`)."""

    model: type
    fields: Sequence[str]
    where: dict
    exclude: dict | None = None


@dataclass(frozen=True)
class NextIds:
    """`count` new primary keys of `model`, taken from its sequence (PostgreSQL) with the other reads, for
    rows written later by `write` (one unused leaves a gap, as a rolled-back insert does). None on other
    databases: there the insert gives them (insert_rows(..., return_ids=True))."""

    model: type
    count: int


@dataclass(frozen=True)
class Count:
    """{(values of group_by...): number of rows} for the rows `where` selects (as Select's)."""

    model: type
    group_by: Sequence[str]
    where: dict


def read(*reads: Select | Count | NextIds, using: str = "default") -> list:
    """Each read's result, in order: a Select's instances, a Count's counts, NextIds' ids (None off
    PostgreSQL); [] or {} without a statement when a value set it depends on is empty. Values are passed as
    they are: keys (ids, codes, text), not dates.

    On PostgreSQL the statements go together, as one text (Django's psycopg cursor binds client-side, so the
    simple protocol takes several statements), and come back as one result set each: one round trip, where
    each costs about 0.1 ms of the client's CPU on loopback. Elsewhere (SQLite, in process) one by one."""
    connection = connections[using]
    postgresql = connection.vendor == "postgresql"
    results: list = [_nothing(r, postgresql) for r in reads]
    statements = [(index, *_statement(connection, r)) for index, r in enumerate(reads) if _needed(r, postgresql)]
    if not statements:
        return results
    with connection.cursor() as cursor:
        if postgresql and len(statements) > 1:
            cursor.execute("; ".join(sql for _i, sql, _p in statements),
                           [value for *_rest, params in statements for value in params])
            for position, (index, _sql, _params) in enumerate(statements):
                if position:
                    cursor.nextset()
                results[index] = _result(connection, reads[index], cursor.fetchall(), using)
        else:
            for index, sql, params in statements:
                cursor.execute(sql, params)
                results[index] = _result(connection, reads[index], cursor.fetchall(), using)
    return results


def fetch(model, fields: Sequence[str], where: dict[str, Collection], *, exclude: dict | None = None,
          using: str = "default") -> list:
    """The instances one Select reads (see `read`, which sends several together)."""
    return read(Select(model, fields, where, exclude), using=using)[0]


def counts(model, group_by: Sequence[str], where: dict[str, Collection], *, using: str = "default") -> dict:
    """The counts one Count reads (see `read`)."""
    return read(Count(model, group_by, where), using=using)[0]


def _nothing(r, postgresql: bool):
    if isinstance(r, NextIds):
        return [] if postgresql else None
    return [] if isinstance(r, Select) else {}


def _needed(r, postgresql: bool) -> bool:
    if isinstance(r, NextIds):
        return postgresql and r.count > 0
    return not any(not values for values in r.where.values())


@lru_cache(maxsize=256)
def _names(model, fields: tuple[str, ...]) -> tuple[str, ...]:
    meta = model._meta
    wanted = {meta.pk.attname, *(meta.get_field(f).attname for f in fields)}
    # In the model's order: Model.from_db matches a partial row to the concrete fields in that order.
    return tuple(f.attname for f in meta.concrete_fields if f.attname in wanted)


def _statement(connection, r: Select | Count | NextIds) -> tuple[str, list]:
    if isinstance(r, NextIds):
        return _next_ids(r.model, connection.alias), [r.count]
    quote = connection.ops.quote_name
    meta = r.model._meta
    params: list = []
    where = _where(connection, r.model, r.where, getattr(r, "exclude", None) or {}, params)
    if isinstance(r, Select):
        columns = ", ".join(quote(meta.get_field(n).column) for n in _names(r.model, tuple(r.fields)))
        return f"SELECT {columns} FROM {quote(meta.db_table)}{where}", params  # noqa: S608 - names from _meta
    columns = ", ".join(quote(meta.get_field(f).column) for f in r.group_by)
    return f"SELECT {columns}, COUNT(*) FROM {quote(meta.db_table)}{where} GROUP BY {columns}", params  # noqa: S608


def _result(connection, r: Select | Count | NextIds, rows: list, using: str):
    if isinstance(r, NextIds):
        return [pk for (pk,) in rows]
    if isinstance(r, Count):
        return {tuple(row[:-1]): row[-1] for row in rows}
    names = _names(r.model, tuple(r.fields))
    converters = _converters(r.model, names, connection)
    if converters:
        rows = [[convert(value) if convert else value for convert, value in zip(converters, row, strict=True)]
                for row in rows]
    return [r.model.from_db(using, names, row) for row in rows]


def _where(connection, model, where: dict, exclude: dict, params: list) -> str:
    """The WHERE clause (its values appended to params, in the text's order)."""
    quote = connection.ops.quote_name
    meta = model._meta
    parts = []
    for name, values in where.items():
        values = list(values)
        field = meta.get_field(name)
        column = quote(field.column)
        if connection.vendor == "postgresql":
            # One array, not a placeholder per value: the statement's text stays the same from batch to
            # batch, and psycopg's cache of parsed statements (at most 50 parameters) keeps it parsed. The
            # array's text is written here, cast to the column's type: psycopg's own array dumping runs
            # two regular expressions over every text element (some 6,000 instructions each).
            parts.append(f"{column} = ANY(%s::{field.cast_db_type(connection)}[])")
            params.append(_array_literal(values))
        else:
            parts.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params += values
    for name, value in exclude.items():
        parts.append(f"{quote(meta.get_field(name).column)} <> %s")
        params.append(value)
    return (" WHERE " + " AND ".join(parts)) if parts else ""


def _array_literal(values: list) -> str:
    """PostgreSQL's text form of an array of keys: numbers as they are, text quoted (backslash and double
    quote escaped), None as NULL. The whole is then one text parameter, quoted by libpq."""
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
        elif isinstance(value, bool):
            items.append("true" if value else "false")
        elif isinstance(value, int):
            items.append(str(value))
        else:
            items.append('"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(items) + "}"


def _converters(model, names: tuple[str, ...], connection) -> list | None:
    """What Django's from_db_value would do to each column read (dates on SQLite, JSON), None if nothing."""
    chains = _chains(model, names, connection.alias)
    if chains is None:
        return None
    return [partial(_apply, chain, expression, connection) if chain else None for chain, expression in chains]


@lru_cache(maxsize=256)
def _chains(model, names: tuple[str, ...], using: str) -> tuple | None:
    """Each column's converters and its expression, worked out once per shape: (chain, expression) each."""
    meta, ops = model._meta, connections[using].ops
    found = []
    for name in names:
        field = meta.get_field(name)
        expression = field.get_col(meta.db_table)
        chain = (*ops.get_db_converters(expression), *([field.from_db_value] if hasattr(field, "from_db_value") else []))
        found.append((chain, expression))
    return tuple(found) if any(chain for chain, _e in found) else None


def _apply(chain, expression, connection, value):
    for convert in chain:
        value = convert(value, expression, connection)
    return value
