"""Certificates: numbering, bulk issue, PDF text and QR, verification, revocation, self-service, console ZIP."""

import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from datetime import date
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from core.models import AuditEntry, Job
from tests.test_training import attend_all, check_in, make_training
from training import codes, services
from training.certificate_pdf import certificate_pdf
from training.errors import TrainingError
from training.models import Certificate, CertificateTemplate

pytestmark = pytest.mark.django_db

NAME_NFD = unicodedata.normalize("NFD", "Nguyễn Thị Hằng Ưởng")
NAME_NFC = unicodedata.normalize("NFC", NAME_NFD)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # django-ratelimit counts in the cache; every test starts with clean counters.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def training(small_tree):
    t = make_training(small_tree)
    CertificateTemplate.objects.create(number_format="{seq}/GCN-STTTT", signer_name="Trần Minh Đức",
                                       place="Quảng Ngãi")
    services.save_rule(t.event, min_roll_calls=2, min_connected_percent=None, combine="and")
    return t


@pytest.fixture
def issued(training):
    person = training.people["0BS10"]
    person.full_name = NAME_NFD
    person.birth_date = date(1984, 2, 29)
    person.save()
    attend_all(training, except_ids={"0TN20", "0TN21"})
    check_in(training.people["0TN20"], training.roll_calls[0])  # 1 of 3: not eligible
    services.issue_certificates(training.event)
    return training


def cert_of(training, teacher_id) -> Certificate:
    return Certificate.objects.get(event=training.event, person=training.people[teacher_id])


class TestCodes:
    def test_codes_are_random_grouped_and_checked(self):
        made = {codes.new_code() for _i in range(2000)}
        assert len(made) == 2000
        code = made.pop()
        assert len(code) == 13 and set(code) <= set(codes.ALPHABET)
        shown = codes.display(code)
        assert shown.count("-") == 3 and len(shown) == 16
        assert codes.normalize(shown) == code

    def test_forgiving_parse(self):
        code = "0123456789AB"
        code += codes.luhn.calc_check_digit(code, alphabet=codes.ALPHABET)
        typed = " o123 4567-89ab " + code[-1].lower()
        assert codes.normalize(typed) == code
        assert codes.normalize(codes.display(code).replace("1", "l")) == code

    def test_every_single_mistyped_character_is_caught(self):
        code = codes.new_code()
        for position in range(len(code)):
            for replacement in codes.ALPHABET:
                if replacement == code[position]:
                    continue
                typo = code[:position] + replacement + code[position + 1:]
                with pytest.raises(codes.BadCheckCharacter):
                    codes.normalize(typo)

    def test_malformed(self):
        for bad in ("", "ABC", "ABCD-EFGH-JKMN-PQ", "ABCD-EFGH-JKMN-U", "<script>"):
            with pytest.raises(codes.MalformedCode):
                codes.normalize(bad)


