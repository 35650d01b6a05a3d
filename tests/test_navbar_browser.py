"""The navbar of a person with many roles (the administrator, in English, where the labels
are longest) keeps one line on a laptop: the first entries stand in the bar and the rest
are under "More"; a phone's menu lists every entry."""

import pytest

from reception.accounts.roles import Role
from tests.factories import user_with
from tests.test_browser import browser  # noqa: F401 (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def administrator(db):
    user = user_with(Role.ADMINISTRATOR, username="boss", is_superuser=True, is_staff=True)
    return user


def open_home(browser, live_server, width, height):  # noqa: F811
    page = browser.new_context(locale="en-US", viewport={"width": width, "height": height})
    page = page.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.parametrize("width", [1200, 1366])
def test_the_administrators_navbar_keeps_one_line_on_a_laptop(
    browser,  # noqa: F811
    live_server,
    administrator,
    width,
):
    page = open_home(browser, live_server, width, 900)
    assert page.evaluate("document.querySelector('nav').getBoundingClientRect().height") < 70
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    reports = page.locator("nav .dropdown-menu a", has_text="Reports")
    assert reports.is_hidden()
    page.click("nav a.dropdown-toggle:has-text('More')")
    assert reports.is_visible()


def test_a_phone_menu_lists_every_entry(browser, live_server, administrator):  # noqa: F811
    page = open_home(browser, live_server, 390, 844)
    page.click("nav .navbar-toggler")
    page.locator("#mainnav").wait_for(state="visible")
    page.wait_for_timeout(400)  # the menu slides open
    menu = page.locator("#mainnav > ul.navbar-nav").first
    assert menu.locator("a.nav-link", has_text="Reports").is_visible()
    assert menu.locator("a.nav-link", has_text="Visit requests").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
