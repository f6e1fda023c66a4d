"""School reports from the school's console, through the console API with the console token: a grid
submitted (kept, audited, a resend answered once), refused rules in Vietnamese naming the field, a late
answer marked, a closed round refusing, drafts kept server-side and shown again on the console page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from events.models import Event, Invitation, ReadinessTest
from schoolreports import services
from schoolreports.models import ReportAnswer, ReportSubmission

from .schoolreports_support import GRID, console_draft, console_submit, device_round, grid_values


@pytest.fixture
def round_(small_tree):
    return device_round()


def test_console_lists_the_round_and_submits_a_grid(client, small_tree, round_):
    school = small_tree["BS-S1"]
    listed = client.get(reverse("api:console_school_reports", kwargs={"token": school.console_token}))
    assert listed.status_code == 200
    (item,) = listed.json()
    assert (item["id"], item["status"], item["overdue"]) == (round_.pk, "new", False)
    grid = item["definition"]["sections"][0]["fields"][0]
    assert (grid["type"], len(grid["rows"]), len(grid["columns"])) == ("grid", 4, 4)

    values = grid_values({("tieu_hoc", "ho_ngheo"): 12, ("thcs", "ho_can_ngheo"): 5, ("thpt", "mo_coi_covid"): 1})
    values["danh_sach_uu_tien"] = "Nguyễn Văn A, lớp 3A, hộ nghèo"
    sent = console_submit(client, school, round_, values, nonce="nonce-aaaa-0001")
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["late"] is False and body["values"][f"{GRID}__tieu_hoc__ho_ngheo"] == 12
    assert body["values"]["tong_so_hs"] == 18
    answer = ReportAnswer.objects.get(round=round_, bridge=school)
    assert answer.submitted and answer.typed_by == "Cô Lan"
    entry = AuditEntry.objects.get(action="schoolreport.submit")
    assert (entry.actor_label, entry.target_id, entry.details["values"]["tong_so_hs"]) == \
        ("console:BS-S1", str(answer.pk), 18)

    # The offline queue resends after a lost answer: the same nonce gets the first answer, no second submission.
    again = console_submit(client, school, round_, values, nonce="nonce-aaaa-0001")
    assert again.status_code == 201 and again.json()["answer_id"] == body["answer_id"]
    assert ReportSubmission.objects.filter(answer=answer).count() == 1

    values[f"{GRID}__tieu_hoc__ho_ngheo"] = "13"
    values["tong_so_hs"] = "19"
    corrected = console_submit(client, school, round_, values, typed_by="Thầy Nam", nonce="nonce-aaaa-0002")
    assert corrected.status_code == 200 and corrected.json()["values"]["tong_so_hs"] == 19
    kept = list(ReportSubmission.objects.filter(answer=answer).order_by("at", "id"))
    assert [(s.typed_by, s.values["tong_so_hs"], s.actor_label) for s in kept] == \
        [("Cô Lan", 18, "console:BS-S1"), ("Thầy Nam", 19, "console:BS-S1")]
    assert AuditEntry.objects.filter(action="schoolreport.correct", target_id=str(answer.pk)).count() == 1


def test_a_total_that_does_not_match_is_refused_in_vietnamese_naming_the_field(client, small_tree, round_):
    school = small_tree["BS-S2"]
    values = grid_values({("tieu_hoc", "ho_ngheo"): 4})
    values["tong_so_hs"] = "5"
    values[f"{GRID}__thcs__ho_ngheo"] = "-2"
    refused = console_submit(client, school, round_, values)
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "answer_refused"
    (negative,) = body["fields"][f"{GRID}__thcs__ho_ngheo"]
    assert "âm" in negative and "Hộ nghèo" in negative and "THCS" in negative, negative
    values[f"{GRID}__thcs__ho_ngheo"] = "0"
    refused = console_submit(client, school, round_, values).json()
    (reason,) = refused["fields"]["so_hs_khong_thiet_bi"]
    assert "4" in reason and "5" in reason and "phải bằng nhau" in reason, reason
    # The grid is required: empty cells are named once, for the grid, with how many.
    del values[f"{GRID}__thpt__ho_ngheo"], values[f"{GRID}__thpt__ho_can_ngheo"]
    (empty,) = console_submit(client, school, round_, values).json()["fields"]["so_hs_khong_thiet_bi"]
    assert "2 ô" in empty and "0" in empty, empty
    assert not ReportSubmission.objects.exists() and not AuditEntry.objects.filter(action__startswith="schoolreport.s")


def test_a_number_above_the_roster_and_a_missing_answer_are_refused(client, small_tree):
    form = services.copy_template("online_readiness")
    round_ = services.publish_round(form, deadline=timezone.now() + timedelta(days=3))
    school = small_tree["TN-S1"]  # three teachers on its roster
    values = {"duong_truyen": "VNPT cáp quang 100 Mbit/s", "tong_gv": "3", "gv_co_tai_khoan": "4",
              "hs_co_tai_khoan": "1.200", "nen_tang": ["k12online"], "gv_da_tap_huan": ""}
    body = console_submit(client, school, round_, values).json()
    assert "danh sách" in body["fields"]["gv_co_tai_khoan"][0] and "3" in body["fields"]["gv_co_tai_khoan"][0]
    assert "bắt buộc" in body["fields"]["gv_da_tap_huan"][0] or "nhập" in body["fields"]["gv_da_tap_huan"][0]
    values.update(gv_co_tai_khoan="3", gv_da_tap_huan="2")
    ok = console_submit(client, school, round_, values)
    assert ok.status_code == 201, ok.content
    assert ok.json()["values"]["hs_co_tai_khoan"] == 1200  # "1.200" as Vietnamese offices write a thousand


def test_a_late_answer_is_accepted_and_marked_late_a_closed_round_refuses(client, small_tree, round_):
    round_.deadline = timezone.now() - timedelta(hours=2)
    round_.opens_at = timezone.now() - timedelta(days=3)
    round_.save()
    school = small_tree["TN-S2"]
    listed = client.get(reverse("api:console_school_reports", kwargs={"token": school.console_token})).json()
    assert listed[0]["overdue"] is True
    sent = console_submit(client, school, round_, grid_values())
    assert sent.status_code == 201
    assert sent.json()["late"] is True and "trễ" in sent.json()["message"]
    assert ReportAnswer.objects.get(round=round_, bridge=school).late
    services.close_round(round_)
    closed = console_submit(client, small_tree["TN-S1"], round_, grid_values())
    assert closed.status_code == 409 and "đóng" in closed.json()["detail"]
    assert client.get(reverse("api:console_school_reports",
                              kwargs={"token": small_tree["TN-S1"].console_token})).json() == []
    assert not ReportAnswer.objects.filter(round=round_, bridge=small_tree["TN-S1"]).exists()


def test_a_draft_is_kept_on_the_server_and_shown_again_on_the_console_page(client, small_tree, round_):
    school = small_tree["BS-S1"]
    saved = console_draft(client, school, round_, {f"{GRID}__thpt__ho_ngheo": "7", "tong_so_hs": "abc"})
    assert saved.status_code == 200, saved.content  # a draft is kept as typed, not checked
    listed = client.get(reverse("api:console_school_reports", kwargs={"token": school.console_token})).json()
    assert listed[0]["status"] == "draft" and listed[0]["values"]["tong_so_hs"] == "abc"
    page = client.get(reverse("console", args=[school.console_token]))
    html = page.content.decode()
    assert 'id="schoolreports"' in html and f'name="{GRID}__thpt__ho_ngheo"' in html
    assert 'value="7"' in html and 'value="abc"' in html
    assert "console_reports.js" in html
    # A school not asked (a district hall) sees no such section, and cannot save a draft.
    district = small_tree["BS"]
    assert 'id="schoolreports"' not in client.get(reverse("console", args=[district.console_token])).content.decode()
    assert console_draft(client, district, round_, {}).status_code == 404


def test_the_readiness_review_is_prefilled_from_the_readiness_test(client, small_tree):
    school = small_tree["BS-S2"]
    school.internet_line = "Viettel FTTH 150 Mbps"
    school.save()
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.PUBLISHED,
                                 starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2))
    invitation = Invitation.objects.create(event=event, bridge=school)
    ReadinessTest.objects.create(invitation=invitation, download_mbps=23.46, camera_ok=True, ok=True)
    form = services.copy_template("online_readiness")
    services.publish_round(form, deadline=now + timedelta(days=3), audience="list", bridges=[school])
    (item,) = client.get(reverse("api:console_school_reports", kwargs={"token": school.console_token})).json()
    assert item["values"] == {"duong_truyen": "Viettel FTTH 150 Mbps", "toc_do_tai": "23.5", "kiem_tra_dat": "yes",
                              "co_camera": "yes", "tong_gv": "3"}
    # Only the listed bridge is asked.
    assert client.get(reverse("api:console_school_reports",
                              kwargs={"token": small_tree["BS-S1"].console_token})).json() == []