class TestIssue:
    def test_bulk_issue_numbers_in_sequence_and_rerun_issues_nothing(self, issued):
        certs = list(Certificate.objects.filter(event=issued.event).order_by("seq"))
        assert len(certs) == 10
        year = timezone.localdate().year
        assert [c.seq for c in certs] == list(range(1, 11))
        assert certs[0].number == "1/GCN-STTTT" and all(c.year == year for c in certs)
        again = services.issue_certificates(issued.event)
        assert again.as_dict() == {"eligible": 10, "issued": 0, "skipped": 10}
        assert Certificate.objects.filter(event=issued.event).count() == 10

    def test_rerun_adds_only_the_newly_eligible(self, issued):
        check_in(issued.people["0TN20"], issued.roll_calls[1])  # now 2 of 3
        result = services.issue_certificates(issued.event)
        assert result.as_dict() == {"eligible": 11, "issued": 1, "skipped": 10}
        assert cert_of(issued, "0TN20").seq == 11

    def test_snapshot_keeps_what_was_issued(self, issued):
        cert = cert_of(issued, "0BS10")
        assert cert.holder_name == NAME_NFC and cert.holder_birth_date == date(1984, 2, 29)
        assert cert.school_name == "Trường BS 1" and cert.training_title == issued.event.title
        person = issued.people["0BS10"]
        person.full_name = "Tên Khác"
        person.save()
        cert.refresh_from_db()
        assert cert.holder_name == NAME_NFC

    def test_no_completed_roll_call_refuses_with_an_explanation(self, client, organizer, small_tree):
        t = make_training(small_tree, days_ago=0)
        for rc in t.roll_calls:
            rc.delete()
        with translation.override("en"), pytest.raises(TrainingError, match="No roll call of this training"):
            services.issue_certificates(t.event)
        client.force_login(organizer)
        resp = client.post(reverse("training:issue", args=[t.event.pk]), follow=True)
        assert any("roll call" in str(m) or "điểm danh" in str(m) for m in resp.context["messages"])
        assert client.post(f"/api/training/events/{t.event.pk}/issue").status_code == 400
        with pytest.raises(CommandError):
            call_command("issue_certificates", t.event.pk, stdout=io.StringIO())
        assert not Certificate.objects.exists() and not Job.objects.exists()

    def test_page_starts_a_job_with_progress(self, client, organizer, training):
        attend_all(training)
        client.force_login(organizer)
        resp = client.post(reverse("training:issue", args=[training.event.pk]))
        assert resp.status_code == 302
        job = Job.objects.get(kind="issue_certificates")
        assert job.status == Job.Status.DONE and job.result == {"eligible": 12, "issued": 12, "skipped": 0}
        page = client.get(reverse("training:detail", args=[training.event.pk]))
        assert b"data-job-url" in page.content
        assert AuditEntry.objects.filter(action="training.certificates_issued", actor=organizer).exists()

    def test_command_dry_run_then_issue(self, training):
        attend_all(training)
        out = io.StringIO()
        call_command("issue_certificates", training.event.pk, "--dry-run", stdout=out)
        assert "eligible=12 issued=0 skipped=0" in out.getvalue() and not Certificate.objects.exists()
        out = io.StringIO()
        call_command("issue_certificates", training.event.pk, stdout=out)
        assert "eligible=12 issued=12 skipped=0" in out.getvalue()

    def test_custom_number_format_is_validated(self, client, organizer, training):
        client.force_login(organizer)
        url = reverse("training:template", args=[training.event.pk])
        form = client.get(url).context["form"]
        data = {name: (value if value is not None else "") for name, value in form.initial.items()
                if name != "logo"}
        data["number_format"] = "{number}/GCN"
        assert client.post(url, data).status_code == 200
        data["number_format"] = "{seq:04d}/{year}/GCN-STTTT"
        assert client.post(url, data).status_code == 302
        attend_all(training)
        services.issue_certificates(training.event)
        assert cert_of(training, "0BS10").number == f"0001/{timezone.localdate().year}/GCN-STTTT"


    def test_template_page_with_a_logo_changes_the_pdf(self, client, organizer, issued, settings, tmp_path):
        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        settings.MEDIA_ROOT = tmp_path
        buffer = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 20, 20)).save(buffer, format="PNG")
        client.force_login(organizer)
        url = reverse("training:template", args=[issued.event.pk])
        data = {name: (value if value is not None else "") for name, value in client.get(url).context["form"].initial.items()
                if name != "logo"}
        data.update(title="CHỨNG CHỈ HOÀN THÀNH", logo=SimpleUploadedFile("logo.png", buffer.getvalue(), "image/png"))
        assert client.post(url, data).status_code == 302
        pdf = certificate_pdf(cert_of(issued, "0BS10"))
        assert "CHỨNG CHỈ HOÀN THÀNH" in _pdf_text(pdf)
        page = PdfReader(io.BytesIO(pdf)).pages[0]
        assert len(page.images) == 1
        assert client.get(reverse("training:template_preview", args=[issued.event.pk]))["Content-Type"] == "application/pdf"

    def test_template_api(self, client, organizer, training):
        client.force_login(organizer)
        url = f"/api/training/events/{training.event.pk}/template"
        current = client.get(url).json()
        assert current["own"] is False and current["number_format"] == "{seq}/GCN-STTTT"
        payload = {k: current[k] for k in ("issuer", "motto", "title", "completion_text", "signer_title",
                                            "signer_name", "place")}
        assert client.put(url, {**payload, "number_format": "{nope}"}, content_type="application/json").status_code == 400
        resp = client.put(url, {**payload, "signer_name": "Lê Văn Tám", "number_format": "{seq}/{year}/GCN"},
                          content_type="application/json")
        assert resp.status_code == 200 and resp.json()["own"] is True
        assert CertificateTemplate.objects.get(event=training.event).signer_name == "Lê Văn Tám"


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


