"""What a console's queued writes read (a tick, the undo of a tick): the roll call they name with its window and
its event's id and host, and a person of the bridge's roster. Plain statements of the columns used
(core.bulk_sql.fetch and one join of ids), as the teachers' batches read: through the ORM's compiler these
few reads cost a websocket tick more than the database's work (issue 13). Rules stay with their homes
(checkin.tick, roster.undo_tick, events.participation.takes_part); this module only reads.
"""

from django.db import connection

from bridges.models import Bridge, Person
from core.bulk_sql import fetch
from events.models import Event, Session

from ..models import RollCall


def _key(value: int) -> list[int]:
    # A client's number outside the id columns' range names nothing (as the ORM's lookups answer).
    return [value] if 0 < value < 2 ** 63 else []


def roll_call(roll_call_id: int) -> RollCall | None:
    """The roll call a console names, with its session and event loaded as far as the console's writes read
    them (the window; the event's id and host): plain statements of those columns (core.bulk_sql.fetch), as
    the teachers' batches read; the session and its event by one join of their ids. Any other field is read
    when asked (deferred)."""
    found = fetch(RollCall, ("session", "label", "opened_at", "closes_at", "closed_at"), {"id": _key(roll_call_id)})
    if not found:
        return None
    found_call = found[0]
    quote = connection.ops.quote_name
    session_table, event_table = quote(Session._meta.db_table), quote(Event._meta.db_table)
    with connection.cursor() as cursor:  # ids only: nothing to convert
        cursor.execute(f"SELECT s.{quote('event_id')}, e.{quote('host_id')} FROM {session_table} s "  # noqa: S608 - names from _meta
                       f"JOIN {event_table} e ON e.{quote('id')} = s.{quote('event_id')} WHERE s.{quote('id')} = %s",
                       [found_call.session_id])
        ids = cursor.fetchone()
    if ids is None:  # its session was deleted (with the roll call) since the first read
        return None
    event_id, host_id = ids
    session = Session.from_db(connection.alias, ["id", "event_id"], [found_call.session_id, event_id])
    session._state.fields_cache["event"] = Event.from_db(connection.alias, ["id", "host_id"], [event_id, host_id])
    found_call._state.fields_cache["session"] = session
    return found_call


def roster_person(bridge: Bridge, person_id: int) -> Person | None:
    """A person of this bridge's roster by id (name and bridge read; other fields deferred), else None."""
    found = fetch(Person, ("bridge", "full_name"), {"id": _key(person_id), "bridge": [bridge.pk]})
    if found:
        found[0]._state.fields_cache["bridge"] = bridge
    return found[0] if found else None
