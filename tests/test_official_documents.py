"""Official documents (the invitation letter, certificates) checked by the tools their readers use.

- Decree 30/2020/NĐ-CP dates (core.dates) on their edge cases, and number patterns (core.patterns).
- The letter as an official letter: header, number, place and date, title, recipients, signer, one A4 page
  for the demo's agenda (pypdf and pdfinfo count the pages); its fields on the event edit page and the API,
  and a preview that writes nothing.
- pdffonts: every font of every PDF embedded (reportlab's default Helvetica was not).
- A simulated phone photo of the page (pdftoppm at 72 dpi, ImageMagick turns it 7 degrees, blurs it and
  adds noise) decodes with zbarimg to the letter's console link and the certificate's verification link.
- pdftotext: no English msgid of the catalogue entries the PDF modules use appears in a Vietnamese PDF.

A missing tool skips its test with the reason (poppler-utils, zbar-tools, imagemagick).
"""

import io
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from reportlab.lib.units import mm

from bridges.models import Bridge, Role
from bridges.services import console_url
from core import patterns, pdf
from core.dates import official_date, official_day
from core.models import AuditEntry
from demo.events import DESCRIPTION, GROUPS, SESSIONS
from events.models import AgendaItem, InvitationLetter, ParticipantGroup, Session
from training import services as training_services
from training.certificate_pdf import certificate_pdf, verify_url, write_merged
from training.models import DEFAULT_WORDING, Certificate

from .invitation_data import at, make_event
from .test_training import attend_all, make_training

PDFFONTS = shutil.which("pdffonts")
PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
PDFINFO = shutil.which("pdfinfo")
ZBARIMG = shutil.which("zbarimg")
# A production-length address: the console link's QR is then a version 5 code (37 modules).
SITE = "https://diemcau.quangngai.gov.vn"
PO = Path(django_settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
# The modules whose catalogue strings end up printed on a PDF; the certificate template's default wording
# (training/models.py, whose other strings are field names) is added by msgid in english_probes.
PDF_MODULES = ("events/invitation_pdf.py", "events/services/letters.py", "training/certificate_pdf.py",
               "core/dates.py", "core/pdf.py")


def _imagemagick() -> str | None:
    # /usr/local/bin/convert may be a stand-in: Debian's ImageMagick is /usr/bin/convert.
    for candidate in ("/usr/bin/convert", shutil.which("magick"), shutil.which("convert")):
        if candidate and Path(candidate).exists():
            answer = subprocess.run([candidate, "-version"], capture_output=True, text=True, timeout=30)
            if "ImageMagick" in answer.stdout:
                return candidate
    return None


CONVERT = _imagemagick()

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def need(*tools: tuple[str | None, str]) -> None:
    missing = [reason for tool, reason in tools if not tool]
    if missing:
        pytest.skip("not installed: " + ", ".join(missing))


def pdf_text(data: bytes) -> str:
    """The text as pdftotext reads it (pypdf where poppler is absent), white space collapsed."""
    if PDFTOTEXT:
        text = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                              check=True, timeout=60).stdout.decode("utf-8")
    else:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def page_count(data: bytes, tmp_path) -> int:
    pages = len(PdfReader(io.BytesIO(data)).pages)
    if PDFINFO:
        source = tmp_path / "count.pdf"
        source.write_bytes(data)
        info = subprocess.run([PDFINFO, str(source)], capture_output=True, text=True, check=True, timeout=60).stdout
        assert int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) == pages
    return pages


