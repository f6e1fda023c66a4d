"""The report numbers' read model (training.tallies, issue 14): kept by the notifications that feed the board and
equal, after a sequence of real actions, to a count from scratch and to the workbook's own count (reports.data.build).

Through the real layers: a teacher's check-in on /api/attendance/qr/{code}/checkin (at their own bridge and at
another one), a console tick on /api/console/{token}/tick, the roll call closed on
/api/attendance/rollcalls/{id}/close, a certificate issued on /api/training/events/{id}/people/{person}/issue, a
roster imported with `manage.py import_people`, the numbers read on /api/attendance/events/{id}/report and the
reports and training pages. Marks are written after the writer's commit, so the sequence runs on real commits.
"""

import json
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from attendance.services import qr
from bridges.models import Person, Role
from reports import data
from reports.filters import ReportFilters
from tests import fixtures_import as fx
from tests.attendance_support import with_open_roll_call
from training import tallies
from training.models import BridgeTally, TallyState

pytestmark = pytest.mark.django_db
COMPARED = [f for f in tallies.FIELDS if f != "counted_at"]
GROUP_FIELDS = ("invited", "confirmed", "tested", "checked_in", "expected", "headcount", "teachers", "completed",
                "certificates")


def stored(event) -> dict:
    return {t.bridge_id: {f: getattr(t, f) for f in COMPARED} for t in BridgeTally.objects.filter(event=event)}


def recounted(event) -> dict:
    return {t.bridge_id: {f: getattr(t, f) for f in COMPARED} for t in tallies.count(event)}


def report(client, event) -> dict:
    resp = client.get(f"/api/attendance/events/{event.pk}/report")
    assert resp.status_code == 200, resp.content[:300]
    return resp.json()


def assert_agrees_with_the_workbook(answer: dict, event) -> None:
    built = data.build(event, ReportFilters())
    assert [g["name"] for g in answer["groups"]] == [g.name for g in built.groups]
    for got, want in [*zip(answer["groups"], built.groups, strict=True), (answer["total"], built.total)]:
        assert {f: got[f] for f in GROUP_FIELDS} == {f: getattr(want, f) for f in GROUP_FIELDS}
        assert got["present"] == {str(k): v for k, v in want.present.items()}


def console_post(client, bridge, kind, **body):
    body.setdefault("nonce", uuid.uuid4().hex)
    return client.post(f"/api/console/{bridge.console_token}/{kind}", json.dumps(body),
                       content_type="application/json")


def check_in(client, env, bridge, person):
    code = qr.current_token(env.roll_call, bridge.pk)
    page = client.get(f"/api/attendance/qr/{code}").json()
    checked = client.post(f"/api/attendance/qr/{code}/checkin", {
        "page_token": page["page_token"], "identifier": person.teacher_id, "nonce": uuid.uuid4().hex},
        content_type="application/json")
    assert checked.status_code == 201, checked.content[:300]


