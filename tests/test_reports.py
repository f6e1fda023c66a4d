"""Attendance reports: the workbook (checked against the database), CSV, scope and filters, the reports
page, background exports, the API and the export_attendance command."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from attendance.models import BridgeCheckIn, CheckIn
from bridges.models import Bridge, Person, Role
from core.models import AuditEntry, Job
from events.models import Event, Invitation
from reports import data, export
from reports.filters import resolve
from reports.sheets import summary_table
from reports.workbook import FIRST_DATA_ROW, HEADER_ROW
from training.eligibility import evaluate
from training.models import Certificate

from .report_data import FORMULA_NAME, PRESENT, make_attended_event

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def facts(small_tree):
    return make_attended_event(small_tree)


def workbook_of(content: bytes):
    return load_workbook(io.BytesIO(content))


def table(ws) -> tuple[list[str], list[tuple], tuple | None]:
    """(headers, data rows, total row) of a report sheet; the total row is the bold one after the data."""
    headers = [c.value for c in ws[HEADER_ROW]]
    rows, total = [], None
    for cells in ws.iter_rows(min_row=FIRST_DATA_ROW):
        values = tuple(c.value for c in cells)
        if all(v is None for v in values):
            break
        if cells[0].value is None and cells[1].font.bold:
            total = values
            break
        rows.append(values)
    return headers, rows, total


def column(headers: list[str], name: str) -> int:
    return headers.index(name)


def export_bytes(event, user, **kwargs) -> bytes:
    buffer = io.BytesIO()
    export.write(event, resolve(event, user, **{k: v for k, v in kwargs.items() if k != "fmt" and k != "sheet"}),
                 buffer, fmt=kwargs.get("fmt", "xlsx"), sheet=kwargs.get("sheet"), language="en")
    return buffer.getvalue()


def sheet_text(ws) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def all_text(wb) -> str:
    return "\n".join(sheet_text(ws) for ws in wb.worksheets)


@pytest.mark.services
def test_workbook_totals_match_the_database(facts, organizer):
    event = facts["event"]
    rc1, rc2, _rc3 = facts["roll_calls"]
    wb = workbook_of(export_bytes(event, organizer))
    assert len(wb.worksheets) == 4  # the signed report, then the three annexes
    _cover, summary, bridges, teachers = wb.worksheets

    headers, rows, total = table(summary)
    assert [r[1] for r in rows] == ["Trung tâm IOC", "Huyện BS", "Huyện TN"]  # host first, then districts
    invited = Invitation.objects.filter(event=event).count() + 1  # + the host, which takes part uninvited
    assert total[column(headers, "Bridges invited")] == invited
    assert total[column(headers, "Bridges checked in")] == BridgeCheckIn.objects.filter(event=event).count()
    assert total[column(headers, "Present: Lần 1")] == CheckIn.objects.filter(roll_call=rc1).count() == len(PRESENT[1])
    assert total[column(headers, "Present: Lần 2")] == CheckIn.objects.filter(roll_call=rc2).count() == len(PRESENT[2])
    assert total[column(headers, "Present: Lần 3")] is None  # not held yet
    assert total[column(headers, "Completed")] == evaluate(event).eligible_count == 6
    assert total[column(headers, "Certificates issued")] == Certificate.objects.filter(event=event).count() == 3
    assert total[column(headers, "Teachers expected")] == 12
    # confirmed, tested OK and failed-test (still confirmed) invitations + host: events.participation
    assert total[column(headers, "Bridges confirmed")] == 6
    assert total[column(headers, "Bridges tested OK")] == 2
    # Totals are the sums of the district rows.
    for name in ("Bridges invited", "Present: Lần 1", "Completed", "Certificates issued", "Teachers expected"):
        assert sum(r[column(headers, name)] for r in rows) == total[column(headers, name)]
    bs = next(r for r in rows if r[1] == "Huyện BS")
    assert bs[column(headers, "Present: Lần 1")] == 5 and bs[column(headers, "Present: Lần 2")] == 4
    assert bs[column(headers, "Attendance rate")] == pytest.approx((5 + 4) / (6 * 2))
    assert bs[column(headers, "Checked in (%)")] == pytest.approx(2 / 3)

    # Formats: frozen header, autofilter, percentages, dates; the chart of attendance rate per district.
    assert summary.freeze_panes == f"C{FIRST_DATA_ROW}"
    assert summary.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
    rate_cell = summary.cell(row=FIRST_DATA_ROW + 1, column=column(headers, "Attendance rate") + 1)
    assert rate_cell.number_format == "0.0%"
    assert len(summary._charts) == 1

    b_headers, b_rows, b_total = table(bridges)
    assert len(b_rows) == invited
    s1 = next(r for r in b_rows if r[1] == "BS-S1")
    assert s1[column(b_headers, "People present (headcount)")] == 3
    assert s1[column(b_headers, "Minutes connected")] == 90
    assert s1[column(b_headers, "Readiness test")] == "passed"
    assert next(r for r in b_rows if r[1] == "TN-S1")[column(b_headers, "Readiness test")] == "failed: slow connection"
    assert bridges.cell(row=FIRST_DATA_ROW + 1, column=column(b_headers, "Checked in at") + 1).number_format == \
        "dd/mm/yyyy hh:mm"

    t_headers, t_rows, _none = table(teachers)
    assert len(t_rows) == Person.objects.count() == 12
    assert teachers.freeze_panes == f"D{FIRST_DATA_ROW}"
    first = next(r for r in t_rows if r[1] == "0BS10")  # identifiers stay text: the leading zero is kept
    assert first[column(t_headers, "Times present")] == 2
    assert first[column(t_headers, "Completed")] == "yes"
    assert first[column(t_headers, "Certificate number")] == "1/GCN"
    # A roll call's cell is the check-in's local wall-clock time, shown as hh:mm.
    checked_in = CheckIn.objects.get(roll_call=rc1, person__teacher_id="0BS10").at
    assert first[column(t_headers, "Lần 1")] == timezone.localtime(checked_in).replace(tzinfo=None, microsecond=0)
    row_index = t_rows.index(first)
    assert teachers.cell(row=FIRST_DATA_ROW + row_index, column=column(t_headers, "Lần 1") + 1).number_format == "hh:mm"
    absent = next(r for r in t_rows if r[1] == "0TN20")
    assert absent[column(t_headers, "Lần 1")] == "absent" and absent[column(t_headers, "Present (%)")] == 0


@pytest.mark.services
def test_district_officer_export_contains_only_their_district(client, facts, small_tree, make_user):
    officer = make_user("binhson", Role.Kind.DISTRICT_OFFICER, small_tree["BS"])
    client.force_login(officer)
    event = facts["event"]
    response = client.post(reverse("reports:export", args=[event.pk]), {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    wb = workbook_of(response.content)
    text = all_text(wb)
    assert "Huyện BS" in text and "Trường BS 1" in text
    for other in ("TN-S1", "Trường TN", "Huyện TN", "0TN10", "Trung tâm IOC"):
        assert other not in text
    _headers, rows, total = table(wb.worksheets[1])
    assert [r[1] for r in rows] == ["Huyện BS"]
    # The workbook is a Vietnamese document whatever the screen language: find the column by its key.
    keys = [c.key for c in summary_table(data.build(event, resolve(event, officer))).columns]
    assert total[keys.index(f"rc{facts['roll_calls'][0].pk}")] == 5
    assert len(table(wb.worksheets[3])[1]) == 6

    # Another district, by filter, is refused; the CSV follows the same scope.
    refused = client.post(reverse("reports:export", args=[event.pk]), {"format": "xlsx", "district": "TN"})
    assert refused.status_code == 403
    teachers_csv = client.post(reverse("reports:export", args=[event.pk]),
                               {"format": "csv", "sheet": "teachers"}).content.decode("utf-8-sig")
    assert "0BS10" in teachers_csv and "0TN10" not in teachers_csv
    assert AuditEntry.objects.filter(action="attendance.report_export", actor=officer).count() == 2


def test_formula_and_illegal_characters_are_neutralised(facts, organizer):
    person = facts["people"]["0BS10"]
    Person.objects.filter(pk=person.pk).update(full_name=FORMULA_NAME, subject="Toán\x07\x1b học")
    Bridge.objects.filter(code="BS-S1").update(name="@SUM(1+1) Trường")
    event = facts["event"]
    wb = workbook_of(export_bytes(event, organizer))
    headers, rows, _total = table(wb.worksheets[3])
    index = next(i for i, r in enumerate(rows) if r[1] == "0BS10")
    name_cell = wb.worksheets[3].cell(row=FIRST_DATA_ROW + index, column=column(headers, "Full name") + 1)
    assert name_cell.value == FORMULA_NAME
    assert name_cell.data_type == "s"  # text, not a formula
    assert name_cell.quotePrefix
    assert rows[index][column(headers, "Subject / role")] == "Toán học"
    assert "@SUM(1+1) Trường" in all_text(wb)

    teachers_csv = export_bytes(event, organizer, fmt="csv", sheet="teachers").decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(teachers_csv)) if len(r) > 1 and r[1] == "0BS10")
    assert row[2] == "'" + FORMULA_NAME
    assert row[5] == "'@SUM(1+1) Trường"


def test_csv_is_utf8_with_bom_and_opens_in_excel(facts, organizer):
    content = export_bytes(facts["event"], organizer, fmt="csv", sheet="summary")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["No.", "District / intermediate bridge"]
    assert rows[-1][1] == "Total"
    headers = rows[0]
    assert rows[-1][headers.index("Present: Lần 1")] == "8"
    assert rows[-1][headers.index("Checked in (%)")] == f"{300 / 7:.1f}"  # 3 of 7 bridges, as a percentage


def test_empty_event_gives_a_workbook_that_says_so(small_tree, organizer, tmp_path):
    event = Event.objects.create(title="Chưa mời ai", host=small_tree["host"], starts_at=small_tree["host"].created_at,
                                 ends_at=small_tree["host"].created_at)
    out = tmp_path / "empty.xlsx"
    call_command("export_attendance", str(event.pk), "--out", str(out), "--language", "en", stdout=io.StringIO())
    wb = load_workbook(out)
    assert [table(ws)[1] for ws in wb.worksheets[1:]] == [[], [], []]
    assert "nothing to report" in sheet_text(wb.worksheets[0])
    assert "nothing to report" in wb.worksheets[1].cell(row=HEADER_ROW - 1, column=1).value
    assert "nothing to report" in wb.worksheets[3].cell(row=HEADER_ROW - 1, column=1).value


def test_unknown_event_district_or_roll_call_is_a_clear_error(client, english, facts, organizer, tmp_path):
    event = facts["event"]
    out = str(tmp_path / "x.xlsx")
    with translation.override("en"):
        with pytest.raises(CommandError, match="no event number 999999"):
            call_command("export_attendance", "999999", "--out", out)
        with pytest.raises(CommandError, match="no bridge with the code “XYZ”"):
            call_command("export_attendance", str(event.pk), "--out", out, "--district", "XYZ")
        with pytest.raises(CommandError, match="choose xlsx or csv"):
            call_command("export_attendance", str(event.pk), "--out", str(tmp_path / "x.pdf"))
    client.force_login(organizer)
    page = client.get(reverse("reports:reports", args=[event.pk]), {"district": "XYZ"})
    assert page.status_code == 400
    assert "There is no bridge with the code “XYZ”." in page.content.decode()
    response = client.get(f"/api/attendance/events/{event.pk}/report", {"roll_calls": [424242]})
    assert response.status_code == 400 and "424242" in response.json()["detail"]
    assert client.get(reverse("reports:reports", args=[999999])).status_code == 404


def test_filters_by_tier_and_roll_call(facts, organizer):
    event = facts["event"]
    rc1 = facts["roll_calls"][0]
    wb = workbook_of(export_bytes(event, organizer, tier="school", roll_calls=[rc1.pk]))
    headers, rows, total = table(wb.worksheets[1])
    assert "Present: Lần 2" not in headers and "Present: Lần 1" in headers
    assert total[column(headers, "Bridges invited")] == 4  # the four schools only
    b_headers, b_rows, _t = table(wb.worksheets[2])
    assert {r[column(b_headers, "Tier")] for r in b_rows} == {"Trường"}
    t_headers, _rows, _t = table(wb.worksheets[3])
    assert "Lần 1" in t_headers and "Lần 2" not in t_headers


def test_command_writes_a_district_workbook(facts, tmp_path):
    out = tmp_path / "bs.xlsx"
    stdout = io.StringIO()
    call_command("export_attendance", str(facts["event"].pk), "--out", str(out), "--district", "BS",
                 "--language", "en", stdout=stdout)
    assert "6 teachers" in stdout.getvalue()
    wb = load_workbook(out)
    assert [r[1] for r in table(wb.worksheets[1])[1]] == ["Huyện BS"]
    csv_out = tmp_path / "teachers.csv"
    call_command("export_attendance", str(facts["event"].pk), "--out", str(csv_out), "--sheet", "teachers",
                 stdout=io.StringIO())
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert AuditEntry.objects.filter(action="attendance.report_export", actor_label="system").count() == 2


def test_reports_page_shows_the_workbook_numbers(client, facts, small_tree, make_user):
    official = make_user("lanhdao", Role.Kind.OFFICIAL)
    client.force_login(official)
    event = facts["event"]
    page = client.get(reverse("reports:reports", args=[event.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Huyện BS" in html and "Huyện TN" in html and "Trường BS 1" in html
    assert 'class="bar rate" data-width="75.0"' in html  # BS: (5 + 4) / (6 × 2)
    assert page.context["total_row"]["invited"] == 7
    assert reverse("reports:export", args=[event.pk]) in html
    # The event tabs and the board link lead here.
    assert reverse("reports:reports", args=[event.pk]) in client.get(
        reverse("attendance:board", args=[event.pk])).content.decode()


@pytest.mark.services
def test_large_export_runs_in_the_background_with_a_download_link(client, facts, organizer, small_tree,
                                                                   make_user, monkeypatch):
    monkeypatch.setattr(export, "DIRECT_LIMIT", 5)
    client.force_login(organizer)
    event = facts["event"]
    response = client.post(reverse("reports:export", args=[event.pk]), {"format": "xlsx"})
    assert response.status_code == 302 and "job=" in response["Location"]
    job = Job.objects.get(kind=export.EXPORT_JOB)
    assert job.status == Job.Status.DONE, job.message
    assert job.done == job.total == 12 and job.result["rows"] > 0
    page = client.get(response["Location"])
    assert job.download_url and job.download_url in page.content.decode()
    download = client.get(job.download_url)
    assert download.status_code == 200
    wb = workbook_of(b"".join(download.streaming_content))
    assert len(table(wb.worksheets[3])[1]) == 12
    # Someone else's export is not theirs to download.
    client.force_login(make_user("binhson", Role.Kind.DISTRICT_OFFICER, small_tree["BS"]))
    assert client.get(job.download_url).status_code == 404


def test_api_report_and_export_job(client, facts, small_tree, make_user):
    event = facts["event"]
    officer = make_user("binhson", Role.Kind.DISTRICT_OFFICER, small_tree["BS"])
    client.force_login(officer)
    body = client.get(f"/api/attendance/events/{event.pk}/report").json()
    assert [g["name"] for g in body["groups"]] == ["Huyện BS"]
    rc1 = facts["roll_calls"][0]
    assert body["total"]["present"][str(rc1.pk)] == 5 and body["total"]["completed"] == 4
    started = client.post(f"/api/attendance/events/{event.pk}/exports",
                          {"format": "csv", "sheet": "bridges"}, content_type="application/json")
    assert started.status_code == 202 and started.json()["status"] == "done"
    job = Job.objects.get(pk=started.json()["id"])
    with job.result_file.open("rb") as fh:
        text = fh.read().decode("utf-8-sig")
    assert "BS-S1" in text and "TN-S1" not in text
    bad = client.post(f"/api/attendance/events/{event.pk}/exports", {"format": "pdf"}, content_type="application/json")
    assert bad.status_code == 400
    assert client.post(f"/api/attendance/events/{event.pk}/exports", {"district": "TN"},
                       content_type="application/json").status_code == 403


def test_reports_index_and_scoped_page_for_a_district_officer(client, facts, small_tree, make_user):
    client.force_login(make_user("binhson", Role.Kind.DISTRICT_OFFICER, small_tree["BS"]))
    event = facts["event"]
    index = client.get(reverse("reports:index"))
    assert index.status_code == 200 and reverse("reports:reports", args=[event.pk]) in index.content.decode()
    page = client.get(reverse("reports:reports", args=[event.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Trường BS 2" in html
    assert "Huyện TN" not in html and "Trường TN" not in html
    assert client.get(reverse("reports:reports", args=[event.pk]), {"district": "TN"}).status_code == 403
