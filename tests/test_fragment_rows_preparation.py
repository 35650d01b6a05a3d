"""The preparation overview's rows (visits/preparation.html) are kept rendered but for their
first cell (the time until arrival moves by the minute): a row is read from the cache on the
next render, and each thing its key holds, changed, shows on the next render."""

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from reception.models import ReceptionGrade
from tests.factories import file_visit, user_with
from tests.visits.test_preparation_tasks import approve_through
from visits.models import PrepStatus

pytestmark = pytest.mark.django_db


def _kept() -> list[str]:
    fragments = caches["template_fragments"]._cache  # noqa: SLF001
    return [key for key in fragments if ".preparation_row." in key]


@pytest.fixture
def receptionist(db):
    return user_with(Role.RECEPTIONIST, username="reception_p", full_name="周婷")


@pytest.fixture
def visit(four_tier, sales):
    return approve_through(file_visit(sales, four_tier["vip"]))


def _row(browser, visit) -> str:
    page = browser.get(reverse("visits:preparation")).content.decode()
    link = page.index(f'href="{reverse("visits:detail", args=[visit.pk])}#preparation"')
    return page[page.rindex("<tr>", 0, link) : page.index("</tr>", link)]


def _open(visit):
    return visit.prep_tasks.filter(status=PrepStatus.OPEN).order_by("pk")


def test_a_row_is_kept_but_not_its_time_until_arrival(login, receptionist, visit):
    browser = login(receptionist)
    first = _row(browser, visit)
    assert len(_kept()) == 1
    assert _row(browser, visit) == first
    assert len(_kept()) == 1
    kept = caches["template_fragments"].get(_kept()[0].split(":", 2)[-1])
    assert kept.startswith("<td><a href") and visit.reference in kept  # not the first cell


def test_a_row_shows_the_visit_s_own_changes(login, receptionist, visit):
    browser = login(receptionist)
    _row(browser, visit)
    visit.headcount = 47
    visit.save()
    assert '<td class="text-center">47</td>' in _row(browser, visit)


def test_a_row_shows_changes_of_the_rows_it_names(login, receptionist, visit):
    browser = login(receptionist)
    _row(browser, visit)
    client = visit.client
    client.name, client.name_en = "新名字精密机械有限公司", ""
    client.save()
    assert "新名字精密机械" in _row(browser, visit)
    ReceptionGrade.objects.filter(pk=visit.grade.pk).update(name="改名等级", name_en="")
    assert "改名等级" in _row(browser, visit)


def _done_of(row: str) -> str:
    return re.search(r"\d+ of \d+ tasks? done", row).group(0)


def test_a_row_shows_its_live_count(login, receptionist, visit):
    browser = login(receptionist)
    before = _done_of(_row(browser, visit))
    _open(visit).filter(pk=_open(visit).first().pk).update(status=PrepStatus.CANCELLED)
    assert _done_of(_row(browser, visit)) != before


def test_a_row_shows_its_done_count(login, receptionist, visit):
    browser = login(receptionist)
    before = _done_of(_row(browser, visit))
    _open(visit).filter(pk=_open(visit).first().pk).update(status=PrepStatus.DONE)
    assert _done_of(_row(browser, visit)) != before


def test_a_row_shows_its_overdue_count(login, receptionist, visit):
    browser = login(receptionist)
    assert "text-bg-danger" not in _row(browser, visit)
    yesterday = timezone.localdate() - timedelta(days=1)
    _open(visit).filter(pk=_open(visit).first().pk).update(due_date=yesterday)
    assert '<span class="badge text-bg-danger">1</span>' in _row(browser, visit)


def test_a_row_is_kept_per_language(login, receptionist, visit):
    browser = login(receptionist)
    english = _row(browser, visit)
    page = browser.get(reverse("visits:preparation"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "tasks done" in english and "tasks done" not in page.content.decode()


def test_a_row_shows_its_grade_fixed_or_changed_in_bulk(login, receptionist, visit, four_tier):
    """The grade badge says whether the grade is final or only proposed, and which."""
    browser = login(receptionist)
    _row(browser, visit)
    type(visit).objects.filter(pk=visit.pk).update(final_grade=None)
    assert "Proposed grade" in _row(browser, visit)
    type(visit).objects.filter(pk=visit.pk).update(final_grade=four_tier["routine"])
    row = _row(browser, visit)
    assert "Final grade" in row and four_tier["routine"].label in row


def test_a_kept_row_that_falls_out_before_its_render_is_rendered_from_its_visit(
    login, receptionist, visit, request
):
    """The page looks its kept rows up first and reads the visits of the others only; a row
    that falls out of the cache between the look-up and its render reads its own."""
    browser = login(receptionist)
    first = _row(browser, visit)
    request.getfixturevalue("fragments_lost_after_lookup")  # the look-up made, the rows gone
    assert _row(browser, visit) == first
