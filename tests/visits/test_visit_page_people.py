"""The visit page reads the people it names in one query and sets them on its rows: each row
still names its own people, and the staff form offers the main host it has read only while
they may be chosen (active)."""

import re

import pytest
from django.urls import reverse

from tests.factories import approve_fully, file_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(sales, four_tier, staff, make_user):
    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    visit.accompanying_staff.set(
        [
            make_user(username="zz_last", full_name="末位"),
            make_user(username="aa_first", full_name="首位"),
        ]
    )
    visit.main_host = staff.marketing
    visit.save()
    return visit


def _page(login, sales, visit) -> str:
    return login(sales).get(reverse("visits:detail", args=[visit.pk])).content.decode()


def _host_options(page: str) -> list[str]:
    select = re.search(r'<select name="main_host".*?</select>', page, re.S)
    assert select is not None
    return re.findall(r"<option[^>]*>[^<]*</option>", select.group())


def test_the_page_names_each_rows_people(login, sales, visit, staff):
    page = _page(login, sales, visit)
    task = visit.prep_tasks.exclude(assignee=None).first()
    step = visit.approval_steps.exclude(decided_by=None).first()
    shown = re.search(r"Accompanying staff</dt><dd class=\"col-sm-8\">([^<]*)<", page)
    assert shown is not None and shown.group(1) == "首位, 末位"  # by username
    assert str(staff.marketing) in page.split("Main host", 1)[1]
    assert str(step.decided_by) in page
    assert task is None or str(task.assignee) in page


def test_the_staff_form_offers_the_active_main_host_as_chosen(login, sales, visit, staff):
    options = _host_options(_page(login, sales, visit))
    assert f'<option value="{staff.marketing.pk}" selected>' in "".join(options)


def test_the_staff_form_does_not_offer_an_inactive_main_host(login, sales, visit, staff):
    staff.marketing.is_active = False
    staff.marketing.save()
    options = _host_options(_page(login, sales, visit))
    assert str(staff.marketing.pk) not in "".join(options)