class TestPdf:
    def test_pdf_has_the_name_in_nfc_and_is_small(self, issued):
        cert = cert_of(issued, "0BS10")
        data = certificate_pdf(cert)
        assert len(data) < 60 * 1024
        text = _pdf_text(data)
        assert NAME_NFC in text and "29/02/1984" in text and cert.number in text

    @pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
                        reason="needs pdftoppm (poppler-utils) and zbarimg (zbar-tools): "
                               "apt-get install -y poppler-utils zbar-tools")
    def test_qr_opens_the_verification_page_valid_then_revoked(self, client, organizer, issued, tmp_path):
        cert = cert_of(issued, "0BS10")
        pdf_path = tmp_path / "c.pdf"
        pdf_path.write_bytes(certificate_pdf(cert))
        subprocess.run([shutil.which("pdftoppm"), "-r", "150", "-png", "-singlefile", str(pdf_path),
                        str(tmp_path / "page")], check=True)
        scanned = subprocess.run([shutil.which("zbarimg"), "--raw", "-q", str(tmp_path / "page.png")],
                                 capture_output=True, text=True, check=True).stdout.strip()
        url = urlparse(scanned)
        assert url.path == f"/verify/{codes.display(cert.code)}"
        page = client.get(url.path)
        assert page.status_code == 200 and page.context["answer"]["result"] == "valid"
        assert NAME_NFC in page.content.decode()
        client.force_login(organizer)
        client.post(reverse("training:revoke", args=[cert.pk]), {"reason": "Cấp nhầm"})
        client.logout()
        page = client.get(url.path)
        assert page.status_code == 200 and page.context["answer"]["result"] == "revoked"

    def test_merged_pdf_job_for_printing(self, client, organizer, issued):
        client.force_login(organizer)
        client.post(reverse("training:print", args=[issued.event.pk]), {"district": "TN"})
        job = Job.objects.get(kind="certificates_print")
        assert job.status == Job.Status.DONE and job.result == {"pages": 4}
        with job.result_file.open("rb") as handle:
            reader = PdfReader(handle)
            assert len(reader.pages) == 4
            assert "Giáo viên TN10" in reader.pages[0].extract_text()

    def test_a_district_officer_prints_only_their_district_and_sees_only_their_jobs(
            self, client, organizer, make_user, small_tree, issued):
        from bridges.models import Role

        client.force_login(organizer)
        client.post(reverse("training:print", args=[issued.event.pk]))
        officer = make_user("tn", Role.Kind.DISTRICT_OFFICER, scope=small_tree["TN"])
        client.force_login(officer)
        assert client.get(reverse("training:detail", args=[issued.event.pk])).context["print_job"] is None
        client.post(reverse("training:print", args=[issued.event.pk]))
        job = Job.objects.get(kind="certificates_print", created_by=officer)
        assert job.result == {"pages": 4}

    def test_organizer_download_and_scope(self, client, organizer, make_user, small_tree, issued):
        from bridges.models import Role

        cert = cert_of(issued, "0BS10")
        client.force_login(organizer)
        resp = client.get(reverse("training:certificate_pdf", args=[cert.pk]))
        assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
        client.force_login(make_user("tn", Role.Kind.DISTRICT_OFFICER, scope=small_tree["TN"]))
        assert client.get(reverse("training:certificate_pdf", args=[cert.pk])).status_code == 404
        assert client.get(f"/api/training/certificates/{cert.pk}/pdf").status_code == 404


