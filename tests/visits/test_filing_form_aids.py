"""The filing form helps: the headcount follows the named visitors, the fields needed to
submit are marked from the service's one list, long selects are searchable, the late reason
shows only when the request is late, visitor inputs are labelled, a draft says so."""

import re

import pytest
from django.urls import reverse

from tests.factories import ClientFactory
from tests.visits.test_filing_page import NEW, post_data, when
from visits.models import VisitRequest, VisitStatus
from visits.services.requests import REQUIRED_TO_SUBMIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(login, sales):
    return login(sales)


@pytest.fixture
def client_co(db):
    return ClientFactory(name="远航汽车零部件集团")


def wrapper_classes(page: str, field: str) -> str:
    """The classes of the column that holds a field on the filing form."""
    column = re.search(
        rf'<div class="(col[^"]*)">(?:(?!<div class="col).)*?id="(?:div_)?id_{field}',
        page,
        re.S,
    )
    return column.group(1)


def test_the_fields_needed_to_submit_are_marked_from_the_services_list(browser):
    page = browser.get(NEW).content.decode()
    for field in REQUIRED_TO_SUBMIT:
        assert "submit-required" in wrapper_classes(page, field), field
    for field in ("notes", "meeting_room", "headcount"):
        assert "submit-required" not in wrapper_classes(page, field), field


def test_an_empty_headcount_takes_the_number_of_named_visitors(browser, four_tier, client_co):
    visitors = [("孙立群", "", ""), ("赵晓彤", "", ""), ("Peter Lee", "", "")]
    data = post_data(four_tier["vip"], client_co, visitors=visitors, save="1")
    browser.post(NEW, data | {"headcount": ""})
    assert VisitRequest.objects.get().headcount == 3


def test_a_headcount_above_the_named_visitors_is_kept_for_names_to_follow(
    browser, four_tier, client_co
):
    data = post_data(four_tier["vip"], client_co, save="1")
    browser.post(NEW, data | {"headcount": "5"})
    assert VisitRequest.objects.get().headcount == 5


def test_long_selects_are_searchable(browser):
    page = browser.get(NEW).content.decode()
    for field in ("client", "main_host", "accompanying_staff"):
        assert re.search(rf'<select name="{field}"[^>]*data-searchable', page), field
    assert "vendor/tom-select/tom-select.complete.min.js" in page


def test_the_late_reason_is_hidden_until_the_dates_make_the_request_late(
    browser, four_tier, client_co
):
    assert re.search(r'id="late-reason-field"\s+hidden', browser.get(NEW).content.decode())
    late = post_data(four_tier["routine"], client_co, arrival_at=when(1), submit="1")
    response = browser.post(NEW, late | {"departure_at": when(1, 17)})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="late-reason-field">' in page  # shown, with the server's error
    assert "late_reason" in response.context["form"].errors


def test_the_form_tells_the_script_the_lead_time_and_filing_day(browser, four_tier):
    page = browser.get(NEW).content.decode()
    assert 'data-lead-time-days="3"' in page and "data-filed-on=" in page


def test_every_visitor_input_has_a_label(browser):
    page = browser.get(NEW).content.decode()
    for field, label in (("name", "Name"), ("title", "Title"), ("phone", "Phone")):
        assert re.search(rf'<input[^>]*aria-label="{label}"[^>]*id="id_visitors-0-{field}"', page)


def test_a_draft_says_saved_as_draft_not_filed(browser, four_tier, client_co):
    browser.post(NEW, post_data(four_tier["vip"], client_co, save="1"))
    visit = VisitRequest.objects.get()
    assert visit.status == VisitStatus.DRAFT
    page = browser.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Saved as a draft by" in page and "Saved as draft" in page
    assert "Filed by" not in page


def test_a_submitted_request_says_filed(browser, four_tier, client_co, staff):
    browser.post(NEW, post_data(four_tier["vip"], client_co, submit="1"))
    visit = VisitRequest.objects.get()
    page = browser.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Filed by" in page and "Saved as a draft by" not in page
