"""The console's school-reports section in a real browser (Debian's chromium through Playwright) against a real
ASGI server: what is typed survives a reload (kept on the server), a refused total is shown next to the grid in
Vietnamese, a submission made offline waits in the queue and is sent once the connection is back."""

from datetime import timedelta

from django.utils import timezone

from schoolreports import services
from schoolreports.models import ReportAnswer, ReportSubmission
from tests.browser_support import BROWSER_MARKS

from .schoolreports_support import GRID

pytestmark = BROWSER_MARKS


def test_the_console_keeps_drafts_shows_refusals_and_queues_offline(browser, transactional_db, small_tree, server):
    form = services.copy_template("device_needs")
    round_ = services.publish_round(form, title="Máy tính cho em", deadline=timezone.now() + timedelta(days=3))
    school = small_tree["BS-S1"]
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/c/{school.console_token}/")
    section = page.locator("#schoolreports")
    assert "Máy tính cho em" in section.inner_text()
    cell = f'input[name="{GRID}__tieu_hoc__ho_ngheo"]'
    for name in page.eval_on_selector_all("#schoolreports input[data-grid]", "nodes => nodes.map(n => n.name)"):
        page.fill(f'input[name="{name}"]', "0")  # the grid is required: 0 where there is none
    page.fill(cell, "12")
    page.fill(f'input[name="{GRID}__thcs__ho_can_ngheo"]', "3")
    page.fill('input[name="tong_so_hs"]', "14")
    assert page.locator("[data-grand-total]").first.text_content() == "15"  # totals as the school types
    page.wait_for_function("() => /Đã lưu bản nháp/.test(document.querySelector('[data-draft-state]').textContent)",
                           timeout=10000)
    answer = ReportAnswer.objects.get(round=round_, bridge=school)
    assert answer.draft[f"{GRID}__tieu_hoc__ho_ngheo"] == "12" and not answer.submitted

    # Another device (no local copy) finds the draft the server kept.
    other = browser.new_context().new_page()
    other.goto(f"{server.url}/c/{school.console_token}/")
    assert other.input_value(cell) == "12" and other.input_value('input[name="tong_so_hs"]') == "14"
    other.context.close()

    # A total that does not match: the reason next to the grid, in Vietnamese; nothing kept.
    page.click("#schoolreports button[type=submit]")
    error = page.locator(f'[data-field="{GRID}"] > [data-field-error]')
    error.wait_for(timeout=10000)
    assert "phải bằng nhau" in error.text_content()
    assert not ReportSubmission.objects.exists()

    # Offline: the corrected submission waits in the queue (it survives a reload) and goes when back online.
    page.fill('input[name="tong_so_hs"]', "15")
    page.fill('input[name="typed_by"]', "Cô Lan")
    context.set_offline(True)
    page.click("#schoolreports button[type=submit]")
    page.wait_for_selector("[data-report-queue]:not(.hidden)", timeout=5000)
    assert not ReportSubmission.objects.exists()
    context.set_offline(False)
    page.wait_for_function("() => /Cảm ơn/.test(document.body.textContent)", timeout=20000)
    answer.refresh_from_db()
    assert answer.submitted and answer.values["tong_so_hs"] == 15 and answer.typed_by == "Cô Lan"
    assert ReportSubmission.objects.filter(answer=answer).count() == 1
    assert page.locator("#schoolreports .badge.created").count() == 1  # "sent"
    context.close()
