"""Invitation letters: the PDF (text via pypdf, QR decoded with zbarimg), the e-mail, the bulk jobs."""

import email
import io
import shutil
import subprocess
import unicodedata
import zipfile

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from bridges.models import Bridge, Role
from bridges.services import console_url
from core import qr
from core.models import AuditEntry, Job
from core.text import clean_text
from events.models import Event

from .invitation_data import make_event

# Full paths: poppler-utils renders the page, zbar-tools decodes the QR (.ci/run installs both).
PDFTOPPM = shutil.which("pdftoppm")
ZBARIMG = shutil.which("zbarimg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def event(small_tree, tiers):
    school = small_tree["BS-S1"]
    # Typed with combining marks; the boundary stores it NFC.
    school.name = clean_text(unicodedata.normalize("NFD", "Trường THCS Nghĩa Hành – Đức Phổ"))
    school.address = "Xã Bình Hiệp, huyện Bình Sơn"
    school.email = "thcs.nghiahanh@example.edu.vn"
    school.save()
    small_tree["BS-S2"].email = "bs2@example.edu.vn"
    small_tree["BS-S2"].save()
    return make_event(small_tree, tiers, invite=("BS-S1", "BS-S2", "TN-S1"))


def letters(event, name: str = "", code: str = "") -> str:
    """URLs of the letters page and its actions, by name (the paths belong to events/urls.py)."""
    if code:
        return reverse("events:invitation_letter_pdf", args=[event.pk, code])
    return reverse("events:invitation_letters" + (f"_{name}" if name else ""), args=[event.pk])


def console_letter(token: str, event) -> str:
    return reverse("console_invitation_pdf", args=[token, event.pk])


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def decode_qr(pdf: bytes, tmp_path) -> list[str]:
    source = tmp_path / "letter.pdf"
    source.write_bytes(pdf)
    subprocess.run([PDFTOPPM, "-r", "150", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "page")],
                   check=True, timeout=60)
    image = next(tmp_path.glob("page*.png"))
    result = subprocess.run([ZBARIMG, "--raw", "-q", str(image)], capture_output=True, text=True, timeout=60)
    return result.stdout.split()


