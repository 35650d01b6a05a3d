"""On a phone, in headless Chromium: the project engineer ticks his task with a note on
"My tasks" and undoes it, in place (htmx), without the page scrolling sideways."""

import pytest

from reception.accounts.roles import Role
from reception.models import ClientCategory
from tests.factories import ClientFactory, approve_fully, file_visit, user_with
from tests.test_browser import browser  # noqa: F401 (the Chromium fixture)
from visits.models import PrepStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def test_the_engineer_ticks_and_undoes_his_task_on_a_phone(
    browser,  # noqa: F811
    live_server,
    four_tier,
    staff,
):
    engineer = user_with(Role.PROJECT_ENGINEER, username="eng")
    client = ClientFactory(category=ClientCategory.EXISTING_TECHNICAL, account_owner=engineer)
    visit = approve_fully(file_visit(engineer, four_tier["business"], client=client))
    task = visit.prep_tasks.get(template__code="engineer-technical-preparation")
    page = browser.new_context(locale="en-US", viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "eng")
    page.fill("#id_password", "pw")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(live_server.url + engineer.notifications.get(kind="tasks").url)
    row = page.locator(f"#task-{task.pk}")
    row.locator("input[type=text]").fill("议题已确认")
    row.locator("button:has-text('Done')").click()
    page.wait_for_selector(f"#task-{task.pk} >> text=Undo")  # swapped in place
    task.refresh_from_db()
    assert (task.status, task.note) == (PrepStatus.DONE, "议题已确认")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator(f"#task-{task.pk} >> button:has-text('Undo')").click()
    page.wait_for_selector(f"#task-{task.pk} >> button:has-text('Done')")
    task.refresh_from_db()
    assert task.status == PrepStatus.OPEN
