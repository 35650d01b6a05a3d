"""End to end in headless Chromium: the JavaScript parts (adding visitor rows, htmx approval
in place) work in a real browser. Uses Debian's /usr/bin/chromium; never downloads one."""

import os
import shutil
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from reception.accounts.roles import Role
from reception.models import ClientContact
from tests.factories import ClientFactory, user_with
from visits.models import VisitRequest, VisitStatus, WalkIn

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM next to sync Playwright
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: `make test` installs it (scripts/install-os-deps.sh)")
        pytest.skip("Chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()
        # The ORM ran inside Playwright's context: close its connection here, or PostgreSQL
        # refuses to drop the test database at the end.
        connections.close_all()


@pytest.fixture
def csp_violations():
    """What Chromium refused under the Content-Security-Policy, from its console."""
    return []


def log_in(browser, live_server, username, violations):
    page = browser.new_context(locale="en-US").new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def choose(page, field: str, typed: str, label: str) -> None:
    """Pick an option of a searched select (Tom Select asking the server): type, wait for
    the server's match shown as `label`, click it."""
    page.click(f"#div_id_{field} .ts-control")
    page.keyboard.type(typed)
    page.locator(f"#div_id_{field} .ts-dropdown .option", has_text=label).click()


def test_a_request_filed_and_graded_in_the_browser(
    browser, live_server, four_tier, sales, staff, csp_violations
):
    client = ClientFactory(name="远航汽车零部件集团", name_en="Yuanhang Auto Parts")
    ClientContact.objects.create(client=client, name="孙立群", title="采购副总裁")
    page = log_in(browser, live_server, sales.username, csp_violations)
    page.goto(f"{live_server.url}/visits/new/")
    choose(page, "client", "远航", "Yuanhang Auto Parts")  # the English page shows English
    page.wait_for_selector("text=孙立群")  # htmx brought the client's contacts
    page.check("input[name=contacts]")
    page.select_option("#id_proposed_grade", label="VIP")
    page.check("input[name=purposes][value=inspection]")
    page.fill("#id_reason", "考察生产线")
    arrival = timezone.localtime() + timedelta(days=7)
    page.fill("#id_arrival_at", arrival.strftime("%Y-%m-%dT09:30"))
    page.fill("#id_departure_at", arrival.strftime("%Y-%m-%dT17:00"))
    page.fill("#id_headcount", "2")
    page.fill("#id_visitors-0-name", "孙立群")
    page.click("[data-formset-add=visitors]")  # JavaScript adds a row
    page.fill("#id_visitors-1-name", "赵晓彤")
    page.click("button[name=submit]")
    page.wait_for_url(f"{live_server.url}/visits/*/")
    visit = VisitRequest.objects.get()
    assert visit.status == VisitStatus.SUBMITTED
    assert [v.name for v in visit.visitors.all()] == ["孙立群", "赵晓彤"]

    page = log_in(browser, live_server, staff.marketing.username, csp_violations)
    page.goto(f"{live_server.url}/approvals/")
    card = page.locator(f"#step-{visit.approval_steps.get(state='pending').pk}")
    card.locator("button[value=approved]").click()
    card.locator("text=The request is now: In approval").wait_for()  # swapped in place
    assert page.url == f"{live_server.url}/approvals/"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_APPROVAL
    assert csp_violations == []  # htmx, Bootstrap and our script ran under the policy


def test_a_walk_in_from_the_gate_to_check_in(
    browser, live_server, four_tier, staff, csp_violations
):
    """Security records → the front desk sees them waiting → the host accepts → the visit is
    on today's board → the front desk checks them in."""
    guard = user_with(Role.SECURITY, username="guard")
    desk = user_with(Role.FRONT_DESK, username="desk")
    host = staff.deputy_gm

    gate = log_in(browser, live_server, guard.username, csp_violations)
    gate.goto(f"{live_server.url}/desk/walk-ins/new/")
    gate.fill("#id_company", "星河电子有限公司")
    gate.fill("#id_names", "王强、李明")
    gate.fill("#id_headcount", "2")
    gate.fill("#id_phone", "13900001111")
    choose(gate, "wants_to_see", "yangjun", "杨军")  # searched on the server, by pinyin
    gate.fill("#id_purpose", "了解产品")
    gate.click("main button[type=submit]")
    gate.wait_for_url(f"{live_server.url}/desk/walk-ins/")

    front = log_in(browser, live_server, desk.username, csp_violations)
    front.goto(f"{live_server.url}/desk/")
    front.wait_for_selector("#gate-panel >> text=星河电子有限公司")

    person = log_in(browser, live_server, host.username, csp_violations)
    walk_in = WalkIn.objects.get()
    person.goto(f"{live_server.url}/walk-ins/{walk_in.pk}/")
    person.click("button[value=accept]")
    person.wait_for_url(f"{live_server.url}/visits/*/")

    front.goto(f"{live_server.url}/desk/")
    assert front.locator("#gate-panel").count() == 0
    front.click("table.board-table >> text=星河电子有限公司")
    front.wait_for_url(f"{live_server.url}/desk/visits/*/")
    front.click("text=Check in all")
    front.wait_for_selector("tr.table-success >> text=王强")
    visit = WalkIn.objects.get().visit
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_PROGRESS
    assert csp_violations == []  # the walk-in pages ran under the policy
