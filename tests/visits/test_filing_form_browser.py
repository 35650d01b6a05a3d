"""The filing form's helpers in headless Chromium: a ticked contact becomes a visitor row,
the headcount follows the rows (a larger number typed by hand stays), the companions are
picked by typing, and the late reason appears only for dates inside the lead time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reception.models import ClientContact
from tests.factories import ClientFactory
from tests.test_browser import browser, choose  # noqa: F401 (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def form_page(browser, live_server, four_tier, sales, staff):  # noqa: F811
    client = ClientFactory(name="远航汽车零部件集团", name_en="Yuanhang Auto Parts")
    ClientContact.objects.create(
        client=client, name="孙立群", title="采购副总裁", phone="13900139002"
    )
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", sales.username)
    page.fill("#id_password", "pw")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/visits/new/")
    choose(page, "client", "远航", "Yuanhang Auto Parts")  # the English page shows English
    page.wait_for_selector("text=孙立群")  # htmx brought the client's contacts
    return page


def day(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT10:00")


def test_ticking_a_contact_adds_them_as_a_visitor(form_page):
    form_page.check("input[name=contacts]")
    assert form_page.input_value("#id_visitors-0-name") == "孙立群"
    assert form_page.input_value("#id_visitors-0-title") == "采购副总裁"
    assert form_page.input_value("#id_visitors-0-phone") == "13900139002"
    form_page.uncheck("input[name=contacts]")
    assert form_page.input_value("#id_visitors-0-name") == ""


def test_the_headcount_follows_the_rows_unless_a_larger_number_is_typed(form_page):
    form_page.fill("#id_visitors-0-name", "孙立群")
    form_page.click("[data-formset-add=visitors]")
    form_page.fill("#id_visitors-1-name", "赵晓彤")
    assert form_page.input_value("#id_headcount") == "2"
    form_page.fill("#id_headcount", "6")  # names to follow
    form_page.click("[data-formset-add=visitors]")
    form_page.fill("#id_visitors-2-name", "Peter Lee")
    assert form_page.input_value("#id_headcount") == "6"


def test_companions_are_picked_by_typing_a_name(form_page, staff):
    companion = staff.deputy_gm
    companion.full_name = "Quentin Zhao"  # a name no other (random) user shares
    companion.save()
    form_page.reload()
    form_page.click("#div_id_accompanying_staff .ts-control")
    form_page.keyboard.type("Quentin")
    # The match is offered in the dropdown before it is chosen (pressing Enter before the
    # dropdown has filtered would submit the form instead).
    option = form_page.locator(".ts-dropdown .option", has_text="Quentin Zhao")
    option.wait_for(state="visible")
    form_page.keyboard.press("Enter")
    form_page.wait_for_selector("#div_id_accompanying_staff .ts-control .item")
    chosen = form_page.eval_on_selector(
        "#id_accompanying_staff", "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    assert chosen == [str(companion.pk)]


def test_the_late_reason_appears_only_for_a_late_arrival(form_page):
    box = form_page.locator("#late-reason-field")
    assert box.is_hidden()
    form_page.fill("#id_arrival_at", day(1))
    form_page.dispatch_event("#id_arrival_at", "change")
    assert box.is_visible()
    form_page.fill("#id_arrival_at", day(10))
    form_page.dispatch_event("#id_arrival_at", "change")
    assert box.is_hidden()