# --- Decree 30 dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 12, 2), "ngày 02 tháng 12 năm 2026"),
    (date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
    (date(2026, 2, 15), "ngày 15 tháng 02 năm 2026"),
    (date(2028, 2, 29), "ngày 29 tháng 02 năm 2028"),
    (date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
    (date(2026, 8, 15), "ngày 15 tháng 8 năm 2026"),
    (date(2026, 10, 10), "ngày 10 tháng 10 năm 2026"),
    (date(2026, 11, 1), "ngày 01 tháng 11 năm 2026"),
    (date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
])
def test_decree30_dates(day, expected):
    with translation.override("vi"):
        assert official_day(day) == expected
        assert official_date(day, "Quảng Ngãi") == "Quảng Ngãi, " + expected
        assert official_date(day) == expected[0].upper() + expected[1:]


def test_every_day_of_a_leap_year_follows_the_rule():
    day = date(2028, 1, 1)
    with translation.override("vi"):
        while day.year == 2028:
            found = re.fullmatch(r"ngày (\d+) tháng (\d+) năm 2028", official_day(day))
            assert found, official_day(day)
            assert found.group(1) == f"{day.day:02d}"
            assert found.group(2) == (f"{day.month:02d}" if day.month <= 2 else str(day.month))
            day += timedelta(days=1)


def test_an_aware_time_is_dated_on_its_day_in_vietnam():
    with translation.override("vi"):
        # 18:30 UTC on 1 December is 01:30 on 2 December in Asia/Ho_Chi_Minh.
        assert official_day(datetime(2026, 12, 1, 18, 30, tzinfo=UTC)) == "ngày 02 tháng 12 năm 2026"
        assert official_day(datetime(2026, 2, 3, 23, 0)) == "ngày 03 tháng 02 năm 2026"


# --- number patterns ---------------------------------------------------------------------------------

def test_number_patterns_fill_named_placeholders_only():
    values = {"seq": "12", "year": "2026"}
    assert patterns.fill("{seq}/GM-UBND", values) == "12/GM-UBND"
    assert patterns.fill("{ seq }/{year}/GM", values) == "12/2026/GM"
    assert patterns.fill("{{seq}} {seq}", values) == "{seq} 12"
    for bad in ("{seq.__class__}", "{0}", "{}", "{seq:04d}", "{seq!r}", "{seq", "seq}", "{nope}"):
        with pytest.raises(patterns.PatternRefused):
            patterns.check(bad, ("seq", "year"))
    with pytest.raises(patterns.PatternRefused, match="seq"):
        patterns.check("GM-UBND", ("seq", "year"), required=("seq",))


# --- the letter ----------------------------------------------------------------------------------------

LETTER = {
    "parent_body": "UBND tỉnh Quảng Ngãi", "issuer": "Sở Giáo dục và Đào tạo", "number": "125",
    "number_pattern": "{seq}/GM-SGDĐT", "place": "Quảng Ngãi", "dated": date(2026, 12, 2),
    "recipients": "Như trên;\n- UBND tỉnh (b/c);\nLưu: VT, VP.", "signer_authority": "KT. Giám đốc",
    "signer_title": "Phó Giám đốc", "signer_name": "Nguyễn Văn An",
}


def demo_agenda(event, sessions=SESSIONS) -> None:
    """The demo's agenda (two sessions, eleven items), description and participant groups on `event`."""
    event.sessions.all().delete()
    event.description = DESCRIPTION
    event.save()
    for title, start, end, _counts, agenda in sessions:
        session = Session.objects.create(event=event, title=title, starts_at=at(*start), ends_at=at(*end))
        for order, (item_start, item_end, item_title, speaker, _kind) in enumerate(agenda, start=1):
            AgendaItem.objects.create(session=session, order=order, starts_at=at(*item_start),
                                      ends_at=at(*item_end), title=item_title, speaker=speaker)
    ParticipantGroup.objects.filter(event=event).update(description=GROUPS["school"])


@pytest.fixture
def event(small_tree, tiers):
    school = small_tree["BS-S1"]
    school.name = "Trường Trung học cơ sở Nghĩa Hành – xã Bình Hiệp, huyện Bình Sơn"
    school.address = "Thôn Phước Hoà, xã Bình Hiệp, huyện Bình Sơn, tỉnh Quảng Ngãi"
    school.save()
    event = make_event(small_tree, tiers, invite=("BS-S1", "BS-S2", "TN-S1"))
    demo_agenda(event)
    return event


@pytest.fixture
def lettered(event):
    InvitationLetter.objects.create(event=event, **LETTER)
    return event


def letter_of(client, event, code="BS-S1") -> bytes:
    response = client.get(reverse("events:invitation_letter_pdf", args=[event.pk, code]), HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_the_letter_is_an_official_letter_on_one_page(client, organizer, lettered, tmp_path):
    client.force_login(organizer)
    data = letter_of(client, lettered)
    assert page_count(data, tmp_path) == 1
    text = pdf_text(data)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH QUẢNG NGÃI",
                     "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: 125/GM-SGDĐT", "Quảng Ngãi, ngày 02 tháng 12 năm 2026",
                     "GIẤY MỜI", "V/v: Lễ phát động", "Kính gửi:", "Trường Trung học cơ sở Nghĩa Hành",
                     "ngày 15 tháng 3 năm 2030", "Nghi thức phát động phong trào", "Nơi nhận:", "- Như trên;",
                     "- UBND tỉnh (b/c);", "- Lưu: VT, VP.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"):
        assert expected in text, expected
    # The header's order: national title, motto, then the place and date; the signer's block last.
    assert text.index("CỘNG HÒA") < text.index("Độc lập") < text.index("Quảng Ngãi, ngày")
    assert text.index("Nơi nhận:") < text.index("Nguyễn Văn An")
    assert "- - UBND" not in text  # a dash typed in front of a recipient is not doubled


def test_the_default_letter_leaves_the_number_to_write_in_and_signs_as_the_issuer(client, organizer, event, settings,
                                                                                 tmp_path):
    settings.INVITATION_ISSUER = "Sở Giáo dục và Đào tạo Quảng Ngãi"
    settings.INVITATION_PLACE = "Quảng Ngãi"
    client.force_login(organizer)
    data = letter_of(client, event)
    assert page_count(data, tmp_path) == 1
    text = pdf_text(data)
    assert re.search(r"Số: +/GM", text)
    assert "Quảng Ngãi, ngày " in text and "Nơi nhận: - Như trên; - Lưu: VT." in text
    assert text.count("SỞ GIÁO DỤC VÀ ĐÀO TẠO QUẢNG NGÃI") == 2  # the header, and the signer's block


def test_a_long_agenda_flows_on_with_page_numbers(client, organizer, lettered, tmp_path):
    long_day = [((8 + i // 6, (i % 6) * 10), (8 + i // 6, (i % 6) * 10 + 9),
                 f"Nội dung {i + 1}: trao đổi kinh nghiệm chuyển đổi số của các trường", "Ban tổ chức", None)
                for i in range(36)]
    demo_agenda(lettered, [("Hội thảo", (8, 0), (14, 0), False, long_day)])
    client.force_login(organizer)
    data = letter_of(client, lettered)
    pages = page_count(data, tmp_path)
    assert pages >= 2
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[1].extract_text().split()[0] == "2"  # Decree 30: numbered from the second page
    last = reader.pages[-1].extract_text()
    assert "Nơi nhận:" in last and "Nguyễn Văn An" in last


def _event_form(event) -> dict:
    return {"title": event.title, "kind": event.kind, "host": event.host.code,
            "starts_at": "15/03/2030 08:00", "ends_at": "15/03/2030 11:30", "description": event.description,
            "livestream_url": ""}


def test_the_event_edit_page_saves_the_letter_fields_and_audits_them(client, organizer, event):
    client.force_login(organizer)
    url = reverse("events:edit", args=[event.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'name="letter-number_pattern"' in page.content
    assert reverse("events:letter_preview", args=[event.pk]).encode() in page.content
    letters_page = client.get(reverse("events:invitation_letters", args=[event.pk]))
    assert reverse("events:letter_preview", args=[event.pk]).encode() in letters_page.content
    assert (reverse("events:edit", args=[event.pk]) + "#letter").encode() in letters_page.content
    data = {**_event_form(event), "letter-number_pattern": "{seq}/{nope}", "letter-signer_name": "Lê Văn Tám"}
    refused = client.post(url, data)
    assert refused.status_code == 200 and refused.context["letter_form"].errors
    assert not InvitationLetter.objects.exists()
    data.update({"letter-number_pattern": "{seq}/GM-UBND", "letter-number": "7", "letter-dated": "05/01/2027",
                 "letter-signer_authority": "KT. CHỦ TỊCH", "letter-signer_title": "PHÓ CHỦ TỊCH"})
    assert client.post(url, data).status_code == 302
    letter = InvitationLetter.objects.get(event=event)
    assert (letter.number_pattern, letter.number, letter.dated, letter.signer_name) == (
        "{seq}/GM-UBND", "7", date(2027, 1, 5), "Lê Văn Tám")
    entry = AuditEntry.objects.get(action="event.letter_saved")
    assert entry.actor == organizer and "signer_name" in entry.details["changed"]
    text = pdf_text(letter_of(client, event))
    assert "Số: 7/GM-UBND" in text and "Ngày 05 tháng 01 năm 2027" in text and "KT. CHỦ TỊCH" in text


def test_the_preview_draws_unsaved_fields_and_writes_nothing(client, organizer, make_user, small_tree, lettered):
    client.force_login(organizer)
    url = reverse("events:letter_preview", args=[lettered.pk])
    saved = client.get(url)
    assert saved.status_code == 200 and saved["Content-Type"] == "application/pdf"
    assert "Nguyễn Văn An" in pdf_text(saved.content)
    letters_before, audit_before = InvitationLetter.objects.count(), AuditEntry.objects.count()
    data = {f"letter-{name}": value for name, value in LETTER.items() if name != "dated"}
    data.update({"letter-signer_name": "Phạm Thị Bích", "letter-dated": "15/02/2027"})
    preview = client.post(url, data)
    assert preview.status_code == 200
    text = pdf_text(preview.content)
    assert "Phạm Thị Bích" in text and "ngày 15 tháng 02 năm 2027" in text
    # A sample link of the real length, never the bridge's secret one.
    assert console_url(Bridge.objects.get(code="BS-S1")) not in text
    assert InvitationLetter.objects.get(event=lettered).signer_name == "Nguyễn Văn An"
    assert (InvitationLetter.objects.count(), AuditEntry.objects.count()) == (letters_before, audit_before)
    assert client.post(url, {**data, "letter-number_pattern": "{seq.__class__}"}).status_code == 400
    client.force_login(make_user("bs", Role.Kind.DISTRICT_OFFICER, small_tree["BS"]))
    assert client.get(url).status_code == 403


def test_the_letter_api_reads_changes_and_previews(client, organizer, event):
    client.force_login(organizer)
    url = f"/api/events/{event.pk}/invitation-letter"
    first = client.get(url).json()
    assert first["saved"] is False and first["number_pattern"] == "{seq}/GM"
    assert first["number_line"].startswith("Số:")
    refused = client.patch(url, {"number_pattern": "{0}/GM"}, content_type="application/json")
    assert refused.status_code == 400 and "number_pattern" in refused.json()["fields"]
    changed = client.patch(url, {"number": "31", "number_pattern": "{seq}/GM-UBND", "dated": "2027-02-03",
                                 "place": "Quảng Ngãi", "signer_name": "Lê Văn Tám"}, content_type="application/json")
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["saved"] is True and body["number_line"] == "Số: 31/GM-UBND"
    assert body["date_line"] == "Quảng Ngãi, ngày 03 tháng 02 năm 2027"
    audit_count = AuditEntry.objects.count()
    preview = client.post(f"{url}/preview", {"signer_name": "Phạm Thị Bích"}, content_type="application/json")
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    text = pdf_text(preview.content)
    assert "Phạm Thị Bích" in text and "Số: 31/GM-UBND" in text
    assert InvitationLetter.objects.get(event=event).signer_name == "Lê Văn Tám"
    assert AuditEntry.objects.count() == audit_count


# --- certificates --------------------------------------------------------------------------------------

@pytest.fixture
def certificates(small_tree):
    t = make_training(small_tree)
    training_services.save_rule(t.event, min_roll_calls=2, min_connected_percent=None, combine="and")
    attend_all(t)
    training_services.issue_certificates(t.event)
    return list(Certificate.objects.filter(event=t.event).order_by("seq"))


def test_the_certificate_is_dated_and_worded_in_vietnamese(certificates):
    cert = certificates[0]
    text = pdf_text(certificate_pdf(cert))
    with translation.override("vi"):
        # The issue date in Vietnam time, Decree 30's way; the training's day in words too.
        assert official_date(cert.issued_at)[1:] in text
        assert official_day(cert.training_starts) in text
    assert "GIẤY CHỨNG NHẬN" in text and "GIÁM ĐỐC" in text and "Độc lập - Tự do - Hạnh phúc" in text


# --- fonts ---------------------------------------------------------------------------------------------

def _fonts(data: bytes, tmp_path) -> list[tuple[str, str]]:
    source = tmp_path / "fonts.pdf"
    source.write_bytes(data)
    listing = subprocess.run([PDFFONTS, str(source)], capture_output=True, text=True, check=True, timeout=60)
    rows = listing.stdout.splitlines()[2:]  # a title line and a rule
    # name type encoding emb sub uni object ID: "emb" is the fifth column from the end.
    return [(row.split()[0], row.split()[-5]) for row in rows if row.strip()]


def test_every_font_of_every_pdf_is_embedded(client, organizer, lettered, certificates, tmp_path):
    need((PDFFONTS, "pdffonts (poppler-utils)"))
    client.force_login(organizer)
    merged = io.BytesIO()
    write_merged(certificates, merged, "In giấy chứng nhận")
    revoked = certificates[1]
    training_services.revoke(revoked, reason="Cấp nhầm")
    documents = {
        "letter": letter_of(client, lettered),
        "letter preview": client.post(f"/api/events/{lettered.pk}/invitation-letter/preview", {},
                                      content_type="application/json").content,
        "certificate": certificate_pdf(certificates[0]),
        "revoked certificate": certificate_pdf(Certificate.objects.get(pk=revoked.pk)),
        "certificates to print": merged.getvalue(),
    }
    for name, data in documents.items():
        fonts = _fonts(data, tmp_path)
        assert fonts, name
        assert [font for font, embedded in fonts if embedded != "yes"] == [], name
        assert not any(font.split("+")[-1].startswith(("Helvetica", "Times", "Courier")) for font, _e in fonts), name


# --- QR codes from a phone photo -----------------------------------------------------------------------

def photo_decode(data: bytes, tmp_path, *, dpi: int = 72, blur: str = "0x1") -> list[str]:
    """Render page 1 at `dpi`, turn it 7 degrees, blur it and add noise (seeded), then decode with zbarimg."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    subprocess.run([PDFTOPPM, "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(tmp_path / "page")], check=True, timeout=60)
    subprocess.run([CONVERT, str(tmp_path / "page.png"), "-background", "white", "-rotate", "7", "-blur", blur,
                    "-seed", "7", "-attenuate", "0.5", "+noise", "Gaussian", str(tmp_path / "photo.png")],
                   check=True, timeout=60)
    result = subprocess.run([ZBARIMG, "--raw", "-q", str(tmp_path / "photo.png")], capture_output=True, text=True,
                            timeout=60)
    return [line for line in result.stdout.splitlines() if line]


PHOTO_TOOLS = ((PDFTOPPM, "pdftoppm (poppler-utils)"), (CONVERT, "ImageMagick convert (imagemagick)"),
               (ZBARIMG, "zbarimg (zbar-tools)"))
# The simulated photo, and a harder one for the margin: 62 dpi is the page seen from ~15 % farther.
PHOTOS = ({"dpi": 72, "blur": "0x1"}, {"dpi": 62, "blur": "0x0.8"})


def test_a_qr_printed_as_before_does_not_survive_the_photo(tmp_path, settings):
    """The simulation is worth something: a 28 mm code (0.76 mm a module), as letters had, fails it."""
    need(*PHOTO_TOOLS)
    link = SITE + "/c/" + "A" * 43 + "/"
    target = io.BytesIO()
    canvas = pdf.new_canvas(target)
    pdf.draw_qr(canvas, link, 300, 500, 28 * mm)
    canvas.showPage()
    canvas.save()
    assert photo_decode(target.getvalue(), tmp_path) == []
    target = io.BytesIO()
    canvas = pdf.new_canvas(target)
    pdf.draw_qr(canvas, link, 300, 500)  # the printed size: PRINT_QR_MODULE a module
    canvas.showPage()
    canvas.save()
    assert photo_decode(target.getvalue(), tmp_path) == [link]


def test_the_letter_qr_decodes_from_a_phone_photo(client, organizer, lettered, settings, tmp_path):
    need(*PHOTO_TOOLS)
    settings.SITE_URL = SITE
    client.force_login(organizer)
    data = letter_of(client, lettered)
    school = Bridge.objects.get(code="BS-S1")
    for photo in PHOTOS:
        assert photo_decode(data, tmp_path, **photo) == [console_url(school)], photo


def test_the_certificate_qr_decodes_from_a_phone_photo(certificates, settings, tmp_path):
    need(*PHOTO_TOOLS)
    settings.SITE_URL = SITE
    cert = certificates[0]
    data = certificate_pdf(cert)
    for photo in PHOTOS:
        assert photo_decode(data, tmp_path, **photo) == [verify_url(cert.code)], photo


# --- no English on a Vietnamese document ---------------------------------------------------------------

def english_probes() -> dict[str, str]:
    """Pieces of English from the catalogue entries the PDF modules use: probe -> msgid.

    A msgid is cut at its placeholders and line breaks; each piece with letters in it is looked for as
    whole words, by its first and its last three words (a long sentence may be broken across lines or
    columns by the layout)."""
    probes = {}
    for entry in polib.pofile(str(PO)):
        printed = entry.msgid in DEFAULT_WORDING or any(path in PDF_MODULES for path, _line in entry.occurrences)
        if entry.obsolete or not printed:
            continue
        assert entry.translated(), f"no Vietnamese for {entry.msgid!r}"
        for piece in re.split(r"%\(\w+\)[sd]|\n", entry.msgid):
            words = piece.split()
            if len(" ".join(words)) < 3 or len(re.findall(r"[A-Za-z]", piece)) < 2:
                continue
            for probe in {" ".join(words[:3]), " ".join(words[-3:])}:
                probes[probe] = entry.msgid
    return probes


def english_in(text: str, probes: dict[str, str]) -> list[str]:
    return [f"{probe!r} (from {msgid!r})" for probe, msgid in probes.items()
            if re.search(r"(?<![\w])" + re.escape(probe) + r"(?![\w])", text)]


def test_no_english_catalogue_string_in_a_vietnamese_pdf(client, organizer, lettered, certificates, tmp_path):
    probes = english_probes()
    assert {"SOCIALIST REPUBLIC OF", "REPUBLIC OF VIETNAM", "Independence - Freedom", "Recipients:", "As above;",
            "Archive.", "CERTIFICATE", "DIRECTOR", "REVOKED"} <= set(probes)
    client.force_login(organizer)
    revoked = certificates[1]
    training_services.revoke(revoked, reason="Cấp nhầm")
    merged = io.BytesIO()
    write_merged(certificates, merged, "In giấy chứng nhận")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "vi"
    with translation.override("vi"):
        documents = {
            "letter": letter_of(client, lettered),
            "letter preview": client.post(f"/api/events/{lettered.pk}/invitation-letter/preview", {},
                                          content_type="application/json").content,
            "certificate": certificate_pdf(certificates[0]),
            "revoked certificate": certificate_pdf(Certificate.objects.get(pk=revoked.pk)),
            "certificates to print": merged.getvalue(),
        }
        InvitationLetter.objects.filter(event=lettered).delete()
        documents["letter with the default wording"] = letter_of(client, lettered, "TN-S1")
    for name, data in documents.items():
        assert english_in(pdf_text(data), probes) == [], name
    # The check finds English where there is some: the same letter asked for in English.
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("events:invitation_letter_pdf", args=[lettered.pk, "BS-S1"]))
    assert english_in(pdf_text(english.content), probes)
