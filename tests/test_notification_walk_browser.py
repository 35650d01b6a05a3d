"""Every demo role's bell and home page, walked in headless Chromium: each notification link
lands on the item it names (its visit's reference is on the page, its anchor exists, the page
is no error page). The demo is loaded as `make run` loads it."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.test_browser import browser  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = re.compile(r"JD-\d{4}-\d{5}")
DEMO_PASSWORD = "jiedai-demo"


def _log_in(browser, live_server, username):  # noqa: F811
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def _check_landing(page, response, named: str, where: str) -> None:
    assert response is None or response.status < 400, (
        f"{where}: {named!r} answered {response.status}"
    )
    body = page.inner_text("body")
    for reference in REFERENCE.findall(named):
        assert reference in body, f"{where}: {named!r} landed on {page.url} without {reference}"
    fragment = page.url.partition("#")[2]
    if fragment:
        assert page.locator(f"[id='{fragment}']").count() == 1, f"{where}: #{fragment} missing"


def test_every_bell_and_home_link_lands_on_its_item(browser, live_server):  # noqa: F811
    from django.contrib.auth import get_user_model

    call_command("load_policy", "four-tier", verbosity=0)
    with override_settings(DEBUG=True):
        call_command("demo", stdout=StringIO())
    followed = 0
    for user in get_user_model().objects.filter(is_active=True).order_by("username"):
        context, page = _log_in(browser, live_server, user.username)
        # The home page's unread items first (opening one reads it).
        home = page.locator("main a[href*='/notifications/'][href$='/open/']")
        links = [
            (home.nth(i).get_attribute("href"), home.nth(i).inner_text().strip())
            for i in range(home.count())
        ]
        for href, text in links:
            response = page.goto(f"{live_server.url}{href}")
            _check_landing(page, response, text, f"{user.username} home")
            followed += 1
        # The bell's list: every notification, read or not (a few a role in the demo).
        page.goto(f"{live_server.url}/notifications/")
        titles = [t.strip() for t in page.locator("main .list-group form strong").all_inner_texts()]
        for index, title in enumerate(titles):
            page.goto(f"{live_server.url}/notifications/")
            with page.expect_navigation() as navigation:
                page.locator("main .list-group form button").nth(index).click()
            page.wait_for_load_state()
            _check_landing(page, navigation.value, title, f"{user.username} bell")
            followed += 1
        context.close()
    print(f"followed {followed} notification links")
    assert followed > 20
