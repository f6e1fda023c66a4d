"""Per-person limits on heavy jobs and a cooldown on reminders (issue 15): one print at a time, a daily cap,
none for the read-only official; a school reminded at most once per REMINDER_COOLDOWN_MINUTES."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bridges.models import Bridge, Role
from core import jobs
from core.jobs import kinds, limits
from core.models import Job
from events.invitation_jobs import MAIL_JOB, PDF_JOB
from events.models import Event, Invitation
from followups import services as followup
from reports.export import EXPORT_JOB
from schoolreports.models import ReportReminder
from training.jobs import ISSUE, PRINT

from .report_data import make_attended_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def training(small_tree):
    """An event with three valid certificates (two in BS, one in TN)."""
    return make_attended_event(small_tree)["event"]


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_print_letters_and_certificates_are_heavy_exports_are_not():
    assert {PRINT, ISSUE, PDF_JOB, MAIL_JOB} <= kinds.heavy_kinds()
    assert not kinds.is_heavy(EXPORT_JOB)


def test_the_read_only_official_starts_no_print_job(client, training, make_user):
    client.force_login(make_user("lanhdao", Role.Kind.OFFICIAL))
    page = client.get(reverse("training:detail", args=[training.pk]))
    assert reverse("training:print", args=[training.pk]) not in page.content.decode()
    response = client.post(reverse("training:print", args=[training.pk]))
    assert messages_of(response) == ["Tài khoản chỉ xem: không thể chạy việc in, tạo giấy mời hay cấp giấy chứng nhận."]
    answer = client.post(f"/api/training/events/{training.pk}/print")
    assert answer.status_code == 403 and answer.json()["code"] == "job_forbidden"
    assert not Job.objects.exists()


def test_one_heavy_job_at_a_time_per_person(client, training, make_user, small_tree):
    officer = make_user("tn", Role.Kind.DISTRICT_OFFICER, scope=small_tree["TN"])
    waiting = Job.objects.create(kind=PRINT, created_by=officer, params={"event_id": training.pk})
    client.force_login(officer)
    response = client.post(reverse("training:print", args=[training.pk]))
    [message] = messages_of(response)
    assert message.startswith(f"Việc #{waiting.pk} của bạn (bắt đầu lúc ") and "chưa xong" in message
    answer = client.post(f"/api/training/events/{training.pk}/print")
    assert answer.status_code == 429 and answer.json()["code"] == "job_running"
    assert Job.objects.filter(created_by=officer).count() == 1
    # Someone else is not held back by it, and once it is finished the officer may print again.
    other = make_user("tn2", Role.Kind.DISTRICT_OFFICER, scope=small_tree["TN"])
    client.force_login(other)
    client.post(reverse("training:print", args=[training.pk]))
    assert Job.objects.get(created_by=other).result == {"pages": 1}
    Job.objects.filter(pk=waiting.pk).update(status=Job.Status.FAILED, finished_at=timezone.now())
    client.force_login(officer)
    client.post(reverse("training:print", args=[training.pk]))
    assert Job.objects.filter(created_by=officer, status=Job.Status.DONE).count() == 1


def test_a_daily_cap_per_person_with_the_time_of_the_next(client, training, organizer, settings):
    settings.JOBS_HEAVY_PER_DAY = 2
    old = Job.objects.create(kind=PRINT, created_by=organizer, status=Job.Status.DONE)
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))  # outside the 24 hours
    client.force_login(organizer)
    for _ in range(2):
        assert client.post(f"/api/training/events/{training.pk}/print").status_code == 200
    refused = client.post(f"/api/training/events/{training.pk}/print")
    assert refused.status_code == 429 and refused.json()["code"] == "job_daily_limit"
    assert "2 việc in" in refused.json()["detail"]
    # A command (no person) is the operator's: not limited.
    assert jobs.start(PRINT, params={"event_id": training.pk}).status == Job.Status.DONE


def test_the_limit_is_checked_before_anything_is_written(organizer):
    Job.objects.create(kind=PDF_JOB, created_by=organizer)
    with pytest.raises(limits.JobRefused):
        jobs.start(PRINT, params={"event_id": 0}, user=organizer)
    assert Job.objects.count() == 1


# --- reminders ----------------------------------------------------------------------------------

@pytest.fixture
def invited(small_tree):
    facts = make_attended_event(small_tree)
    Invitation.objects.filter(event=facts["event"]).update(status=Invitation.Status.INVITED)
    Bridge.objects.filter(code__in=["BS-S1", "BS-S2"]).update(email="truong@example.edu.vn")
    Event.objects.filter(pk=facts["event"].pk).update(status=Event.Status.PUBLISHED)
    return facts["event"]


def test_a_school_is_reminded_once_per_cooldown_by_page_and_api(client, invited, organizer, settings):
    settings.REMINDER_COOLDOWN_MINUTES = 240
    client.force_login(organizer)
    client.post(reverse("events:reminders", args=[invited.pk]), {"which": "not_confirmed"})
    assert len(mail.outbox) == 2
    again = client.post(reverse("events:reminders", args=[invited.pk]), {"which": "not_confirmed"})
    message = messages_of(again)[-1]  # after the first post's "Sending reminders to 2 bridges."
    assert message.startswith("Các trường đã chọn đều vừa được nhắc trong vòng 240 phút") and len(mail.outbox) == 2
    answer = client.post(f"/api/events/{invited.pk}/reminders", {"which": "not_confirmed"},
                         content_type="application/json")
    assert answer.status_code == 400 and len(mail.outbox) == 2
    # After the cooldown the schools may be reminded again.
    Invitation.objects.filter(event=invited).update(last_reminded_at=timezone.now() - timedelta(minutes=241))
    assert client.post(f"/api/events/{invited.pk}/reminders", {"which": "not_confirmed"},
                       content_type="application/json").status_code == 202
    assert len(mail.outbox) == 4
    assert dict(Invitation.objects.filter(event=invited, bridge__email__gt="")
                .values_list("bridge__code", "reminder_count")) == {"BS-S1": 2, "BS-S2": 2}


def test_two_reminder_jobs_queued_at_once_mail_a_school_once(invited):
    from events.services import reminders

    ids = list(Invitation.objects.filter(event=invited).values_list("pk", flat=True))
    first = reminders.send_reminders(invited, ids)
    second = reminders.send_reminders(invited, ids)
    assert first["sent"] == 2 and second["sent"] == 0 and second["held_back"] == 2
    assert len(mail.outbox) == 2


def test_follow_up_reminders_have_the_same_cooldown(client, small_tree, make_user):
    facts = make_attended_event(small_tree)
    Bridge.objects.filter(code__in=["BS-S2"]).update(email="truong@example.edu.vn")
    form = followup.open_form(facts["event"], title="Báo cáo", deadline=timezone.now() + timedelta(days=7))
    client.force_login(make_user("binhson", Role.Kind.DISTRICT_OFFICER, small_tree["BS"]))
    client.post(reverse("followups:remind", args=[form.pk]), {"which": "all"})
    assert len(mail.outbox) == 1
    again = client.post(reverse("followups:remind", args=[form.pk]), {"which": "all"})
    assert len(mail.outbox) == 1 and again.status_code == 302
    assert messages_of(again)[-1].startswith("Các trường đã chọn đều vừa được nhắc trong vòng 240 phút")
    assert ReportReminder.objects.filter(round=form.round, emailed=True).count() == 1
    api = client.post(f"/api/attendance/followups/{form.pk}/remind", {"bridges": [small_tree["BS-S2"].pk]},
                      content_type="application/json")
    assert api.status_code == 400 and "240 phút" in api.json()["detail"] and len(mail.outbox) == 1
    second = followup.send_reminders(form, [small_tree["BS-S2"].pk])
    assert second == {"sent": 0, "without_email": [], "held_back": 1} and len(mail.outbox) == 1
