"""The reports page on a phone and with the keyboard, in headless Chromium on the demo data:
chart labels at 12 px or more that never run into each other, wide tables reachable as
scroll regions (axe: scrollable-region-focusable), and export links that show a spinner until
the file arrives."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.test_accessibility import DESKTOP, PHONE, demo, open_as  # noqa: F401 (fixtures)
from tests.test_browser import browser  # noqa: F401 (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every visible chart text: its font size in CSS pixels and its box on screen.
LABELS = """() => Array.from(document.querySelectorAll(
    '.report-chart-axis span, .report-chart-label')).filter(el =>
    getComputedStyle(el).visibility === 'visible' && el.getClientRects().length
  ).map(el => {
    const box = el.getBoundingClientRect();
    const text = document.createRange();
    text.selectNodeContents(el);
    const ink = text.getBoundingClientRect();
    return {chart: el.closest('section').id, text: el.textContent,
            size: parseFloat(getComputedStyle(el).fontSize),
            left: ink.left, right: ink.right, top: box.top, bottom: box.bottom,
            label: el.classList.contains('report-chart-label')};
  })"""


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    """Row labels of one chart whose text runs into the next one's."""
    found = []
    for chart in {label["chart"] for label in labels}:
        row = sorted(
            (label for label in labels if label["chart"] == chart and label["label"]),
            key=lambda label: label["left"],
        )
        for a, b in zip(row, row[1:], strict=False):
            if a["right"] > b["left"] - 2:
                found.append((a["text"], b["text"]))
    return found


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_chart_labels_are_12_px_or_more_and_never_run_into_each_other(
    browser,  # noqa: F811
    live_server,
    demo,  # noqa: F811
    viewport,
):
    page = open_as(browser, live_server, "gm", "en", viewport)
    page.goto(live_server.url + "/reports/")
    labels = page.evaluate(LABELS)
    assert len({label["chart"] for label in labels}) >= 5
    assert [label["text"] for label in labels if label["size"] < 12] == []
    assert overlapping(labels) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]  # the page itself never scrolls sideways


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_reports_page_has_no_serious_axe_violations_on_a_phone(
    browser,  # noqa: F811
    live_server,
    demo,  # noqa: F811
    language,
):
    page = open_as(browser, live_server, "gm", language, PHONE)
    page.goto(live_server.url + "/reports/")
    page.wait_for_load_state("networkidle")
    results = Axe().run(page).response
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results["violations"]
        if v["impact"] in ("critical", "serious")
    ]
    assert bad == []
    # The wide tables are regions the keyboard reaches (Tab), named by their headings.
    regions = page.locator(".table-responsive[role=region][tabindex='0']")
    assert regions.count() >= 5
    assert regions.first.get_attribute("aria-labelledby")


def test_an_export_link_spins_until_the_file_arrives(browser, live_server, demo):  # noqa: F811
    page = open_as(browser, live_server, "gm", "en", DESKTOP)
    page.goto(live_server.url + "/reports/")
    link = page.locator("#visits-by-grade a[data-download]").first
    # Record whether the link was ever marked busy (it may be over before we look).
    link.evaluate(
        """el => new MutationObserver(() => {
             if (el.getAttribute('aria-busy') === 'true') window.wasBusy = true;
           }).observe(el, {attributes: true})"""
    )
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("report-visits-by-grade")
    page.wait_for_function(
        "el => !el.hasAttribute('aria-busy') && !el.querySelector('.download-spinner')",
        arg=link.element_handle(),
    )
    assert page.evaluate("window.wasBusy") is True
    assert "download=" in link.get_attribute("href")
