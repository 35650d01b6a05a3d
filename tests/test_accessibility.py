"""Accessibility and phone layouts, in headless Chromium on the demo data.

axe-core (shipped inside axe-playwright-python: nothing is downloaded at run time) finds no
critical or serious violation on the key pages, in Chinese and in English; and on a 390 px
phone the board, the desk visit page, the preparation overview and the approval queue do not
scroll sideways (their tables become stacked cards)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import override_settings

from reception.models import User
from tests.test_browser import browser  # noqa: F401 (the Chromium fixture)
from visits.models import (
    ExportJob,
    ExportKind,
    ExportStatus,
    VisitRequest,
    VisitStatus,
    WelcomeDisplay,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "jiedai-demo"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(four_tier):
    with override_settings(DEBUG=True):
        call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # "My exports" with a job being written and one that failed
    frontdesk = User.objects.get(username="frontdesk")
    for status in (ExportStatus.RUNNING, ExportStatus.FAILED):
        ExportJob.objects.create(
            owner=frontdesk,
            kind=ExportKind.VISITOR_LOG,
            fmt="xlsx",
            status=status,
            rows_total=40000,
            rows_done=10000,
            error="OSError: No space left on device",
        )
    # the open demo requests (JD-H… are the closed visits of the last six months)
    current = VisitRequest.objects.exclude(reference__startswith="JD-H")
    return {
        "vip": current.get(proposed_grade__code="vip", status=VisitStatus.SUBMITTED),
        "today": current.get(client__name="南方电网设备采购中心"),
        "token": WelcomeDisplay.objects.order_by("pk").first().token,
    }


def key_pages(demo) -> list[tuple[str, str]]:
    """(who, path) of the pages the issue names; who "" is nobody logged in."""
    return [
        ("", "/accounts/login/"),
        ("sales", "/"),
        ("sales", "/visits/new/"),
        ("sales", f"/visits/{demo['vip'].pk}/"),
        ("marketing", "/approvals/"),
        ("frontdesk", "/desk/"),
        ("frontdesk", "/desk/?big=1"),
        ("", f"/welcome/{demo['token']}/"),
        ("office", "/tasks/"),
        ("office", "/my-tasks/"),
        ("receptionist", "/preparation/"),
        ("frontdesk", "/exports/"),
    ]


def open_as(browser, live_server, who, language, viewport):  # noqa: F811
    context = browser.new_context(
        viewport=viewport, locale="en-US" if language == "en" else "zh-CN"
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    if who:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", who)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_key_pages_have_no_critical_or_serious_axe_violations(
    browser,  # noqa: F811
    live_server,
    demo,
    language,
):
    axe = Axe()
    found, checked = {}, 0
    pages = {}
    for who, path in key_pages(demo):
        if who not in pages:
            pages[who] = open_as(browser, live_server, who, language, DESKTOP)
        page = pages[who]
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        if "/welcome/" not in path:  # the lobby screen is bilingual, whoever looks
            assert page.locator("html").get_attribute("lang").lower() == language, path
        results = axe.run(page).response
        assert results["testEngine"]["version"].startswith("4."), "axe-core did not run"
        checked += 1
        bad = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
            for v in results["violations"]
            if v["impact"] in ("critical", "serious")
        ]
        if bad:
            found[f"{who or 'anonymous'} {path}"] = bad
    assert checked == len(key_pages(demo))
    assert found == {}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_desk_and_queue_pages_do_not_scroll_sideways_on_a_phone(
    browser,  # noqa: F811
    live_server,
    demo,
    language,
):
    pages = [
        ("frontdesk", "/desk/"),
        ("frontdesk", f"/desk/visits/{demo['today'].pk}/"),
        ("receptionist", "/preparation/"),
        ("marketing", "/approvals/"),
    ]
    wide = {}
    for who, path in pages:
        page = open_as(browser, live_server, who, language, PHONE)
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate(
            "Math.max(0, ...Array.from(document.querySelectorAll('.table-responsive'))"
            ".map(e => e.scrollWidth - e.clientWidth))"
        )
        if width > PHONE["width"] or inner > 0:
            wide[path] = (width, inner)
        page.context.close()
    assert wide == {}


def test_on_a_phone_a_board_row_is_a_card_with_its_column_names(
    browser,  # noqa: F811
    live_server,
    demo,
):
    page = open_as(browser, live_server, "frontdesk", "en", PHONE)
    page.goto(f"{live_server.url}/desk/")
    row = page.locator("table.board-table tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    assert row.locator("td").nth(1).get_attribute("data-label") == "Client"
    assert page.locator("table.board-table thead").bounding_box()["height"] <= 1
