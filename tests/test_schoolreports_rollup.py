"""School reports seen from the province and the districts: the rollup through the API and the page (a district
officer sees only their district, with phones), totals equal to the sum of the school rows, reminders as a job
with a cooldown per school, closing a round."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bridges.models import Bridge, Role
from core.models import AuditEntry, Job
from schoolreports import services
from schoolreports.models import ReportReminder

from .schoolreports_support import GRID, console_draft, console_submit, device_round, grid_values


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def answered(client, small_tree):
    """BS-S1 and TN-S1 answered, BS-S2 has a draft, TN-S2 nothing."""
    round_ = device_round()
    Bridge.objects.filter(code__in=["BS-S2", "TN-S2"]).update(email="truong@example.edu.vn")
    assert console_submit(client, small_tree["BS-S1"], round_,
                          grid_values({("tieu_hoc", "ho_ngheo"): 10, ("thcs", "kho_khan_khac"): 2})).status_code == 201
    assert console_submit(client, small_tree["TN-S1"], round_,
                          grid_values({("tieu_hoc", "ho_ngheo"): 3, ("thpt", "ho_can_ngheo"): 4})).status_code == 201
    assert console_draft(client, small_tree["BS-S2"], round_, {f"{GRID}__thpt__ho_ngheo": "1"}).status_code == 200
    return round_


def test_the_province_sees_every_district_and_totals_that_add_up(client, organizer, answered):
    client.force_login(organizer)
    data = client.get(f"/api/school-reports/rounds/{answered.pk}").json()
    assert [(d["name"], d["expected"], d["submitted"], d["drafts"]) for d in data["districts"]] == \
        [("Huyện BS", 2, 1, 1), ("Huyện TN", 2, 1, 0)]
    keys = [c["key"] for c in data["columns"]]
    poor_primary = keys.index(f"{GRID}__tieu_hoc__ho_ngheo")
    grid_total = keys.index(GRID)
    assert data["total"]["numbers"][poor_primary] == 13 and data["total"]["numbers"][grid_total] == 19
    assert data["total"]["numbers"][keys.index("tong_so_hs")] == 19
    for district in data["districts"]:
        rows = [s for s in data["schools"] if s["district"] == district["name"] and s["status"] == "submitted"]
        assert district["numbers"] == [sum(s["numbers"][i] or 0 for s in rows) for i in range(len(keys))]
    statuses = {s["code"]: s["status"] for s in data["schools"]}
    assert statuses == {"BS-S1": "submitted", "BS-S2": "draft", "TN-S1": "submitted", "TN-S2": "missing"}


def test_a_district_officer_sees_only_their_district(client, make_user, small_tree, answered):
    officer = make_user("canbo_bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
    client.force_login(officer)
    data = client.get(f"/api/school-reports/rounds/{answered.pk}").json()
    assert [d["name"] for d in data["districts"]] == ["Huyện BS"]
    assert {s["code"] for s in data["schools"]} == {"BS-S1", "BS-S2"}
    assert data["total"]["expected"] == 2 and data["total"]["numbers"][0] == 10
    page = client.get(reverse("schoolreports:round", args=[answered.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Huyện BS" in html and "Huyện TN" not in html and "TN-S2" not in html
    assert 'href="tel:0905000000"' in html  # who has not answered, with the phone to call
    # The page re-reads its figures from the API, in the same scope.
    polled = client.get(re.search(r'data-api="([^"]+)"', html).group(1)).json()
    assert [d["name"] for d in polled["districts"]] == ["Huyện BS"]
    # A school outside the officer's district: its answer is not theirs to read.
    other = client.get(f"/api/school-reports/rounds/{answered.pk}/answers/{small_tree['TN-S1'].pk}")
    assert other.status_code == 403
    mine = client.get(f"/api/school-reports/rounds/{answered.pk}/answers/{small_tree['BS-S1'].pk}").json()
    assert mine["submissions"][0]["actor_label"] == "console:BS-S1"


def test_reminders_are_a_job_with_a_cooldown_per_school(client, make_user, small_tree, answered):
    officer = make_user("canbo_tn", Role.Kind.DISTRICT_OFFICER, scope=small_tree["TN"])
    client.force_login(officer)
    started = client.post(f"/api/school-reports/rounds/{answered.pk}/remind", {}, content_type="application/json")
    assert started.status_code == 202, started.content
    job = Job.objects.get(pk=started.json()["id"])
    assert job.status == Job.Status.DONE and job.result["sent"] == 1  # TN-S2 only: TN-S1 answered
    assert [m.to for m in mail.outbox] == [["truong@example.edu.vn"]]
    assert small_tree["TN-S2"].console_token in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="schoolreport.remind").count() == 1
    again = client.post(f"/api/school-reports/rounds/{answered.pk}/remind", {}, content_type="application/json")
    assert again.status_code == 400 and len(mail.outbox) == 1
    assert ReportReminder.objects.filter(round=answered, bridge=small_tree["TN-S2"]).count() == 1
    # The organizer reminds the whole province: TN-S2 is held back by its cooldown, BS-S2 (a draft only) is mailed.
    client.force_login(make_user("sogd", Role.Kind.ORGANIZER))
    client.post(f"/api/school-reports/rounds/{answered.pk}/remind", {}, content_type="application/json")
    assert len(mail.outbox) == 2 and Job.objects.latest("pk").result["held_back"] == 1
    # Officials read but do not remind.
    client.force_login(make_user("lanhdao", Role.Kind.OFFICIAL))
    assert client.post(f"/api/school-reports/rounds/{answered.pk}/remind", {},
                       content_type="application/json").status_code == 403


def test_the_reminder_command_path_and_page_button(client, make_user, small_tree, answered):
    officer = make_user("canbo_bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
    client.force_login(officer)
    response = client.post(reverse("schoolreports:remind", args=[answered.pk]), {"which": "all"})
    assert response.status_code == 302 and "?job=" in response["Location"]
    assert [m.to for m in mail.outbox] == [["truong@example.edu.vn"]]  # BS-S2
    page = client.get(response["Location"])
    assert b"data-job-url" in page.content


def test_closing_a_round_stops_answers(client, organizer, small_tree, answered):
    client.force_login(organizer)
    closed = client.post(f"/api/school-reports/rounds/{answered.pk}/close")
    assert closed.status_code == 200 and closed.json()["closed"] is True
    assert console_submit(client, small_tree["TN-S2"], answered, grid_values()).status_code == 409


def test_publishing_through_the_api_for_one_district(client, organizer, small_tree):
    form = services.copy_template("replication")
    client.force_login(organizer)
    bad = client.post(f"/api/school-reports/forms/{form.pk}/rounds",
                      {"deadline": (timezone.now() - timedelta(days=1)).isoformat(), "audience": "districts",
                       "districts": ["XX"]}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"districts"}
    made = client.post(f"/api/school-reports/forms/{form.pk}/rounds",
                       {"deadline": (timezone.now() + timedelta(days=9)).isoformat(), "audience": "districts",
                        "districts": ["TN"]}, content_type="application/json")
    assert made.status_code == 201, made.content
    round_ = made.json()
    schools = client.get(f"/api/school-reports/rounds/{round_['id']}").json()["schools"]
    assert sorted(s["code"] for s in schools) == ["TN-S1", "TN-S2"]


def test_the_pages_an_organizer_reads(client, organizer, small_tree, answered):
    client.force_login(organizer)
    index = client.get("/school-reports/").content.decode()
    assert answered.title in index and "Học sinh chưa có thiết bị học trực tuyến" in index  # a template to copy
    page = client.get(f"/school-reports/rounds/{answered.pk}/answers/{small_tree['BS-S1'].pk}/").content.decode()
    assert "Cô Lan" in page and "console:BS-S1" in page and "Hộ nghèo" in page
    assert client.get(f"/school-reports/rounds/{answered.pk}/answers/{small_tree['TN-S2'].pk}/").status_code == 404
