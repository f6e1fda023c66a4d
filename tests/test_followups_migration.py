"""The follow-up models moved from attendance to followups with their tables: no row is lost.

A database at the state before the move (attendance 0002, followups not applied) gets rows through
the historical models, then migrates forward; the rows are read back through followups.models, and
the permission rows on the models follow them to the new app label.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from events.models import Event as CurrentEvent
from followups.models import FollowUpAnswer, FollowUpForm, FollowUpReminder

BEFORE = [("attendance", "0002_followupform_followupanswer_followupreminder")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it():
    permission_pk = Permission.objects.get(codename="view_followupanswer").pk
    old = _migrate(BEFORE)
    assert ContentType.objects.filter(app_label="attendance", model="followupanswer").exists()

    Tier = old.get_model("bridges", "Tier")
    Bridge = old.get_model("bridges", "Bridge")
    Event = old.get_model("events", "Event")
    OldForm = old.get_model("attendance", "FollowUpForm")
    OldAnswer = old.get_model("attendance", "FollowUpAnswer")
    OldReminder = old.get_model("attendance", "FollowUpReminder")
    now = timezone.now()
    # bridges 0002 may already have created it (unless an earlier transactional test flushed the tables).
    school_tier, _created = Tier.objects.update_or_create(
        code="school", defaults={"label": "Trường", "role": "school", "order": 2})
    school = Bridge.objects.create(code="BS-S1", name="Trường Bắc Sơn 1", tier=school_tier, path="/1/", depth=0)
    event = Event.objects.create(title="Tập huấn kỹ năng số", kind="training", status="ended", host=school,
                                 starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=3, hours=-2))
    form = OldForm.objects.create(event=event, title="Báo cáo sau tập huấn", deadline=now + timedelta(days=7))
    OldAnswer.objects.create(form=form, bridge=school, students_trained=120, classes_held=4, teachers_led=3,
                             notes="Đã triển khai", attachment="followup/1/abc.pdf", attachment_name="bao-cao.pdf",
                             submitted_at=now, updated_at=now, late=True)
    OldReminder.objects.create(form=form, bridge=school, emailed=True)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = FollowUpForm.objects.select_related("event").get(pk=form.pk)
    assert (moved.title, moved.event.title) == ("Báo cáo sau tập huấn", "Tập huấn kỹ năng số")
    answer = FollowUpAnswer.objects.get(form=moved)
    assert (answer.bridge.code, answer.students_trained, answer.classes_held, answer.teachers_led) == \
        ("BS-S1", 120, 4, 3)
    assert (answer.notes, answer.attachment.name, answer.attachment_name, answer.late) == \
        ("Đã triển khai", "followup/1/abc.pdf", "bao-cao.pdf", True)
    assert list(FollowUpReminder.objects.filter(form=moved).values_list("emailed", flat=True)) == [True]
    assert list(moved.answers.all()) == [answer]
    assert list(CurrentEvent.objects.get(pk=event.pk).followup_forms.all()) == [moved]
    # The same permission row, now on the followups content type (grants to groups and users survive).
    permission = Permission.objects.select_related("content_type").get(pk=permission_pk)
    assert (permission.content_type.app_label, permission.codename) == ("followups", "view_followupanswer")
    assert not ContentType.objects.filter(app_label="attendance", model__startswith="followup").exists()
