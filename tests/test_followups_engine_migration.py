"""Follow-up answers written before the report engine move into it (followups 0004): each form gets its
round from the replication template, each answer becomes the round's submitted answer with the same numbers,
who typed it, when, late or not, its attachment; reminders carry over. Old rows are made through the historical
models at the state before, then the database migrates forward."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from followups import services as followup
from followups.models import FollowUpForm
from schoolreports.models import ReportAnswer, ReportReminder

BEFORE = [("followups", "0003_followup_round")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_follow_up_answers_become_engine_submissions():
    old = _migrate(BEFORE)
    Tier = old.get_model("bridges", "Tier")
    Bridge = old.get_model("bridges", "Bridge")
    Event = old.get_model("events", "Event")
    Invitation = old.get_model("events", "Invitation")
    OldForm = old.get_model("followups", "FollowUpForm")
    OldAnswer = old.get_model("followups", "FollowUpAnswer")
    OldReminder = old.get_model("followups", "FollowUpReminder")
    now = timezone.now().replace(microsecond=0)
    school_tier, _created = Tier.objects.update_or_create(
        code="school", defaults={"label": "Trường", "role": "school", "order": 2})
    one = Bridge.objects.create(code="MG-S1", name="Trường Minh Giang 1", tier=school_tier, path="/1/", depth=0)
    two = Bridge.objects.create(code="MG-S2", name="Trường Minh Giang 2", tier=school_tier, path="/2/", depth=0)
    event = Event.objects.create(title="Tập huấn chuyển đổi số", kind="training", status="ended", host=one,
                                 starts_at=now - timedelta(days=5), ends_at=now - timedelta(days=5, hours=-2))
    for bridge in (one, two):
        Invitation.objects.create(event=event, bridge=bridge, status="confirmed")
    form = OldForm.objects.create(event=event, title="Báo cáo nhân rộng", instructions="Gửi trước hạn",
                                  deadline=now - timedelta(days=1), closed_at=now)
    first, changed = now - timedelta(days=3), now - timedelta(days=2)
    OldAnswer.objects.create(form=form, bridge=one, students_trained=1250, classes_held=4, teachers_led=3,
                             school_students=1300, notes="Đã triển khai", submitted_by="Cô Lan",
                             attachment="followup/1/abc.pdf", attachment_name="bien-ban.pdf",
                             submitted_at=first, updated_at=changed, late=False)
    OldAnswer.objects.create(form=form, bridge=two, students_trained=40, classes_held=2, teachers_led=1,
                             submitted_by="Thầy Nam", submitted_at=now, updated_at=now, late=True)
    reminder = OldReminder.objects.create(form=form, bridge=two, emailed=True)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = FollowUpForm.objects.select_related("round__form", "round__version").get(pk=form.pk)
    round_ = moved.round
    assert (round_.form.template_key, round_.title, round_.deadline, round_.audience, round_.audience_event_id) == \
        ("replication", "Báo cáo nhân rộng", form.deadline, "invitees", event.pk)
    assert round_.closed_at == now and round_.form.description == "Gửi trước hạn"
    answers = {a.bridge.code: a for a in ReportAnswer.objects.filter(round=round_).select_related("bridge")}
    assert set(answers) == {"MG-S1", "MG-S2"}
    a = answers["MG-S1"]
    assert a.status == "submitted" and a.version_id == round_.version_id
    assert {k: v for k, v in a.values.items() if k != "tai_lieu"} == {
        "hs_duoc_tap_huan": 1250, "so_lop": 4, "gv_huong_dan": 3, "so_hs_truong": 1300, "ghi_chu": "Đã triển khai"}
    assert (a.typed_by, a.submitted_at, a.updated_at, a.late) == ("Cô Lan", first, changed, False)
    [submission] = a.submissions.all()
    assert (submission.values, submission.typed_by, submission.actor_label, submission.at, submission.late) == \
        (a.values, "Cô Lan", "console:MG-S1", changed, False)
    [attached] = a.attachments.all()
    assert (a.values["tai_lieu"], attached.file.name, attached.name, attached.field_key) == \
        (attached.pk, "followup/1/abc.pdf", "bien-ban.pdf", "tai_lieu")
    b = answers["MG-S2"]
    assert b.values == {"hs_duoc_tap_huan": 40, "so_lop": 2, "gv_huong_dan": 1}
    assert (b.typed_by, b.late, b.submissions.get().late) == ("Thầy Nam", True, True)
    assert list(ReportReminder.objects.filter(round=round_).values_list("bridge__code", "emailed", "at")) == [
        ("MG-S2", True, reminder.at)]
    # The follow-up's readers read the engine's answers: the same numbers, who and when.
    state = followup.status(moved, None)
    assert [(s.bridge.code, s.answer.students_trained, s.answer.submitted_by, s.reminders) for s in state.schools] == [
        ("MG-S1", 1250, "Cô Lan", 0), ("MG-S2", 40, "Thầy Nam", 1)]
    assert (state.total.students, state.total.classes, state.total.teachers, state.total.late) == (1290, 6, 4, 1)
    assert state.schools[0].answer.attachment_name == "bien-ban.pdf"

    # Back: the links and the engine rows go, the old rows are untouched; forward again copies them once.
    back = _migrate([("followups", "0003_followup_round")])
    assert back.get_model("followups", "FollowUpForm").objects.get(pk=form.pk).round_id is None
    assert back.get_model("followups", "FollowUpAnswer").objects.filter(form_id=form.pk).count() == 2
    assert not ReportAnswer.objects.exists()
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert ReportAnswer.objects.filter(round__followup__pk=form.pk).count() == 2