class TestVerify:
    def test_answers(self, client, issued):
        cert = cert_of(issued, "0BS10")
        shown = codes.display(cert.code)
        ok = client.get(f"/verify/{shown.lower().replace('-', '')}")
        assert ok.status_code == 200
        body = ok.content.decode()
        assert cert.number in body and issued.event.title in body
        # Only what the certificate shows: no birth date, no school, no identifier.
        assert "29/02/1984" not in body and "Trường BS 1" not in body and "0BS10" not in body
        wrong_check = shown[:-1] + ("0" if shown[-1] != "0" else "1")
        bad = client.get(f"/verify/{wrong_check}")
        assert bad.status_code == 400 and bad.context["answer"]["result"] == "bad_check"
        unknown = codes.new_code()
        missing = client.get(f"/verify/{unknown}")
        assert missing.status_code == 404 and missing.context["answer"]["result"] == "not_found"
        assert client.get("/verify/xyz").status_code == 400

    def test_form_redirects_to_the_code(self, client, issued):
        cert = cert_of(issued, "0BS10")
        resp = client.get(reverse("verify"), {"code": codes.display(cert.code)})
        assert resp.status_code == 302 and resp["Location"].startswith("/verify/")

    def test_api_is_public(self, client, issued):
        cert = cert_of(issued, "0BS10")
        resp = client.get(f"/api/training/verify/{codes.display(cert.code)}")
        assert resp.status_code == 200
        data = resp.json()
        assert data["result"] == "valid" and data["holder_name"] == NAME_NFC and data["number"] == cert.number
        services.revoke(cert, reason="Gian lận")
        assert client.get(f"/api/training/verify/{cert.code}").json()["result"] == "revoked"
        assert client.get(f"/api/training/verify/{codes.new_code()}").status_code == 404

    def test_rate_limited(self, client, issued):
        code = codes.display(cert_of(issued, "0BS10").code)
        statuses = [client.get(f"/verify/{code}").status_code for _i in range(31)]
        assert statuses[:30] == [200] * 30 and statuses[30] == 429


class TestRevoke:
    def test_revoke_needs_a_reason_and_is_audited(self, client, organizer, issued):
        cert = cert_of(issued, "0BS10")
        client.force_login(organizer)
        assert client.post(reverse("training:revoke", args=[cert.pk]), {"reason": "  "}).status_code == 400
        cert.refresh_from_db()
        assert cert.is_valid
        api = client.post(f"/api/training/certificates/{cert.pk}/revoke", {"reason": "Sai tên"},
                          content_type="application/json")
        assert api.status_code == 200 and api.json()["status"] == "revoked"
        entry = AuditEntry.objects.get(action="training.certificate_revoked")
        assert entry.details["reason"] == "Sai tên" and cert.code not in str(entry.details) + entry.summary

    def test_bulk_does_not_replace_a_revoked_one_but_single_issue_does(self, client, organizer, issued):
        cert = cert_of(issued, "0BS10")
        services.revoke(cert, reason="Sai tên")
        assert services.issue_certificates(issued.event).issued == 0
        client.force_login(organizer)
        person = issued.people["0BS10"]
        resp = client.post(reverse("training:issue_person", args=[issued.event.pk, person.pk]))
        assert resp.status_code == 302
        fresh = Certificate.objects.get(event=issued.event, person=person, status="valid")
        assert fresh.seq == 11 and fresh.code != cert.code

    def test_non_organizers_cannot_revoke(self, client, make_user, small_tree, issued):
        from bridges.models import Role

        cert = cert_of(issued, "0BS10")
        client.force_login(make_user("bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"]))
        assert client.post(reverse("training:revoke", args=[cert.pk]), {"reason": "x"}).status_code == 403
        cert.refresh_from_db()
        assert cert.is_valid


