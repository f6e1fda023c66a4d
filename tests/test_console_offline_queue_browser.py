"""The console's one offline queue (static/js/offline_queue.js) carries school-report submissions, in a real
browser (Debian's chromium through Playwright) against a real ASGI server: typed into a report, sent while
offline, the page reloaded before the connection serves the API again, then back: it lands once."""

import json
from datetime import timedelta

from django.utils import timezone

from schoolreports import services
from schoolreports.models import ReportAnswer, ReportSubmission
from tests.browser_support import BROWSER_MARKS

pytestmark = BROWSER_MARKS
SUBMIT = "**/api/console/*/school-reports/*/submit"


def test_a_report_sent_offline_survives_a_reload_and_lands_once(browser, transactional_db, small_tree, server):
    form = services.copy_template("replication")
    round_ = services.publish_round(form, title="Kết quả nhân rộng", deadline=timezone.now() + timedelta(days=3))
    school = small_tree["TN-S1"]
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/c/{school.console_token}/")
    report = page.locator(f'#schoolreports form[data-round="{round_.pk}"]')
    report.locator('input[name="hs_duoc_tap_huan"]').fill("40")
    report.locator('input[name="so_lop"]').fill("2")
    report.locator('input[name="gv_huong_dan"]').fill("1")
    report.locator('input[name="typed_by"]').fill("Thầy Minh")

    context.set_offline(True)
    report.locator("button[type=submit]").click()
    page.wait_for_selector("[data-report-queue]:not(.hidden)", timeout=5000)
    # In the console's one queue (the key the live section uses too), with its nonce.
    stored = json.loads(page.evaluate(f"localStorage.getItem('diemcau.console-queue.{school.pk}')"))
    assert [(i["kind"], i["payload"]["round"], i["payload"]["values"]["hs_duoc_tap_huan"]) for i in stored] == \
        [("school_report", round_.pk, "40")]
    nonce = stored[0]["nonce"]
    assert not ReportSubmission.objects.exists()

    # The page reloads while the API still cannot be reached (only the page itself loads): nothing is lost.
    page.route(SUBMIT, lambda route: route.abort("internetdisconnected"))
    context.set_offline(False)
    page.reload()
    page.wait_for_selector("[data-report-queue]:not(.hidden)", timeout=5000)
    assert page.input_value(f'form[data-round="{round_.pk}"] input[name="hs_duoc_tap_huan"]') == "40"
    page.wait_for_timeout(1500)  # a send was tried and failed: still waiting, still one item
    kept = json.loads(page.evaluate(f"localStorage.getItem('diemcau.console-queue.{school.pk}')"))
    assert [i["nonce"] for i in kept] == [nonce]
    assert not ReportSubmission.objects.exists()

    # Back: the queue's retry sends it, once.
    page.unroute(SUBMIT)
    page.wait_for_function("() => /Cảm ơn/.test(document.body.textContent)", timeout=30000)
    answer = ReportAnswer.objects.get(round=round_, bridge=school)
    assert answer.submitted and answer.values["hs_duoc_tap_huan"] == 40 and answer.typed_by == "Thầy Minh"
    assert ReportSubmission.objects.filter(answer=answer).count() == 1
    assert page.evaluate(f"localStorage.getItem('diemcau.console-queue.{school.pk}')") == "[]"
    context.close()


def test_a_school_attaches_a_file_from_its_console(browser, transactional_db, small_tree, server, tmp_path):
    form = services.copy_template("replication")
    round_ = services.publish_round(form, title="Kết quả nhân rộng", deadline=timezone.now() + timedelta(days=3))
    school = small_tree["BS-S2"]
    minutes = tmp_path / "bien-ban.pdf"
    minutes.write_bytes(b"%PDF-1.4 bien ban nhan rong")
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/c/{school.console_token}/")
    report = page.locator(f'#schoolreports form[data-round="{round_.pk}"]')
    report.locator('input[data-file-for="tai_lieu"]').set_input_files(str(minutes))
    page.wait_for_function("() => /bien-ban.pdf/.test(document.querySelector('[data-file-name=tai_lieu]').textContent)",
                           timeout=10000)
    report.locator('input[name="hs_duoc_tap_huan"]').fill("35")
    report.locator('input[name="so_lop"]').fill("1")
    report.locator('input[name="gv_huong_dan"]').fill("1")
    report.locator("button[type=submit]").click()
    page.wait_for_function("() => /Cảm ơn/.test(document.body.textContent)", timeout=20000)
    answer = ReportAnswer.objects.get(round=round_, bridge=school)
    (attached,) = answer.attachments.all()
    assert answer.values["tai_lieu"] == attached.pk and attached.name == "bien-ban.pdf"
    assert attached.file.read() == b"%PDF-1.4 bien ban nhan rong"
    # After the reload the console names the file the answer holds.
    assert "bien-ban.pdf" in page.locator(f'form[data-round="{round_.pk}"] [data-file-name="tai_lieu"]').text_content()
    context.close()
