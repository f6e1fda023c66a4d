"""Follow-up reports after a training: opening, answers from the console (checked, late marked), missing
and overdue schools by scope, reminders, the rollup and its workbook, the API."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bridges.models import Bridge, Role
from core.models import AuditEntry, Job
from events.models import Invitation
from followups import services as followup
from followups.models import FollowUpAnswer, FollowUpForm, FollowUpReminder
from reports.followup_sheets import summary_table
from reports.workbook import FIRST_DATA_ROW

from .report_data import make_attended_event


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def form(small_tree):
    facts = make_attended_event(small_tree)
    # TN-S2 declined: it is not asked.
    Invitation.objects.filter(event=facts["event"], bridge=small_tree["TN-S2"]).update(status="declined")
    Bridge.objects.filter(code__in=["BS-S2", "TN-S1"]).update(email="truong@example.edu.vn")
    return FollowUpForm.objects.create(event=facts["event"], title="Báo cáo sau tập huấn",
                                       deadline=timezone.now() + timedelta(days=7))


def answer(client, bridge, form, **values):
    data = {"students_trained": "120", "classes_held": "4", "teachers_led": "2", "notes": "Đã triển khai",
            "submitted_by": "Cô Lan", **values}
    # As the console's follow-up page sends it: multipart form data (an attachment may come with it).
    return client.post(reverse("api:console_followup_answer", kwargs={"token": bridge.console_token,
                                                                       "form_id": form.pk}), data)


def test_organizer_opens_a_follow_up_report_others_cannot(client, english, small_tree, organizer, make_user):
    event = make_attended_event(small_tree)["event"]
    url = reverse("followups:list", args=[event.pk])
    client.force_login(make_user("lanhdao", Role.Kind.OFFICIAL))
    assert client.post(url, {"title": "X", "deadline": "2099-01-01T17:00"}).status_code == 403
    client.force_login(organizer)
    bad = client.post(url, {"title": "", "deadline": "01/01/2000 17:00"})
    assert bad.status_code == 400 and not FollowUpForm.objects.exists()
    assert "The deadline must be in the future." in bad.content.decode()
    ok = client.post(url, {"title": " Báo cáo  sau tập huấn ", "deadline": "31/12/2099 17:00",
                           "instructions": "Gửi trước hạn"})
    made = FollowUpForm.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("followups:detail", args=[made.pk])
    assert made.title == "Báo cáo sau tập huấn"
    assert timezone.localtime(made.deadline).strftime("%d/%m/%Y %H:%M") == "31/12/2099 17:00"
    assert AuditEntry.objects.filter(action="followup.open").exists()
    # The schools asked: invited school bridges.
    assert set(followup.expected_schools(made).values_list("code", flat=True)) == {"BS-S1", "BS-S2", "TN-S1", "TN-S2"}


def test_school_answers_from_its_console_and_may_correct(client, form, small_tree):
    school = small_tree["BS-S1"]
    page = client.get(reverse("console_followup", args=[school.console_token]))
    assert page.status_code == 200 and "Báo cáo sau tập huấn" in page.content.decode()
    answer_url = reverse("api:console_followup_answer", kwargs={"token": school.console_token, "form_id": form.pk})
    assert f'action="{answer_url}"' in page.content.decode()
    response = answer(client, school, form, attachment=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 test"))
    assert response.status_code == 201 and response.json()["message"]
    stored = FollowUpAnswer.objects.get(form=form, bridge=school)
    assert (stored.students_trained, stored.classes_held, stored.teachers_led, stored.late) == (120, 4, 2, False)
    assert stored.attachment_name == "bien-ban.pdf" and "bien-ban" not in stored.attachment.name
    assert answer(client, school, form, students_trained="1.250", school_students="1300").status_code == 200
    stored.refresh_from_db()
    assert stored.students_trained == 1250 and FollowUpAnswer.objects.count() == 1
    assert AuditEntry.objects.filter(action="followup.update", actor_label="console:BS-S1").exists()
    # A school that declined the event, or a forged link, is not asked.
    assert answer(client, small_tree["TN-S2"], form).status_code == 404
    assert client.get(reverse("console_followup", args=["x" * 43])).status_code == 404


@pytest.mark.parametrize(("values", "reason"), [
    ({"students_trained": "-5"}, "Students trained cannot be negative."),
    ({"classes_held": "bốn"}, "is not a whole number"),
    ({"students_trained": "900", "school_students": "800"}, "more than the school's 800 students"),
    ({"students_trained": "999999"}, "5000 at most"),
    ({"teachers_led": "4"}, "more than the 3 teachers on the school's roster"),
    ({"students_trained": "0", "classes_held": "3"}, "no student was trained"),
    ({"attachment": SimpleUploadedFile("virus.exe", b"MZ")}, "Attachment: only"),
])
def test_absurd_answers_are_refused_with_the_reason(client, english, form, small_tree, values, reason):
    response = answer(client, small_tree["BS-S1"], form, **values)
    assert response.status_code == 400
    assert reason in " ".join(response.json()["errors"])
    assert not FollowUpAnswer.objects.exists()


@pytest.mark.services
def test_late_answer_is_accepted_but_marked_closed_form_refuses(client, english, form, small_tree):
    FollowUpForm.objects.filter(pk=form.pk).update(deadline=timezone.now() - timedelta(hours=1))
    response = answer(client, small_tree["BS-S2"], form)
    assert response.status_code == 201
    assert FollowUpAnswer.objects.get(bridge=small_tree["BS-S2"]).late
    form.refresh_from_db()
    followup.close_form(form)
    refused = answer(client, small_tree["BS-S1"], form)
    assert refused.status_code == 400 and "closed" in refused.content.decode()
    assert FollowUpAnswer.objects.count() == 1


def test_district_officer_sees_missing_schools_and_reminds_them(client, form, small_tree, make_user):
    FollowUpAnswer.objects.create(form=form, bridge=small_tree["BS-S1"], students_trained=10, classes_held=1,
                                  teachers_led=1, submitted_at=timezone.now(), updated_at=timezone.now())
    officer = make_user("binhson", Role.Kind.DISTRICT_OFFICER, small_tree["BS"])
    client.force_login(officer)
    page = client.get(reverse("followups:detail", args=[form.pk]))
    state = page.context["state"]
    assert [s.bridge.code for s in state.missing] == ["BS-S2"]  # TN schools are not theirs
    assert "TN-S1" not in page.content.decode()
    response = client.post(reverse("followups:remind", args=[form.pk]), {"which": "all"})
    job = Job.objects.get(kind=followup.REMIND_JOB)
    assert response.status_code == 302 and job.status == Job.Status.DONE
    assert job.result == {"sent": 1, "without_email": []}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["truong@example.edu.vn"]
    assert small_tree["BS-S2"].console_token in mail.outbox[0].body
    assert FollowUpReminder.objects.filter(form=form, bridge=small_tree["BS-S2"], by=officer).count() == 1
    # Choosing a school of another district reminds nobody; an official may not remind at all.
    client.post(reverse("followups:remind", args=[form.pk]), {"bridge": [small_tree["TN-S1"].pk]})
    assert len(mail.outbox) == 1
    client.force_login(make_user("lanhdao", Role.Kind.OFFICIAL))
    assert client.post(reverse("followups:remind", args=[form.pk]), {"which": "all"}).status_code == 403


@pytest.mark.services
def test_overdue_list_rollup_and_workbook(client, form, small_tree, organizer):
    now = timezone.now()
    for code, students in (("BS-S1", 100), ("BS-S2", 40)):
        FollowUpAnswer.objects.create(form=form, bridge=small_tree[code], students_trained=students, classes_held=2,
                                      teachers_led=1, submitted_at=now, updated_at=now, late=code == "BS-S2")
    FollowUpForm.objects.filter(pk=form.pk).update(deadline=now - timedelta(days=1))
    form.refresh_from_db()
    state = followup.status(form, None)
    assert state.overdue and [s.bridge.code for s in state.overdue_list] == ["TN-S1"]
    assert [(d.name, d.expected, d.submitted, d.late, d.students) for d in state.districts] == [
        ("Huyện BS", 2, 2, 1, 140), ("Huyện TN", 1, 0, 0, 0)]
    client.force_login(organizer)
    response = client.get(reverse("reports:followup_export", args=[form.pk]), {"format": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).worksheets[1]  # after the signed report
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=FIRST_DATA_ROW, max_row=FIRST_DATA_ROW + 2)]
    keys = [c.key for c in summary_table(state).columns]  # the document is Vietnamese: find columns by key
    assert rows[0][1] == "Huyện BS" and rows[0][keys.index("students")] == 140
    assert rows[2][keys.index("students")] == 140 and rows[2][keys.index("missing")] == 1
    assert rows[2][keys.index("late")] == 1
    csv_text = client.get(reverse("reports:followup_export", args=[form.pk]),
                          {"format": "csv", "sheet": "schools"}).content.decode("utf-8-sig")
    assert "BS-S1" in csv_text and "TN-S1" in csv_text


def test_the_form_page_shows_the_rollup_and_downloads_the_reports_app_adds(client, form, small_tree, make_user):
    # followups names no app above it: the table by district and the downloads come from reports' panel.
    FollowUpAnswer.objects.create(form=form, bridge=small_tree["BS-S1"], students_trained=75, classes_held=3,
                                  teachers_led=2, submitted_at=timezone.now(), updated_at=timezone.now())
    client.force_login(make_user("binhson", Role.Kind.DISTRICT_OFFICER, small_tree["BS"]))
    page = client.get(reverse("followups:detail", args=[form.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for query in ("?format=xlsx", "?format=csv&amp;sheet=summary", "?format=csv&amp;sheet=schools"):
        assert reverse("reports:followup_export", args=[form.pk]) + query in html
    [panel] = page.context["panels"]
    keys = [c.key for c in panel["table"].columns]
    # The officer's part only: Bình Sơn's two schools, one answered with 75 students.
    assert [row[keys.index("district")][0] for row in panel["rows"]] == ["Huyện BS"]
    assert panel["total"][keys.index("expected")][0] == "2" and panel["total"][keys.index("students")][0] == "75"
    assert reverse("reports:reports", args=[form.event_id]) in html  # back to the reports, through the tabs


def test_attachment_download_is_scoped(client, form, small_tree, make_user):
    answer(client, small_tree["TN-S1"], form, attachment=SimpleUploadedFile("anh.png", b"\x89PNG data"))
    stored = FollowUpAnswer.objects.get()
    url = reverse("followups:attachment", args=[stored.pk])
    client.force_login(make_user("binhson", Role.Kind.DISTRICT_OFFICER, small_tree["BS"]))
    assert client.get(url).status_code == 403
    client.force_login(make_user("tn", Role.Kind.DISTRICT_OFFICER, small_tree["TN"]))
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"\x89PNG data"


@pytest.mark.services
def test_api_console_answer_and_status(client, form, small_tree, make_user):
    token = small_tree["TN-S1"].console_token
    listed = client.get(f"/api/console/{token}/followups").json()
    assert [f["id"] for f in listed] == [form.pk] and listed[0]["answer"] is None
    assert listed[0]["answer_url"] == f"/api/console/{token}/followups/{form.pk}"
    bad = client.post(f"/api/console/{token}/followups/{form.pk}",
                      {"students_trained": -1, "classes_held": 1, "teachers_led": 1}, content_type="application/json")
    assert bad.status_code == 400 and "students_trained" in bad.json()["fields"]
    ok = client.post(f"/api/console/{token}/followups/{form.pk}",
                     {"students_trained": 30, "classes_held": 1, "teachers_led": 1}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["late"] is False
    assert client.get("/api/console/forged/followups").status_code == 404
    # Organizers open one over the API too; a deadline without a zone is the province's local time.
    client.force_login(make_user("org2", Role.Kind.ORGANIZER))
    opened = client.post(f"/api/attendance/events/{form.event_id}/followups",
                         {"title": "Đợt 2", "deadline": "2099-06-30T17:00:00"}, content_type="application/json")
    assert opened.status_code == 201
    deadline = FollowUpForm.objects.get(pk=opened.json()["id"]).deadline
    assert timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M") == "30/06/2099 17:00"
    client.force_login(make_user("tn", Role.Kind.DISTRICT_OFFICER, small_tree["TN"]))
    status = client.get(f"/api/attendance/followups/{form.pk}").json()
    assert {k: v for k, v in status["total"].items() if k != "name"} == {"expected": 1, "submitted": 1, "late": 0, "missing": 0,
                               "students": 30, "classes": 1, "teachers": 1}
    assert [s["code"] for s in status["schools"]] == ["TN-S1"]


def test_console_page_links_to_the_follow_up_report(client, form, small_tree):
    token = small_tree["BS-S1"].console_token
    page = client.get(reverse("console", args=[token]))
    assert page.status_code == 200
    assert f'href="{reverse("console_followup", args=[token])}"' in page.content.decode()
    # A school not asked sees no card.
    other = client.get(reverse("console", args=[small_tree["TN-S2"].console_token]))
    assert 'id="followup"' not in other.content.decode()
