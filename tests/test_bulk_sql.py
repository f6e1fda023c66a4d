"""core.bulk_sql writes and reads what the ORM would (issue 13): on SQLite here, on PostgreSQL (COPY, JSON) too
when the suite runs with DATABASE_URL (make test runs it there as `services`)."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from attendance.models import CheckIn, CheckInAttempt, ClientNonce
from bridges.models import Person
from core.bulk_sql import Count, Insert, NextIds, Select, counts, fetch, insert_rows, read, write
from tests.attendance_support import with_open_roll_call

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def test_rows_written_are_the_rows_the_orm_reads_back_with_ids_in_order(small_tree):
    env = with_open_roll_call(small_tree)
    people = list(Person.objects.order_by("pk")[:4])
    at = timezone.now().replace(microsecond=123456)
    ids = insert_rows(CheckIn, ("roll_call", "person", "bridge", "foreign", "client_key", "same_client", "at",
                                "received_at", "method", "recorded_by"),
                      [(env.roll_call.pk, p.pk, p.bridge_id, k % 2 == 1, f"key-{k}", False, at + dt.timedelta(seconds=k),
                        at, CheckIn.Method.SELF_QR, "") for k, p in enumerate(people)], return_ids=True)
    rows = {row.pk: row for row in CheckIn.objects.all()}
    assert [rows[pk].person_id for pk in ids] == [p.pk for p in people]
    assert [rows[pk].at for pk in ids] == [at + dt.timedelta(seconds=k) for k in range(4)]
    assert [rows[pk].foreign for pk in ids] == [False, True, False, True]
    # The table's own sequence goes on after them: the ORM's next row does not collide.
    later = CheckIn.objects.create(roll_call=env.roll_call, person=Person.objects.order_by("pk")[5],
                                   bridge=people[0].bridge, at=at, method=CheckIn.Method.TICK)
    assert later.pk > max(ids)


def test_json_and_text_survive_both_ways():
    body = {"ok": True, "message": "Đã điểm danh lúc 08:00 tại Trường BS 1", "nested": {"n": [1, 2.5, None]}}
    insert_rows(ClientNonce, ("scope", "nonce", "status_code", "response", "created_at"),
                [("rollcall:1", "nonce-bulk-0001", 201, body, timezone.now()),
                 ("page:1", "tab\tand\nnewline\\", 201, {}, timezone.now())])
    assert ClientNonce.objects.get(nonce="nonce-bulk-0001").response == body
    read = {r.nonce: r for r in fetch(ClientNonce, ("scope", "nonce", "status_code", "response"),
                                      {"scope": {"rollcall:1", "page:1"}, "nonce": {"nonce-bulk-0001", "tab\tand\nnewline\\"}})}
    assert read["nonce-bulk-0001"].response == body
    assert read["nonce-bulk-0001"].status_code == 201
    assert read["tab\tand\nnewline\\"].scope == "page:1"


def test_a_unique_constraint_stops_the_whole_write_as_django_integrity_error():
    ClientNonce.objects.create(scope="rollcall:9", nonce="taken-nonce-01", status_code=201)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(ClientNonce, ("scope", "nonce", "status_code", "response", "created_at"),
                    [("rollcall:9", "free-nonce-0001", 201, {}, timezone.now()),
                     ("rollcall:9", "taken-nonce-01", 201, {}, timezone.now())])
    assert list(ClientNonce.objects.values_list("nonce", flat=True)) == ["taken-nonce-01"]


def test_fetch_gives_the_orm_instances_fields_and_counts_group(small_tree):
    env = with_open_roll_call(small_tree)
    dated = env.people[0]  # birth dates are on BS-S1's roster
    [person] = fetch(Person, ("bridge", "full_name", "teacher_id", "birth_date"), {"teacher_id": {dated.teacher_id}},
                     exclude={"teacher_id": ""})
    assert (person.pk, person.bridge_id, person.full_name, person.birth_date) == (
        dated.pk, dated.bridge_id, dated.full_name, dated.birth_date)
    assert fetch(Person, ("full_name",), {"teacher_id": set()}) == []
    at = timezone.now()
    for k, p in enumerate(env.people):
        CheckIn.objects.create(roll_call=env.roll_call, person=p, bridge=p.bridge, at=at, method=CheckIn.Method.SELF_QR,
                               client_key="phone-a" if k else "phone-b")
    [row] = fetch(CheckIn, ("roll_call", "person", "at"), {"roll_call": {env.roll_call.pk}, "person": {dated.pk}})
    assert row.at == CheckIn.objects.get(person=dated).at
    assert counts(CheckIn, ("roll_call", "client_key"), {"roll_call": {env.roll_call.pk},
                                                         "client_key": {"phone-a", "phone-b", "phone-c"}}) == {
        (env.roll_call.pk, "phone-a"): 2, (env.roll_call.pk, "phone-b"): 1}


def test_reads_sent_together_give_what_each_gives_alone_in_one_round_trip_on_postgresql(
        small_tree, django_assert_num_queries):
    env = with_open_roll_call(small_tree)
    at = timezone.now()
    assert len(env.people) >= 3
    for p in env.people[:2]:
        CheckIn.objects.create(roll_call=env.roll_call, person=p, bridge=p.bridge, at=at, method=CheckIn.Method.SELF_QR,
                               client_key="phone-0")
    first, second, last = env.people[0], env.people[1], env.people[2]
    by_identifier = {"teacher_id": {first.teacher_id}}, {"teacher_id": ""}
    reads = [
        Select(Person, ("full_name",), *by_identifier),
        Select(Person, ("full_name",), {"teacher_id": set()}),  # nothing asked: no statement
        Select(CheckIn, ("person",), {"roll_call": {env.roll_call.pk}, "person": {first.pk, second.pk, last.pk}}),
        Select(CheckIn, ("person",), {"roll_call": {env.roll_call.pk}, "person": set()}),
        Count(CheckIn, ("client_key",), {"roll_call": {env.roll_call.pk}, "client_key": {"phone-0", "phone-1"}}),
    ]
    # One round trip on PostgreSQL whatever the number of reads; elsewhere one statement per read asked.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        people, nothing, rows, no_rows, clients = read(*reads)
    assert [p.pk for p in people] == [first.pk] and people[0].full_name == first.full_name
    assert nothing == [] and no_rows == []
    assert sorted(r.person_id for r in rows) == sorted([first.pk, second.pk])  # `last` has no row
    assert clients == {("phone-0",): 2}
    alone = [fetch(Person, ("full_name",), by_identifier[0], exclude=by_identifier[1]),
             counts(CheckIn, ("client_key",), {"roll_call": {env.roll_call.pk}, "client_key": {"phone-0", "phone-1"}})]
    assert [[p.pk for p in alone[0]], alone[1]] == [[p.pk for p in people], clients]


def test_several_tables_written_together_in_one_round_trip_on_postgresql_read_back_as_written(
        small_tree, django_assert_num_queries):
    """write(): ids taken with the reads (NextIds, PostgreSQL), then a check-in, its attempt and a nonce in
    one round trip; times to the microsecond, booleans, NULLs, JSON and text that COPY or JSON would mangle."""
    env = with_open_roll_call(small_tree)
    person = env.people[0]
    at = timezone.now().replace(microsecond=654321)
    postgresql = connection.vendor == "postgresql"
    with django_assert_num_queries(1 if postgresql else 0):
        [ids] = read(NextIds(CheckIn, 2))
    if postgresql:
        assert len(ids) == 2 and ids[0] < ids[1]
        row_id, fields = ids[0], ("id",)
    else:
        assert ids is None  # the insert gives them
        row_id, fields = None, ()
    checkin_fields = (*fields, "roll_call", "person", "bridge", "foreign", "client_key", "same_client", "at",
                      "received_at", "method", "recorded_by")
    checkin_row = (env.roll_call.pk, person.pk, person.bridge_id, True, "key-1", False, at, at,
                   CheckIn.Method.SELF_QR, "")
    if not postgresql:
        [row_id] = insert_rows(CheckIn, checkin_fields, [checkin_row], return_ids=True)
    body = {"ok": True, "message": 'Đã điểm danh "lúc" 08:00\ttại\nTrường', "n": [1, 2.5, None]}
    text = "tab\tand\nnewline\\ and 'quotes'"
    with django_assert_num_queries(1 if postgresql else 2):
        write(Insert(CheckIn, checkin_fields, [(row_id, *checkin_row)] if postgresql else []),
              Insert(CheckInAttempt, ("at", "client_time", "roll_call", "bridge", "person", "checkin", "method",
                                      "identifier", "nonce", "outcome", "reason", "ip"),
                     [(at, None, env.roll_call.pk, person.bridge_id, person.pk, row_id, CheckIn.Method.SELF_QR,
                       text, "nonce-write-01", CheckInAttempt.Outcome.ACCEPTED, "", "10.0.0.7")]),
              Insert(ClientNonce, ("scope", "nonce", "status_code", "response", "created_at"),
                     [("rollcall:1", "nonce-write-01", 201, body, at)]))
    row = CheckIn.objects.get(pk=row_id)
    assert (row.person_id, row.foreign, row.same_client, row.at, row.client_key) == (person.pk, True, False, at, "key-1")
    attempt = CheckInAttempt.objects.get(nonce="nonce-write-01")
    assert (attempt.checkin_id, attempt.client_time, attempt.identifier, attempt.ip, attempt.at) == (
        row_id, None, text, "10.0.0.7", at)
    assert ClientNonce.objects.get(nonce="nonce-write-01").response == body
    # The sequence goes on after the ids taken: the ORM's next row does not collide.
    later = CheckIn.objects.create(roll_call=env.roll_call, person=env.people[1], bridge=person.bridge, at=at,
                                   method=CheckIn.Method.TICK)
    assert later.pk > row_id


def test_a_unique_constraint_stops_every_table_of_a_write():
    ClientNonce.objects.create(scope="rollcall:9", nonce="taken-nonce-02", status_code=201)
    fields = ("scope", "nonce", "status_code", "response", "created_at")
    with pytest.raises(IntegrityError), transaction.atomic():
        write(Insert(ClientNonce, fields, [("rollcall:9", "free-nonce-0002", 201, {}, timezone.now())]),
              Insert(ClientNonce, fields, [("rollcall:9", "taken-nonce-02", 201, {}, timezone.now())]))
    assert list(ClientNonce.objects.values_list("nonce", flat=True)) == ["taken-nonce-02"]


def test_keys_that_need_quoting_in_an_array_are_read_back_exactly():
    """On PostgreSQL a read's keys go as one array literal written by bulk_sql: quotes, backslashes, commas,
    braces, spaces, "null", the empty text and Vietnamese letters still select exactly their rows."""
    awkward = ['a"b', "back\\slash", "com,ma", "{brace}", "two words", "null", "NULL", "", "Trường Bình Sơn"]
    insert_rows(ClientNonce, ("scope", "nonce", "status_code", "response", "created_at"),
                [("rollcall:7", nonce, 201, {}, timezone.now()) for nonce in [*awkward, "other"]])
    found = fetch(ClientNonce, ("nonce",), {"scope": {"rollcall:7"}, "nonce": set(awkward)})
    assert sorted(n.nonce for n in found) == sorted(awkward)
    assert fetch(ClientNonce, ("nonce",), {"scope": {"rollcall:7"}, "nonce": {"nothing-like-it"}}) == []