def test_letter_pdf_has_the_bridge_event_and_a_qr_of_the_console(client, organizer, event, small_tree, tmp_path,
                                                                  settings):
    settings.INVITATION_ISSUER = "Sở Giáo dục và Đào tạo Quảng Ngãi"
    settings.INVITATION_PLACE = "Quảng Ngãi"
    school = Bridge.objects.get(code="BS-S1")
    school.address = "Điểm trường chính, thôn 2 (cạnh UBND xã) & nhà văn hoá <khu A>"
    school.save()
    assert unicodedata.is_normalized("NFC", school.name)
    client.force_login(organizer)
    response = client.get(letters(event, code="BS-S1"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert school.name in text
    assert event.title in text
    assert "Hiệu trưởng và toàn thể giáo viên của trường" in text
    # The event's day as Decree 30 writes dates (core.dates): "ngày 15 tháng 3 năm 2030".
    assert "08:00" in text and "ngày 15 tháng 3 năm 2030" in text
    assert "Phát biểu chỉ đạo" in text
    assert console_url(school) in text
    assert school.address in text
    assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO QUẢNG NGÃI" in text
    assert "Quảng Ngãi," in text
    # The national motto and the recipients block of an official letter, in Vietnamese (they were English).
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Nơi nhận:" in text and "Như trên;" in text and "Lưu: VT." in text
    if not (PDFTOPPM and ZBARIMG):
        pytest.skip("pdftoppm (poppler-utils) or zbarimg (zbar-tools) is not installed: QR not decoded")
    assert decode_qr(response.content, tmp_path) == [console_url(school)]


def test_school_downloads_its_letter_from_the_console(client, event, small_tree, tiers):
    school = Bridge.objects.get(code="BS-S1")
    response = client.get(console_letter(school.console_token, event))
    assert response.status_code == 200
    assert school.name in pdf_text(response.content)
    # Not invited, a draft, or a wrong token: nothing.
    other = make_event(small_tree, tiers, invite=("TN-S2",), day=16)
    draft = make_event(small_tree, tiers, status=Event.Status.DRAFT, invite=("BS-S1",), day=17)
    assert client.get(console_letter(school.console_token, other)).status_code == 404
    assert client.get(console_letter(school.console_token, draft)).status_code == 404
    assert client.get(console_letter("nope", event)).status_code == 404


def test_letters_follow_scope(client, make_user, event, small_tree):
    officer = make_user("tn-officer", Role.Kind.DISTRICT_OFFICER, small_tree["TN"])
    client.force_login(officer)
    assert client.get(letters(event, code="BS-S1")).status_code == 403
    assert client.get(letters(event, code="TN-S1")).status_code == 200
    page = client.get(letters(event))
    assert page.status_code == 200
    assert b"TN-S1" in page.content and b"BS-S1" not in page.content
    assert client.post(letters(event, "zip")).status_code == 403
    assert client.post(f"/api/events/{event.pk}/invitation-letters/zip", content_type="application/json").status_code == 403
    assert not Job.objects.exists()


@pytest.mark.services
def test_bulk_zip_from_the_page_has_one_pdf_per_invited_bridge(client, organizer, event):
    client.force_login(organizer)
    response = client.post(letters(event, "zip"))
    assert response.status_code == 302
    job = Job.objects.get(kind="events.invitation_pdfs")
    assert job.status == Job.Status.DONE, job.message
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.result == {"event_id": event.pk, "count": 3}
    with job.result_file.open("rb") as fh, zipfile.ZipFile(fh) as archive:
        names = archive.namelist()
        assert len(names) == 3
        assert [name.split("_")[1] for name in names] == ["bs-s1", "bs-s2", "tn-s1"]
        texts = [pdf_text(archive.read(name)) for name in names]
    assert Bridge.objects.get(code="BS-S1").name in texts[0]
    assert "Trường TN 1" in texts[2]

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f'data-job-url="/api/jobs/{job.pk}"'.encode() in page.content
    status = client.get(f"/api/jobs/{job.pk}").json()
    assert status["percent"] == 100 and status["total"] == 3
    download = client.get(status["result_url"])
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.zip"')
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist() == names
    client.logout()
    assert client.get(status["result_url"]).status_code == 302  # job files are never public


def test_bulk_zip_from_the_api(client, organizer, event):
    client.force_login(organizer)
    response = client.post(f"/api/events/{event.pk}/invitation-letters/zip", content_type="application/json")
    assert response.status_code == 202
    body = response.json()
    assert body["kind"] == "events.invitation_pdfs" and body["status"] == "done" and body["total"] == 3


def test_email_job_sends_ics_request_and_pdf_and_is_audited(client, organizer, event):
    client.force_login(organizer)
    response = client.post(f"/api/events/{event.pk}/invitation-letters/email", {"attach_pdf": True},
                           content_type="application/json")
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == Job.Status.DONE, job.message
    assert job.result["sent"] == 2 and job.result["without_email"] == ["TN-S1"]
    assert sorted(m.to[0] for m in mail.outbox) == ["bs2@example.edu.vn", "thcs.nghiahanh@example.edu.vn"]

    school = Bridge.objects.get(code="BS-S1")
    message = next(m for m in mail.outbox if m.to == [school.email])
    assert event.title in message.subject
    assert console_url(school) in message.body
    assert any(mimetype == "text/html" for _content, mimetype in message.alternatives)
    parsed = email.message_from_bytes(message.message().as_bytes())
    calendars = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(calendars) == 1
    assert calendars[0].get_param("method") == "REQUEST"
    assert calendars[0].get_filename() == "invite.ics"
    cal = icalendar.Calendar.from_ical(calendars[0].get_payload(decode=True))
    assert str(cal["METHOD"]) == "REQUEST"
    vevent = cal.walk("VEVENT")[0]
    assert str(vevent["UID"]) == f"{event.uid}@diemcau"
    assert str(vevent["ATTENDEE"]) == f"mailto:{school.email}"
    assert str(vevent["ORGANIZER"]).startswith("mailto:")
    assert str(vevent["URL"]) == console_url(school)
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    pdfs = [part for part in parsed.walk() if part.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and school.name in pdf_text(pdfs[0].get_payload(decode=True))

    entry = AuditEntry.objects.get(action="event.invitations_sent")
    assert entry.actor == organizer and entry.details["sent"] == 2 and entry.target_id == str(event.pk)


def test_email_refused_for_a_draft_with_a_clear_message(client, organizer, small_tree, tiers):
    draft = make_event(small_tree, tiers, status=Event.Status.DRAFT)
    client.force_login(organizer)
    response = client.post(f"/api/events/{draft.pk}/invitation-letters/email", {},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Job.objects.exists() and not mail.outbox

    page = client.post(letters(draft, "email"), {"attach_pdf": "1"}, follow=True)
    assert page.status_code == 200
    assert not Job.objects.exists() and not mail.outbox


def test_organizer_page_offers_both_jobs(client, organizer, event):
    client.force_login(organizer)
    page = client.get(letters(event))
    assert page.status_code == 200
    assert letters(event, "zip").encode() in page.content
    assert letters(event, "email").encode() in page.content
    assert f"/events/{event.pk}.ics".encode() in page.content


def test_bundled_font_covers_every_vietnamese_letter():
    from reportlab.pdfbase import pdfmetrics

    from core import pdf

    assert pdf.register_fonts() == pdf.register_fonts() == pdf.FONT
    base = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    letters = base + base.upper() + "".join(
        unicodedata.normalize("NFC", vowel + mark) for vowel in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
        for mark in ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323"))
    for face in (pdf.FONT, pdf.FONT_BOLD, pdf.FONT_ITALIC):
        glyphs = pdfmetrics.getFont(face).face.charToGlyph
        assert [ch for ch in letters if ord(ch) not in glyphs] == [], face
    assert (pdf.FONT_DIR / "OFL.txt").exists()


def test_qr_helpers_decode(tmp_path):

    url = "https://diemcau.example/verify/ABC123"
    assert qr.matrix(url) == qr.matrix(url)  # fixed mask: the same modules every time
    if not ZBARIMG:
        pytest.skip("zbarimg (zbar-tools) is not installed: QR not decoded")
    image = tmp_path / "qr.png"
    image.write_bytes(qr.png(url))
    result = subprocess.run([ZBARIMG, "--raw", "-q", str(image)], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == url
