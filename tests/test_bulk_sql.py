"""core.bulk_sql writes and reads what the ORM would (issue 13): on SQLite here, on PostgreSQL (COPY) too
when the suite runs with DATABASE_URL (make test runs it there as `services`)."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from attendance.models import CheckIn, ClientNonce
from bridges.models import Person
from core.bulk_sql import Count, Select, counts, fetch, insert_rows, read
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
