"""The reports and training tables at the province's screen, 1366×768 (issue 14), in Debian's chromium against a
real server: no sideways scroll, the attendance and completion columns in view, numbers written the Vietnamese
way, and every other figure of a row in its details, opened from the row's first cell."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from attendance.models import RollCall
from bridges.models import Role
from tests.browser_support import BROWSER_MARKS, DESKTOP, logged_in_page
from tests.report_data import make_attended_event

pytestmark = BROWSER_MARKS
FITS = """(selector) => { const wrap = document.querySelector(selector).closest('.table-wrap');
  return {scroll: wrap.scrollWidth, client: wrap.clientWidth,
          page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth}; }"""


@pytest.fixture
def page(transactional_db, small_tree, server, browser, make_user):
    with logged_in_page(browser, server, make_user("lanhdao", Role.Kind.OFFICIAL)) as page:
        yield page


def long_day(tree):
    """The report event with three roll calls held, labelled as people label them, and a long district name."""
    facts = make_attended_event(tree)
    event = facts["event"]
    labels = ("Điểm danh đầu buổi sáng", "Điểm danh giữa buổi", "Điểm danh cuối buổi chiều")
    for rc, label in zip(RollCall.objects.filter(session__event=event).order_by("opened_at"), labels, strict=True):
        rc.label = label
        if rc.opened_at > event.starts_at + timedelta(hours=3):
            rc.opened_at = event.starts_at + timedelta(minutes=150)
            rc.closes_at = rc.opened_at + timedelta(minutes=5)
        rc.save()
    district = tree["BS"]
    district.name = "Phòng Giáo dục và Đào tạo huyện Bình Sơn"
    district.save()
    return event


def assert_fits(page, selector: str) -> None:
    sizes = page.evaluate(FITS, selector)
    assert sizes["scroll"] <= sizes["client"], sizes
    assert sizes["page"] <= sizes["viewport"], sizes


def assert_in_view(page, header) -> None:
    box = header.bounding_box()
    assert header.is_visible() and box is not None and box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"]


def test_the_report_tables_fit_1366_and_open_their_details(page, server, small_tree):
    event = long_day(small_tree)
    page.goto(f"{server.url}{reverse('reports:reports', args=[event.pk])}")
    for table in ("#report-districts", "#report-bridges"):
        assert_fits(page, table)
        for column in ("rate", "completed", "completed_pct"):
            assert_in_view(page, page.locator(f"{table} thead th[data-col={column}]"))
    for label in ("Điểm danh đầu buổi sáng", "Điểm danh giữa buổi", "Điểm danh cuối buổi chiều"):
        assert_in_view(page, page.locator("#report-districts thead th", has_text=label))  # present per roll call

    # The numbers are written the Vietnamese way (87,6 %).
    row = page.locator("#report-districts tbody.report-row", has_text="Bình Sơn").first
    rate = row.locator("td[data-col=rate]").inner_text()
    assert rate.endswith("\u00a0%") and "," in rate, rate

    # Details: closed at first, opened from the district's name, beside the row, and the table still fits.
    details = row.locator("tr.row-details")
    assert not details.is_visible()
    row.locator("summary").click()
    details.wait_for(state="visible", timeout=5000)
    text = details.inner_text()
    with translation.override("vi"):
        assert gettext("Minutes connected (mean per bridge)") in text and "30,0" in text, text
    assert_fits(page, "#report-districts")
    assert page.errors == []


def test_the_training_completion_table_fits_1366(page, server, small_tree):
    event = long_day(small_tree)
    page.goto(f"{server.url}{reverse('training:detail', args=[event.pk])}")
    assert_fits(page, "#training-completion")
    for column in ("completed", "completed_pct"):
        assert_in_view(page, page.locator(f"#training-completion thead th[data-col={column}]"))
    total = page.locator("#training-completion tfoot th").nth(3).inner_text()
    assert total.endswith("\u00a0%") and "," in total, total
    assert page.errors == []


def test_the_eligibility_list_reads_on_a_phone_and_fits_1366(page, server, small_tree):
    """At 1366 px the whole table is in view; at 390 px each person is a card, its figures labelled."""
    event = long_day(small_tree)
    url = f"{server.url}{reverse('training:eligibility', args=[event.pk])}"
    page.goto(url)
    assert_fits(page, "table.cards")
    assert_in_view(page, page.locator("table.cards thead th").last)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    card = page.locator("table.cards tbody tr").first
    box = card.bounding_box()
    assert box is not None and box["width"] <= 390
    with translation.override("vi"):
        label = gettext("Present")
    present = card.locator("td[data-label]").nth(2)
    assert present.get_attribute("data-label") == label
    shown = page.evaluate("(td) => getComputedStyle(td, '::before').content", present.element_handle())
    assert label in shown, shown
    assert page.errors == []
