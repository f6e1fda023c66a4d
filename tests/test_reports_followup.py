"""Follow-up reports after a training: opening, answers from the console (checked, late marked), missing
and overdue schools by scope, reminders, the rollup and its workbook, the API."""

import io
from datetime import datetime, timedelta

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
from followups.models import FollowUpForm
from reports.followup_sheets import summary_table
from reports.workbook import FIRST_DATA_ROW
from schoolreports import services as reports
from schoolreports.models import ReportAnswer, ReportReminder, ReportRound, ReportSubmission

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
    return followup.open_form(facts["event"], title="Báo cáo sau tập huấn", deadline=timezone.now() + timedelta(days=7))


def stored_answer(form, bridge):
    """The school's follow-up answer as the engine keeps it, read under the follow-up's names."""
    return followup.answer_of(form, bridge)


def submitted(form, bridge, **values):
    """A school's answer sent as its console would, through the engine's round (the one writer)."""
    data = {"students_trained": "10", "classes_held": "1", "teachers_led": "1", **values}
    return followup.submit(form, bridge, data)[0]


def move_deadline(form, when):
    FollowUpForm.objects.filter(pk=form.pk).update(deadline=when)
    ReportRound.objects.filter(pk=form.round_id).update(deadline=when)
    form.refresh_from_db()


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
    # Its engine round, from the shipped replication template: the event's invitees, the same deadline.
    assert (made.round.form.template_key, made.round.audience, made.round.audience_event_id, made.round.deadline) \
        == ("replication", "invitees", event.pk, made.deadline)
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
    stored = stored_answer(form, school)
    assert (stored.students_trained, stored.classes_held, stored.teachers_led, stored.late) == (120, 4, 2, False)
    assert stored.submitted_by == "Cô Lan"
    assert stored.attachment_name == "bien-ban.pdf" and "bien-ban" not in stored.attachment.file.name
    assert answer(client, school, form, students_trained="1.250", school_students="1300").status_code == 200
    stored = stored_answer(form, school)
    assert stored.students_trained == 1250 and ReportAnswer.objects.count() == 1
    assert stored.attachment_name == "bien-ban.pdf"  # a correction without a file keeps the one sent before
    # Every submission kept by the engine, and audited as a correction.
    assert ReportSubmission.objects.filter(answer__bridge=school).count() == 2
    assert AuditEntry.objects.filter(action="schoolreport.correct", actor_label="console:BS-S1").exists()
    # A school that declined the event, or a forged link, is not asked.
    assert answer(client, small_tree["TN-S2"], form).status_code == 404
    assert client.get(reverse("console_followup", args=["x" * 43])).status_code == 404


@pytest.mark.parametrize(("values", "field", "reason"), [
    ({"students_trained": "-5"}, "students_trained", "cannot be negative."),
    ({"classes_held": "bốn"}, "classes_held", "“bốn” is not a whole number"),
    ({"students_trained": "900", "school_students": "800"}, "students_trained", "900 is more than “"),
    ({"students_trained": "999999"}, "students_trained", "5000 at most"),
    ({"teachers_led": "4"}, "teachers_led", "more than the 3 people on the school's roster"),
    ({"students_trained": "0", "classes_held": "3"}, "students_trained", "is 0 although “"),
    ({"attachment": SimpleUploadedFile("virus.exe", b"MZ")}, "attachment", ": only"),
])
def test_absurd_answers_are_refused_with_the_reason(client, english, form, small_tree, values, field, reason):
    # The engine's rules (schoolreports.validation) and reasons, named by the follow-up's field; the labels are
    # the replication form's, as copied in the province's language.
    response = answer(client, small_tree["BS-S1"], form, **values)
    assert response.status_code == 400
    assert reason in " ".join(response.json()["fields"][field])
    assert not ReportAnswer.objects.filter(status=ReportAnswer.Status.SUBMITTED).exists()


@pytest.mark.services
def test_late_answer_is_accepted_but_marked_closed_form_refuses(client, english, form, small_tree):
    move_deadline(form, timezone.now() - timedelta(hours=1))
    response = answer(client, small_tree["BS-S2"], form)
    assert response.status_code == 201
    assert stored_answer(form, small_tree["BS-S2"]).late
    followup.close_form(form)
    assert form.round.closed_at is not None  # the engine's round closes with it
    refused = answer(client, small_tree["BS-S1"], form)
    assert refused.status_code == 400 and "closed" in refused.content.decode()
    assert ReportAnswer.objects.count() == 1


