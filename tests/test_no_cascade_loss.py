"""Nothing recorded disappears by cascade (issue 15): deleting what holds attendance, certificates or answers
is refused with the counts, evidence foreign keys are PROTECT, certificates are revoked and never deleted."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db import models
from django.urls import reverse
from django.utils import timezone

from attendance.models import BridgeCheckIn, CheckIn, CheckInAttempt, ConnectionInterval, RollCall
from core import deletion
from core.models import AuditEntry
from events.models import Event, Session
from followups import services as followup
from followups.models import FollowUpAnswer
from schoolreports.models import ReportAnswer
from tests.attendance_support import make_event
from training import codes
from training.models import Certificate
from video.models import PresenceEvent

pytestmark = pytest.mark.django_db

EVIDENCE = [
    (CheckIn, "roll_call"), (CheckInAttempt, "roll_call"), (BridgeCheckIn, "event"), (ConnectionInterval, "event"),
    (PresenceEvent, "event"), (FollowUpAnswer, "form"), (Certificate, "event"), (Certificate, "person"),
    (CheckIn, "person"), (CheckIn, "bridge"),
]


@pytest.mark.parametrize(("model", "field"), EVIDENCE, ids=lambda v: getattr(v, "__name__", v))
def test_evidence_points_at_what_it_records_with_protect(model, field):
    assert model._meta.get_field(field).remote_field.on_delete is models.PROTECT


@pytest.fixture
def attended(small_tree):
    """A live event whose session had a roll call: two check-ins and three attempts (one refused)."""
    env = make_event(small_tree)
    now = timezone.now()
    env.roll_call = RollCall.objects.create(session=env.session, label="Đầu giờ", opened_at=now - dt.timedelta(minutes=3),
                                            closes_at=now + dt.timedelta(minutes=2))
    for person in env.people[:2]:
        checkin = CheckIn.objects.create(roll_call=env.roll_call, person=person, bridge=env.school, at=now,
                                         method=CheckIn.Method.SELF_QR)
        CheckInAttempt.objects.create(roll_call=env.roll_call, bridge=env.school, person=person, checkin=checkin,
                                      outcome=CheckInAttempt.Outcome.ACCEPTED)
    CheckInAttempt.objects.create(roll_call=env.roll_call, bridge=env.school, identifier="000",
                                  outcome=CheckInAttempt.Outcome.UNKNOWN_PERSON)
    return env


def test_deleting_a_session_with_attendance_is_refused_with_the_counts_on_the_page(client, organizer, attended):
    client.force_login(organizer)
    response = client.post(reverse("events:session_delete", args=[attended.event.pk, attended.session.pk]))
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["Phiên “Khai mạc” không thể xóa vì còn dữ liệu phải lưu giữ (2 lượt điểm danh, "
                     "3 yêu cầu điểm danh)."]
    assert Session.objects.filter(pk=attended.session.pk).exists()
    assert CheckIn.objects.count() == 2 and CheckInAttempt.objects.count() == 3
    assert not AuditEntry.objects.filter(action="event.session_delete").exists()


def test_the_api_refuses_it_too_with_the_one_error_body(client, organizer, attended):
    client.force_login(organizer)
    answer = client.delete(f"/api/events/{attended.event.pk}/sessions/{attended.session.pk}")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "has_records" and "2 lượt điểm danh" in body["detail"] and "3 yêu cầu điểm danh" in body["detail"]
    assert RollCall.objects.filter(pk=attended.roll_call.pk).exists()


def test_an_empty_session_still_deletes_with_its_empty_roll_call(client, organizer, attended):
    empty = Session.objects.create(event=attended.event, title="Thảo luận", starts_at=attended.session.ends_at,
                                   ends_at=attended.session.ends_at + dt.timedelta(hours=1))
    RollCall.objects.create(session=empty, label="Chưa ai", opened_at=empty.starts_at,
                            closes_at=empty.starts_at + dt.timedelta(minutes=5))
    client.force_login(organizer)
    assert client.delete(f"/api/events/{attended.event.pk}/sessions/{empty.pk}").status_code == 204
    assert not Session.objects.filter(pk=empty.pk).exists() and not RollCall.objects.filter(label="Chưa ai").exists()
    assert AuditEntry.objects.filter(action="event.session_delete", summary="Thảo luận").count() == 1


def test_an_event_names_everything_it_holds(attended):
    now = timezone.now()
    BridgeCheckIn.objects.create(event=attended.event, bridge=attended.school, checked_in_at=now)
    ConnectionInterval.objects.create(event=attended.event, bridge=attended.school, source="console",
                                      started_at=now, last_seen_at=now)
    form = followup.open_form(attended.event, title="Báo cáo", deadline=now + dt.timedelta(days=7))
    followup.submit(form, attended.school, {"students_trained": "1", "classes_held": "1", "teachers_led": "1"})
    with pytest.raises(deletion.DeletionRefused) as refused:
        deletion.delete_or_refuse(attended.event)
    assert refused.value.counts == {"attendance.bridgecheckin": 1, "attendance.checkin": 2,
                                    "attendance.checkinattempt": 3, "attendance.connectioninterval": 1,
                                    "schoolreports.reportround": 1}  # the follow-up's round, holding its answer
    assert Event.objects.filter(pk=attended.event.pk).exists() and ReportAnswer.objects.count() == 1


def certificate_for(person, event) -> Certificate:
    return Certificate.objects.create(
        event=event, person=person, number="1/GCN", seq=1, year=2026, code=codes.new_code(), issued_at=timezone.now(),
        holder_name=person.full_name, training_title=event.title, training_starts=event.starts_at.date(),
        training_ends=event.ends_at.date())


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.vn", "pw-Secret-123"))
    return client


def test_the_admin_refuses_to_delete_an_event_a_bridge_or_a_person_holding_records(admin_client, attended):
    person = attended.people[2]
    certificate_for(person, attended.event)
    for url in (reverse("admin:events_event_delete", args=[attended.event.pk]),
                reverse("admin:bridges_bridge_delete", args=[attended.school.pk]),
                reverse("admin:bridges_person_delete", args=[person.pk])):
        page = admin_client.get(url)
        assert page.status_code == 200 and page.context["protected"], url
        admin_client.post(url, {"post": "yes"})
    assert Event.objects.filter(pk=attended.event.pk).exists() and person.__class__.objects.filter(pk=person.pk).exists()
    assert attended.school.__class__.objects.filter(pk=attended.school.pk).exists()


def test_certificates_are_revoked_from_the_admin_never_deleted(admin_client, client, attended):
    cert = certificate_for(attended.people[0], attended.event)
    assert admin_client.get(reverse("admin:training_certificate_delete", args=[cert.pk])).status_code == 403
    changelist = reverse("admin:training_certificate_changelist")
    actions = admin_client.get(changelist).context["action_form"].fields["action"].choices
    assert "delete_selected" not in dict(actions) and "revoke_selected" in dict(actions)
    asked = admin_client.post(changelist, {"action": "revoke_selected", "_selected_action": [cert.pk]})
    assert asked.status_code == 200 and "Lý do thu hồi" in asked.content.decode()
    admin_client.post(changelist, {"action": "revoke_selected", "_selected_action": [cert.pk], "apply": "1",
                                   "reason": "Cấp nhầm người"})
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.REVOKED and cert.revoke_reason == "Cấp nhầm người"
    entry = AuditEntry.objects.get(action="training.certificate_revoked")
    assert entry.actor.username == "root" and entry.target_id == str(cert.pk)
    client.logout()
    page = client.get(reverse("verify_code", args=[codes.display(cert.code)]))
    assert page.context["answer"]["result"] == "revoked"