def row_of(event, bridge) -> BridgeTally:
    return BridgeTally.objects.get(event=event, bridge=bridge)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_tallies_follow_check_ins_ticks_certificates_and_imports(client, small_tree, organizer, tmp_path):
    env = with_open_roll_call(small_tree)
    event, school, other = env.event, env.school, env.other_school
    client.force_login(organizer)
    first = report(client, event)
    state = TallyState.objects.get(event=event)
    assert first["total"]["invited"] == 5  # the four schools and the host
    assert sum(first["total"]["present"].values()) == 0

    # A teacher checks in on the teacher page's API; the coordinator ticks another on the console.
    check_in(client, env, school, env.people[0])
    assert console_post(client, school, "tick", person_id=env.people[1].pk,
                        roll_call_id=env.roll_call.pk).status_code == 201
    # The notifications marked the school's row (after their commit); nothing was recounted yet.
    row = row_of(event, school)
    assert row.stale == BridgeTally.MARKED and row.present == {}
    assert row_of(event, other).stale == BridgeTally.COUNTED

    second = report(client, event)
    assert second["total"]["present"] == {str(env.roll_call.pk): 2}
    assert TallyState.objects.get(event=event).built_at == state.built_at  # the row was refreshed, not all
    assert row_of(event, school).stale == BridgeTally.COUNTED
    assert stored(event) == recounted(event)
    assert_agrees_with_the_workbook(second, event)

    # A teacher of the other school checks in here: both bridges are marked, in one statement after the commit.
    visitor = other.people.order_by("teacher_id").first()
    check_in(client, env, school, visitor)
    assert row_of(event, school).stale == BridgeTally.MARKED
    assert row_of(event, other).stale == BridgeTally.MARKED
    report(client, event)
    assert stored(event) == recounted(event)

    # The roll call closes (the whole event changes: everyone's completion; a rebuild job, run at once here),
    # then a certificate is issued.
    assert client.post(f"/api/attendance/rollcalls/{env.roll_call.pk}/close").status_code == 200
    assert TallyState.objects.get(event=event).stale == BridgeTally.COUNTED
    rebuilt = TallyState.objects.get(event=event).built_at
    assert rebuilt > state.built_at
    third = report(client, event)
    assert third["total"]["completed"] == 3 and third["total"]["certificates"] == 0
    completed = {t.bridge_id: t.completed for t in BridgeTally.objects.filter(event=event)}
    assert completed[school.pk] == 2 and completed[other.pk] == 1  # the visitor counts at home
    issued = client.post(f"/api/training/events/{event.pk}/people/{env.people[0].pk}/issue")
    assert issued.status_code == 200, issued.content[:300]
    assert row_of(event, school).stale == BridgeTally.MARKED
    fourth = report(client, event)
    assert fourth["total"]["certificates"] == 1
    assert TallyState.objects.get(event=event).built_at == rebuilt
    assert stored(event) == recounted(event)
    assert_agrees_with_the_workbook(fourth, event)

    # A roster imported in bulk (no post_save): the school's rows are marked and its roster counted again.
    rows = [fx.PEOPLE_HEADER] + [[n, f"Giáo viên Mới {n}", "01/01/1990", "Nữ", "Toán", "", "", f"0790{n:08d}",
                                  school.code] for n in range(1, 4)]
    call_command("import_people", str(fx.write_xlsx(tmp_path / "gv.xlsx", rows)), stdout=StringIO())
    assert row_of(event, school).stale == BridgeTally.MARKED
    fifth = report(client, event)
    assert row_of(event, school).roster == Person.objects.filter(bridge=school).count()
    assert stored(event) == recounted(event)
    assert_agrees_with_the_workbook(fifth, event)

    # The pages read the same numbers: the reports page's total row and the training page's completion.
    page = client.get(reverse("reports:reports", args=[event.pk]))
    assert page.context["total_row"]["completed"] == 3 and page.context["total_row"]["certificates"] == 1
    training = client.get(reverse("training:detail", args=[event.pk]))
    assert training.context["eligible"] == 3 and training.context["completion_total"]["certificates"] == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_while_the_event_is_under_way_pages_never_rebuild_the_worker_does(client, small_tree, organizer):
    env = with_open_roll_call(small_tree)
    event = env.event
    client.force_login(organizer)
    report(client, event)  # the first view builds it
    built = TallyState.objects.get(event=event).built_at
    # A minute later: the page reads what is stored (and recounts marked rows only); the worker's sweep,
    # registered in core.jobs.periodic, counts the event whole once, claimed so a second worker skips it.
    TallyState.objects.filter(event=event).update(built_at=built - timedelta(minutes=2))
    report(client, event)
    assert TallyState.objects.get(event=event).built_at == built - timedelta(minutes=2)
    from core.jobs import periodic

    name_fn = periodic.registered()["training.tallies"]
    assert name_fn[0] == tallies.LIVE_REFRESH.total_seconds()
    assert name_fn[1]() == 1
    assert TallyState.objects.get(event=event).built_at > built
    assert tallies.refresh_due() == 0  # just counted: nothing due
    assert tallies.refresh_due(timezone.now() + timedelta(minutes=2)) == 1
    assert stored(event) == recounted(event)

    # Bridges invited in bulk (no post_save): the event is marked whole and counted by the job (run at once here).
    from bridges.models import Bridge
    from events.services.invitations import invite_bridges

    newcomer = Bridge.objects.create(code="BS-S9", name="Trường BS 9", tier=small_tree["BS-S1"].tier,
                                     parent=small_tree["BS"])
    assert invite_bridges(event, [newcomer]).created == 1
    assert BridgeTally.objects.filter(event=event, bridge=newcomer).exists()  # before any page read it
    assert report(client, event)["total"]["invited"] == 6
    assert stored(event) == recounted(event)


def test_a_missing_or_bulk_written_read_model_is_rebuilt(client, small_tree, organizer, make_user):
    env = with_open_roll_call(small_tree)
    event = env.event
    client.force_login(organizer)
    report(client, event)
    BridgeTally.objects.filter(event=event).delete()  # lost (or never built after an import)
    again = report(client, event)
    assert again["total"]["invited"] == 5 and stored(event) == recounted(event)

    # A district officer reads their district's rows, summed from the same tallies.
    officer = make_user("huyen-bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
    client.force_login(officer)
    district = report(client, event)
    assert [g["name"] for g in district["groups"]] == [small_tree["BS"].name]
    assert district["total"]["invited"] == 2


def test_the_rebuild_command_counts_every_event(small_tree):
    import io

    from django.core.management import call_command

    env = with_open_roll_call(small_tree)
    out = io.StringIO()
    call_command("rebuild_tallies", stdout=out)
    assert f"{env.event.pk}: 5 bridges" in out.getvalue()
    assert stored(env.event) == recounted(env.event) and stored(env.event)