def test_district_officer_sees_missing_schools_and_reminds_them(client, form, small_tree, make_user):
    submitted(form, small_tree["BS-S1"])
    officer = make_user("binhson", Role.Kind.DISTRICT_OFFICER, small_tree["BS"])
    client.force_login(officer)
    page = client.get(reverse("followups:detail", args=[form.pk]))
    state = page.context["state"]
    assert [s.bridge.code for s in state.missing] == ["BS-S2"]  # TN schools are not theirs
    assert "TN-S1" not in page.content.decode()
    response = client.post(reverse("followups:remind", args=[form.pk]), {"which": "all"})
    job = Job.objects.get(kind=followup.REMIND_JOB)
    assert response.status_code == 302 and job.status == Job.Status.DONE
    assert job.result == {"sent": 1, "without_email": [], "held_back": 0}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["truong@example.edu.vn"]
    assert small_tree["BS-S2"].console_token in mail.outbox[0].body
    assert ReportReminder.objects.filter(round=form.round, bridge=small_tree["BS-S2"], by=officer).count() == 1
    # Choosing a school of another district reminds nobody; an official may not remind at all.
    client.post(reverse("followups:remind", args=[form.pk]), {"bridge": [small_tree["TN-S1"].pk]})
    assert len(mail.outbox) == 1
    client.force_login(make_user("lanhdao", Role.Kind.OFFICIAL))
    assert client.post(reverse("followups:remind", args=[form.pk]), {"which": "all"}).status_code == 403


@pytest.mark.services
def test_overdue_list_rollup_and_workbook(client, form, small_tree, organizer):
    now = timezone.now()
    submitted(form, small_tree["BS-S1"], students_trained="100", classes_held="2")
    move_deadline(form, now - timedelta(days=1))
    submitted(form, small_tree["BS-S2"], students_trained="40", classes_held="2")  # after the deadline: late
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
    submitted(form, small_tree["BS-S1"], students_trained="75", classes_held="3", teachers_led="2")
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
    stored = stored_answer(form, small_tree["TN-S1"])
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
    made = FollowUpForm.objects.get(pk=opened.json()["id"])
    deadline = made.deadline
    assert opened.json()["round_id"] == made.round_id is not None  # the engine's round it is answered in
    assert timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M") == "30/06/2099 17:00"
    client.force_login(make_user("tn", Role.Kind.DISTRICT_OFFICER, small_tree["TN"]))
    status = client.get(f"/api/attendance/followups/{form.pk}").json()
    assert {k: v for k, v in status["total"].items() if k != "name"} == {"expected": 1, "submitted": 1, "late": 0, "missing": 0,
                               "students": 30, "classes": 1, "teachers": 1}
    assert [s["code"] for s in status["schools"]] == ["TN-S1"]


def test_console_page_lists_the_follow_up_among_the_engines_reports(client, form, small_tree):
    # One console section: the follow-up's round is one of the reports asked of the school, filled there.
    token = small_tree["BS-S1"].console_token
    page = client.get(reverse("console", args=[token]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="followup"' not in html
    assert html.count('id="schoolreports"') == 1 and f'data-round="{form.round_id}"' in html
    assert "Báo cáo sau tập huấn" in html and 'name="hs_duoc_tap_huan"' in html
    # A school not asked (it declined) is not offered it.
    other = client.get(reverse("console", args=[small_tree["TN-S2"].console_token])).content.decode()
    assert f'data-round="{form.round_id}"' not in other


def test_an_answer_from_the_engines_console_section_is_the_follow_ups(client, form, small_tree):
    # The console's reports section submits to the engine's round: the follow-up pages read that answer.
    school = small_tree["BS-S1"]
    response = client.post(f"/api/console/{school.console_token}/school-reports/{form.round_id}/submit",
                           {"values": {"hs_duoc_tap_huan": "30", "so_lop": "1", "gv_huong_dan": "1"},
                            "typed_by": "Cô Hà"}, content_type="application/json")
    assert response.status_code == 201, response.content
    stored = followup.answer_of(form, school)
    assert (stored.students_trained, stored.classes_held, stored.teachers_led, stored.submitted_by) == \
        (30, 1, 1, "Cô Hà")
    assert followup.status(form, None).total.students == 30


def test_closing_the_round_on_the_school_reports_side_closes_the_follow_up(client, english, form, small_tree):
    reports.close_round(form.round)
    form = FollowUpForm.objects.get(pk=form.pk)
    assert form.is_closed
    listed = client.get(f"/api/console/{small_tree['BS-S1'].console_token}/followups").json()
    assert listed[0]["closed"] is True
    refused = answer(client, small_tree["BS-S1"], form)
    assert refused.status_code == 400 and "closed" in refused.content.decode()
    assert not ReportAnswer.objects.exists()


def test_the_rounds_deadline_is_the_one_in_force(client, form, small_tree, organizer):
    # The follow-up's own column keeps the deadline it was opened with; moving the engine round's deadline
    # (its one home) moves the follow-up's overdue list, the console's flag and the page with it.
    ReportRound.objects.filter(pk=form.round_id).update(deadline=timezone.now() - timedelta(hours=1))
    form = FollowUpForm.objects.get(pk=form.pk)
    assert form.deadline > timezone.now() > form.due
    state = followup.status(form, None)
    assert state.overdue and {s.bridge.code for s in state.overdue_list} == {"BS-S1", "BS-S2", "TN-S1"}
    client.force_login(organizer)
    listed = client.get(f"/api/attendance/events/{form.event_id}/followups").json()
    assert [datetime.fromisoformat(item["deadline"]) for item in listed] == [form.due.replace(microsecond=form.due.microsecond // 1000 * 1000)]
    page = client.get(reverse("followups:detail", args=[form.pk]))
    assert page.status_code == 200 and page.context["state"].overdue
