"""The visit list's applicant filter in headless Chromium: the applicant is found by typing
(the page holds no list of everyone), and a click on "Filter" right after choosing filters."""

import pytest

from tests.factories import approve_fully, file_visit
from tests.test_browser import (  # noqa: F401 (the Chromium fixtures)
    browser,
    choose,
    csp_violations,
    log_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_receptionist_filters_the_list_by_an_applicant_found_by_typing(
    browser,  # noqa: F811
    live_server,
    four_tier,
    sales,
    other_sales,
    staff,
    csp_violations,  # noqa: F811
):
    mine = file_visit(sales, four_tier["routine"])
    theirs = file_visit(other_sales, four_tier["routine"])
    approve_fully(mine), approve_fully(theirs)  # the receptionist's list: approved visits
    page = log_in(browser, live_server, staff.receptionist.username, csp_violations)
    page.goto(f"{live_server.url}/visits/")
    assert page.locator("#id_applicant option").count() <= 1  # only "Anyone"

    choose(page, "applicant", "李", other_sales.full_name)
    page.click("form.filter-form button[type=submit]")  # the search box still has focus
    page.wait_for_url(f"**/visits/?*applicant={other_sales.pk}*")

    rows = page.locator("table tbody").inner_text()
    assert theirs.reference in rows and mine.reference not in rows
    assert not csp_violations