class TestSelfService:
    def test_teacher_finds_and_downloads_own_certificates(self, client, issued):
        resp = client.post(reverse("my_certificates"), {"teacher_id": " 0BS10 ", "birth_date": "29/02/1984"})
        assert resp.status_code == 302
        page = client.get(reverse("my_certificates"))
        cert = cert_of(issued, "0BS10")
        assert cert.number in page.content.decode()
        pdf = client.get(reverse("my_certificate_pdf", args=[cert.pk]))
        assert pdf.status_code == 200 and NAME_NFC in _pdf_text(pdf.content)
        other = cert_of(issued, "0BS11")
        assert client.get(reverse("my_certificate_pdf", args=[other.pk])).status_code == 404

    def test_a_wrong_pair_says_only_not_found(self, client, issued):
        wrong_date = client.post(reverse("my_certificates"), {"teacher_id": "0BS10", "birth_date": "01/01/1984"})
        unknown_id = client.post(reverse("my_certificates"), {"teacher_id": "9999999", "birth_date": "01/01/1984"})
        assert wrong_date.status_code == unknown_id.status_code == 200
        assert wrong_date.context["not_found"] and unknown_id.context["not_found"]
        # The same page either way: nothing tells whether the identifier exists.
        bodies = [re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode()).replace(typed, "")
                  for r, typed in ((wrong_date, "0BS10"), (unknown_id, "9999999"))]
        assert bodies[0] == bodies[1]
        assert client.get(reverse("my_certificate_pdf", args=[cert_of(issued, "0BS10").pk])).status_code == 302

    def test_rate_limited(self, client, issued):
        statuses = [client.post(reverse("my_certificates"), {"teacher_id": f"x{i}", "birth_date": "01/01/1980"})
                    .status_code for i in range(11)]
        assert statuses[:10] == [200] * 10 and statuses[10] == 429

    def test_api(self, client, issued):
        resp = client.post("/api/training/self-service", {"teacher_id": "0BS10", "birth_date": "1984-02-29"},
                           content_type="application/json")
        assert resp.status_code == 200
        [row] = resp.json()
        assert row["number"] == cert_of(issued, "0BS10").number
        assert client.get(row["pdf_url"]).status_code == 200
        assert client.post("/api/training/self-service", {"teacher_id": "0BS10", "birth_date": "1984-02-28"},
                           content_type="application/json").status_code == 404


class TestConsole:
    def zip_url(self, token, event_id):
        return reverse("console_certificates_zip", args=[token]) + f"?event={event_id}"

    def test_school_zip_has_only_its_own_certificates(self, client, small_tree, issued):
        school = small_tree["BS-S1"]
        api = client.get(f"/api/console/{school.console_token}/certificates")
        assert api.status_code == 200 and api.json()[0]["count"] == 3
        assert api.json()[0]["zip_url"] == self.zip_url(school.console_token, issued.event.pk)
        resp = client.get(api.json()[0]["zip_url"])
        assert resp.status_code == 200 and resp["Content-Type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(resp.content))
        names = archive.namelist()
        assert len(names) == 3 and all(n.endswith(".pdf") for n in names)
        texts = [_pdf_text(archive.read(n)) for n in names]
        assert any(NAME_NFC in t for t in texts) and not any("TN" in t.split("\n")[0] for t in texts)

    def test_the_console_shows_the_certificates_section(self, client, small_tree, issued):
        token = small_tree["BS-S1"].console_token
        page = client.get(reverse("console", args=[token])).content.decode()
        assert 'id="certificates"' in page and issued.event.title in page
        assert self.zip_url(token, issued.event.pk) in page
        # A school without certificates has no such section.
        other = client.get(reverse("console", args=[small_tree["host"].console_token])).content.decode()
        assert 'id="certificates"' not in other

    def test_bad_token_or_training(self, client, small_tree, issued):
        assert client.get(self.zip_url("nope", issued.event.pk)).status_code == 404
        assert client.get("/api/console/nope/certificates").status_code == 404
        token = small_tree["BS-S1"].console_token
        assert client.get(self.zip_url(token, 999999)).status_code == 404
        assert client.get(reverse("console_certificates_zip", args=[token]) + "?event=x").status_code == 404


@pytest.mark.services
def test_issue_verify_revoke_on_the_configured_database(client, issued):
    cert = cert_of(issued, "0BS10")
    assert Certificate.objects.filter(event=issued.event).count() == 10
    assert services.issue_certificates(issued.event).issued == 0
    assert client.get(f"/verify/{codes.display(cert.code)}").context["answer"]["result"] == "valid"
    services.revoke(cert, reason="Sai")
    assert client.get(f"/verify/{cert.code}").context["answer"]["result"] == "revoked"
    statuses = [client.get(f"/verify/{cert.code}").status_code for _i in range(30)]
    assert statuses[-1] == 429


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_bulk_issues_never_duplicate_or_reuse_a_number(training):
    import threading

    from django.db import connection

    attend_all(training)
    errors = []

    def issue():
        try:
            services.issue_certificates(training.event)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    seqs = sorted(Certificate.objects.filter(event=training.event).values_list("seq", flat=True))
    assert seqs == list(range(1, 13))
