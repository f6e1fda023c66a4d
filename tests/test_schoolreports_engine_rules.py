"""What the report engine needs to carry the follow-up form: an attachment field (uploaded from the console,
judged by core.attachments, kept with the submission, downloaded only within scope, an XLSForm `file`), a
number that may not exceed another field of the same answer (refused in Vietnamese naming both), and the
invitees of an event as who must answer. Through the designer page, the API and the console API."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pyxform.builder import create_survey_element_from_dict
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from bridges.models import Role
from core.models import AuditEntry
from events.models import Invitation
from schoolreports import definition as d
from schoolreports import services, xlsform
from schoolreports.models import ReportAnswer, ReportAttachment, ReportForm, ReportRound

from .report_data import make_attended_event
from .schoolreports_support import console_submit

DEFINITION = {"sections": [{"key": "ket_qua", "title": "Kết quả nhân rộng", "fields": [
    {"key": "gv_tap_huan", "type": "integer", "label": "Giáo viên được tập huấn", "required": True},
    {"key": "gv_huong_dan", "type": "integer", "label": "Giáo viên trực tiếp hướng dẫn", "required": True,
     "max_field": "gv_tap_huan"},
    {"key": "bien_ban", "type": "file", "label": "Biên bản triển khai", "required": True},
]}]}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def api_form(client, definition=DEFINITION):
    made = client.post("/api/school-reports/forms", json.dumps({"title": "Kết quả nhân rộng", "definition": definition}),
                       content_type="application/json")
    assert made.status_code == 201, made.content
    return ReportForm.objects.get(pk=made.json()["id"])


def publish(client, form, **audience):
    deadline = (timezone.now() + timedelta(days=5)).isoformat()
    sent = client.post(f"/api/school-reports/forms/{form.pk}/rounds",
                       json.dumps({"deadline": deadline, **audience}), content_type="application/json")
    return sent


def upload(client, bridge, round_, key, name="bien-ban.pdf", data=b"%PDF-1.4 bien ban"):
    url = reverse("api:console_school_report_file",
                  kwargs={"token": bridge.console_token, "round_id": round_.pk, "field_key": key})
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def event(small_tree):
    event = make_attended_event(small_tree)["event"]
    # TN-S2 declined: no longer among the invitees.
    Invitation.objects.filter(event=event, bridge=small_tree["TN-S2"]).update(status="declined")
    return event


def test_invitees_of_an_event_answer_through_the_api(client, small_tree, organizer, event):
    client.force_login(organizer)
    form = api_form(client)
    refused = publish(client, form, audience="invitees")
    assert refused.status_code == 400 and "event" in refused.json()["fields"]
    sent = publish(client, form, audience="invitees", event=event.pk)
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert (body["audience"], body["audience_event_id"]) == ("invitees", event.pk)
    assert event.title in body["audience_text"]
    round_ = ReportRound.objects.get(pk=body["id"])
    asked = set(services.expected_bridges(round_).values_list("code", flat=True))
    expected = set(Invitation.objects.filter(event=event, bridge__tier__role="school").exclude(status="declined")
                   .values_list("bridge__code", flat=True))
    # The schools invited that did not decline (the invited districts are no school: not asked).
    assert asked == expected == {"BS-S1", "BS-S2", "TN-S1"}
    listed = client.get(reverse("api:console_school_reports", kwargs={"token": small_tree["BS-S1"].console_token}))
    assert [r["id"] for r in listed.json()] == [round_.pk]
    declined = client.get(reverse("api:console_school_reports",
                                  kwargs={"token": small_tree["TN-S2"].console_token}))
    assert declined.json() == []
    assert console_submit(client, small_tree["TN-S2"], round_, {"gv_tap_huan": "1"}).status_code == 404
    unknown = publish(client, form, audience="invitees", event=987654)
    assert unknown.status_code == 400 and "event" in unknown.json()["fields"]


def test_invitees_from_the_designer_page(client, small_tree, organizer, event):
    client.force_login(organizer)
    form = api_form(client)
    page = client.get(reverse("schoolreports:form", args=[form.pk]))
    assert f'<option value="{event.pk}"' in page.content.decode() and 'value="invitees"' in page.content.decode()
    deadline = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    sent = client.post(reverse("schoolreports:publish", args=[form.pk]),
                       {"audience": "invitees", "event": str(event.pk), "deadline": deadline, "title": "Đợt 1"})
    assert sent.status_code == 302, sent.content.decode()[:2000]
    round_ = ReportRound.objects.get(form=form)
    assert round_.audience_event_id == event.pk
    assert services.is_asked(round_, small_tree["BS-S2"]) and not services.is_asked(round_, small_tree["TN-S2"])
    assert not services.is_asked(round_, small_tree["BS"])


def test_a_number_may_not_exceed_another_field(client, small_tree, organizer):
    client.force_login(organizer)
    form = api_form(client)
    stored = d.field_map(form.latest_version().definition)["gv_huong_dan"]
    assert stored["max_field"] == "gv_tap_huan"
    # The rule names a number field of the form, or the form is refused there.
    bad = {"sections": [{"key": "a", "title": "A", "fields": [
        {"key": "so", "type": "integer", "label": "Số", "max_field": "ten"},
        {"key": "ten", "type": "text", "label": "Tên"}]}]}
    refused = client.put(f"/api/school-reports/forms/{form.pk}", json.dumps({"title": "X", "definition": bad}),
                         content_type="application/json")
    assert refused.status_code == 400 and "sections.0.fields.0.max_field" in refused.json()["fields"]

    round_ = ReportRound.objects.get(pk=publish(client, form).json()["id"])
    school = small_tree["BS-S1"]
    file_id = upload(client, school, round_, "bien_ban").json()["id"]
    client.logout()
    over = console_submit(client, school, round_, {"gv_tap_huan": "3", "gv_huong_dan": "5", "bien_ban": file_id})
    assert over.status_code == 400
    reason = over.json()["fields"]["gv_huong_dan"][0]
    # Vietnamese (the console's default language), naming both fields and both numbers.
    assert "Giáo viên trực tiếp hướng dẫn" in reason and "“Giáo viên được tập huấn”" in reason
    assert "5" in reason and "3" in reason and "không được vượt quá" in reason
    ok = console_submit(client, school, round_, {"gv_tap_huan": "3", "gv_huong_dan": "3", "bien_ban": file_id})
    assert ok.status_code == 201, ok.content


def test_max_field_from_the_designer_page(client, small_tree, organizer):
    client.force_login(organizer)
    form = api_form(client)
    page = client.get(reverse("schoolreports:form", args=[form.pk]))
    assert 'name="max_field"' in page.content.decode()
    posted = client.post(reverse("schoolreports:form", args=[form.pk]), {
        "action": "field", "section": "ket_qua", "label": "Lớp có giáo viên hướng dẫn", "key": "lop_huong_dan",
        "type": "integer", "max_field": "gv_tap_huan"})
    assert posted.status_code == 302
    assert d.field_map(form.latest_version().definition)["lop_huong_dan"]["max_field"] == "gv_tap_huan"


def test_an_attachment_from_the_console_kept_and_downloaded_within_scope(client, small_tree, organizer, make_user):
    client.force_login(organizer)
    form = api_form(client)
    round_ = ReportRound.objects.get(pk=publish(client, form).json()["id"])
    client.logout()
    school, other = small_tree["BS-S1"], small_tree["TN-S1"]

    wrong = upload(client, school, round_, "bien_ban", name="virus.exe", data=b"MZ")
    assert wrong.status_code == 400 and "Biên bản triển khai" in wrong.json()["fields"]["bien_ban"][0]
    assert upload(client, school, round_, "gv_tap_huan").status_code == 404  # no attachment field
    missing = console_submit(client, school, round_, {"gv_tap_huan": "4", "gv_huong_dan": "2"})
    assert missing.status_code == 400 and "bien_ban" in missing.json()["fields"]

    sent = upload(client, school, round_, "bien_ban")
    assert sent.status_code == 200, sent.content
    file_id = sent.json()["id"]
    # Another school's file is not this school's attachment.
    other_id = upload(client, other, round_, "bien_ban").json()["id"]
    stolen = console_submit(client, school, round_, {"gv_tap_huan": "4", "gv_huong_dan": "2", "bien_ban": other_id})
    assert stolen.status_code == 400 and "bien_ban" in stolen.json()["fields"]

    ok = console_submit(client, school, round_, {"gv_tap_huan": "4", "gv_huong_dan": "2", "bien_ban": file_id})
    assert ok.status_code == 201 and ok.json()["values"]["bien_ban"] == file_id
    answer = ReportAnswer.objects.get(round=round_, bridge=school)
    assert answer.submissions.get().values["bien_ban"] == file_id
    assert AuditEntry.objects.filter(action="schoolreport.attach", target_id=str(file_id)).exists()
    # The console shows the attached file's name again.
    page = client.get(reverse("console", args=[school.console_token]))
    assert "bien-ban.pdf" in page.content.decode()

    item = ReportAttachment.objects.get(pk=file_id)
    client.force_login(make_user("tn", Role.Kind.DISTRICT_OFFICER, small_tree["TN"]))
    assert client.get(f"/api/school-reports/attachments/{file_id}").status_code == 404
    assert client.get(reverse("schoolreports:attachment", args=[file_id])).status_code == 404
    client.force_login(make_user("bs", Role.Kind.DISTRICT_OFFICER, small_tree["BS"]))
    got = client.get(f"/api/school-reports/attachments/{file_id}")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 bien ban"
    assert "bien-ban.pdf" in got["Content-Disposition"]
    page = client.get(reverse("schoolreports:attachment", args=[file_id]))
    assert page.status_code == 200 and b"".join(page.streaming_content) == b"%PDF-1.4 bien ban"
    detail = client.get(f"/api/school-reports/rounds/{round_.pk}/answers/{school.pk}").json()
    assert [(a["id"], a["name"], a["field"]) for a in detail["attachments"]] == [(item.pk, "bien-ban.pdf", "bien_ban")]
    shown = client.get(reverse("schoolreports:answer", args=[round_.pk, school.pk])).content.decode()
    assert reverse("schoolreports:attachment", args=[file_id]) in shown


def test_xlsform_carries_the_attachment_and_the_field_ceiling(db):
    data = xlsform.write("Kết quả nhân rộng", d.clean_definition(DEFINITION))
    # The real consumer: pyxform builds an XForm in which the attachment is an upload (binary) question.
    book = get_xlsform(io.BytesIO(data), file_type=".xlsx")
    xml = create_survey_element_from_dict(workbook_to_json(book, form_name="data", warnings=[])).to_xml()
    assert '<bind nodeset="/data/ket_qua/bien_ban" type="binary" required="true()"/>' in xml
    assert '<upload ref="/data/ket_qua/bien_ban"' in xml
    assert 'constraint=". &lt;=  /data/ket_qua/gv_tap_huan "' in xml
    back = xlsform.read(data)
    fields = d.field_map(back.definition)
    assert fields["bien_ban"]["type"] == d.FILE and fields["bien_ban"]["required"] is True
    assert fields["gv_huong_dan"]["max_field"] == "gv_tap_huan"


def test_the_replication_template_carries_the_follow_up_form(client, small_tree, event):
    """Today's follow-up form (students trained, classes held, teachers who led, the school's students as the
    ceiling of the students trained, notes, an attachment) as the shipped template, asked of the invitees."""
    form = services.copy_template("replication")
    fields = d.field_map(form.latest_version().definition)
    assert fields["hs_duoc_tap_huan"]["max_field"] == "so_hs_truong" and fields["tai_lieu"]["type"] == d.FILE
    round_ = services.publish_round(form, deadline=timezone.now() + timedelta(days=3), audience="invitees",
                                    event=event)
    school = small_tree["BS-S2"]
    values = {"hs_duoc_tap_huan": "130", "so_lop": "4", "gv_huong_dan": "2", "so_hs_truong": "120"}
    over = console_submit(client, school, round_, values)
    assert over.status_code == 400 and "“Số học sinh của trường” (120)" in over.json()["fields"]["hs_duoc_tap_huan"][0]
    file_id = upload(client, school, round_, "tai_lieu", name="anh-lop.jpg", data=b"\xff\xd8jpeg").json()["id"]
    ok = console_submit(client, school, round_, {**values, "hs_duoc_tap_huan": "120", "tai_lieu": file_id})
    assert ok.status_code == 201, ok.content
    assert ok.json()["values"] == {"hs_duoc_tap_huan": 120, "so_lop": 4, "gv_huong_dan": 2, "so_hs_truong": 120,
                                   "tai_lieu": file_id}


def test_a_number_may_not_be_zero_when_another_is_above_zero(client, small_tree, organizer, event):
    """`positive_when` (classes held, so some students trained): the replication template carries it for the
    follow-up; the console is refused in Vietnamese naming both fields; a form naming no number field is refused
    there; the designer offers it; an XLSForm carries it through pyxform and back."""
    form = services.copy_template("replication")
    assert d.field_map(form.latest_version().definition)["hs_duoc_tap_huan"]["positive_when"] == "so_lop"
    round_ = services.publish_round(form, deadline=timezone.now() + timedelta(days=3), audience="invitees",
                                    event=event)
    school = small_tree["BS-S2"]
    zero = console_submit(client, school, round_, {"hs_duoc_tap_huan": "0", "so_lop": "3", "gv_huong_dan": "1"})
    assert zero.status_code == 400
    reason = zero.json()["fields"]["hs_duoc_tap_huan"][0]
    assert "Số học sinh được hướng dẫn" in reason and "“Số lớp đã tổ chức”" in reason and "3" in reason
    none_held = console_submit(client, school, round_, {"hs_duoc_tap_huan": "0", "so_lop": "0", "gv_huong_dan": "0"})
    assert none_held.status_code == 201, none_held.content

    client.force_login(organizer)
    own = api_form(client)
    bad = {"sections": [{"key": "a", "title": "A", "fields": [
        {"key": "so", "type": "integer", "label": "Số", "positive_when": "ten"},
        {"key": "ten", "type": "text", "label": "Tên"}]}]}
    refused = client.put(f"/api/school-reports/forms/{own.pk}", json.dumps({"title": "X", "definition": bad}),
                         content_type="application/json")
    assert refused.status_code == 400 and "sections.0.fields.0.positive_when" in refused.json()["fields"]
    page = client.get(reverse("schoolreports:form", args=[own.pk]))
    assert 'name="positive_when"' in page.content.decode()
    posted = client.post(reverse("schoolreports:form", args=[own.pk]), {
        "action": "field", "section": "ket_qua", "label": "Lớp có giáo viên hướng dẫn", "key": "lop_huong_dan",
        "type": "integer", "positive_when": "gv_huong_dan"})
    assert posted.status_code == 302
    assert d.field_map(own.latest_version().definition)["lop_huong_dan"]["positive_when"] == "gv_huong_dan"

    data = xlsform.write(form.title, form.latest_version().definition)
    book = get_xlsform(io.BytesIO(data), file_type=".xlsx")
    xml = create_survey_element_from_dict(workbook_to_json(book, form_name="data", warnings=[])).to_xml()
    assert "or  /data/ket_qua/so_lop  = 0" in xml
    assert d.field_map(xlsform.read(data).definition)["hs_duoc_tap_huan"]["positive_when"] == "so_lop"
