"""In headless Chromium: the front desk checks a visitor in from the arrivals board with one
click and undoes it, without the page reloading (htmx); the walk-in form's host picker finds
张伟 by his pinyin."""

import pytest
from playwright.sync_api import expect

from reception.accounts.roles import Role
from reception.models import Department, StaffMembership
from tests.factories import user_with
from tests.test_browser import browser, csp_violations, log_in  # noqa: F401 (fixtures)
from tests.visits.test_board import approved_tomorrow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_click_checks_a_visitor_in_on_the_board_and_undo_takes_it_back(
    browser,  # noqa: F811
    live_server,
    four_tier,
    sales,
    staff,
    csp_violations,  # noqa: F811
):
    visit = approved_tomorrow(sales, four_tier["routine"])
    first, second = visit.visitors.order_by("pk")[:2]
    user_with(Role.FRONT_DESK, username="desk")
    page = log_in(browser, live_server, "desk", csp_violations)
    page.goto(f"{live_server.url}/desk/?tab=tomorrow")
    page.evaluate("window.notReloaded = true")  # gone if the page loads again

    page.locator(f"button.board-check-in[data-visitor='{first.pk}']").click()
    page.locator("#board-body .desk-undo-button").wait_for()
    assert page.locator(f"button.board-check-in[data-visitor='{first.pk}']").count() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.checked_in_at is not None and second.checked_in_at is None

    page.locator("#board-body .desk-undo-button").click()
    page.locator(f"button.board-check-in[data-visitor='{first.pk}']").wait_for()
    assert page.locator("#board-body .desk-undo").count() == 0
    first.refresh_from_db()
    assert first.checked_in_at is None
    assert page.evaluate("window.notReloaded") is True
    assert csp_violations == []


def test_the_walk_in_host_picker_finds_zhang_wei_by_pinyin(
    browser,  # noqa: F811
    live_server,
    four_tier,
    staff,
    csp_violations,  # noqa: F811
):
    marketing = Department.objects.get(code="marketing")
    zhang = user_with(Role.SALES, username="zw", full_name="张伟")
    StaffMembership.objects.get_or_create(user=zhang, department=marketing)
    user_with(Role.SALES, username="lina", full_name="李娜")
    user_with(Role.SECURITY, username="guard")
    page = log_in(browser, live_server, "guard", csp_violations)
    page.goto(f"{live_server.url}/desk/walk-ins/new/")
    for typed in ("zw", "zhangwei"):
        page.click("#div_id_wants_to_see .ts-control")
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
        page.keyboard.type(typed)
        options = page.locator("#div_id_wants_to_see .ts-dropdown .option:not([data-value=''])")
        expect(options).to_have_count(1)  # the server's answer for what was typed
        assert "张伟" in options.inner_text()
        assert "Marketing" in options.inner_text()  # the department beside the name
        page.keyboard.press("Escape")
    page.click("#div_id_wants_to_see .ts-control")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type("zw")
    page.locator("#div_id_wants_to_see .ts-dropdown .option", has_text="张伟").click()
    assert page.locator("#id_wants_to_see").input_value() == str(zhang.pk)
    assert csp_violations == []
