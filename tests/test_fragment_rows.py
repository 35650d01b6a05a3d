"""Rows kept rendered ({% cache %}, settings FRAGMENT_CACHE_SECONDS) are never served stale:
each case renders a page, changes what one of its rows shows (the row itself, a row it shows
something of, the language), renders again and finds the change. And a row is kept: the
second render reads the row from the cache instead of rendering it."""

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation

from reception.models import ReceptionGrade
from tests.factories import file_visit

pytestmark = pytest.mark.django_db


def _kept(name: str) -> int:
    """How many fragments of this name the cache holds (LocMem: keys name the fragment)."""
    return sum(f".{name}." in key for key in caches["template_fragments"]._cache)


def _rows(response) -> str:
    page = response.content.decode()
    return page[page.index("<tbody>") : page.index("</tbody>")]


def test_the_visit_list_keeps_its_rows(login, sales, four_tier):
    visits = [file_visit(sales, four_tier["routine"]) for _ in range(3)]
    browser = login(sales)
    first = _rows(browser.get(reverse("visits:list")))
    assert _kept("visit_list_row") == 3
    assert _rows(browser.get(reverse("visits:list"))) == first
    assert _kept("visit_list_row") == 3
    assert all(v.reference in first for v in visits)


def test_a_visit_list_row_shows_each_change(login, sales, four_tier):
    visit = file_visit(sales, four_tier["routine"])
    browser = login(sales)
    browser.get(reverse("visits:list"))

    visit.client.name, visit.client.name_en = "新名字精密机械有限公司", ""
    visit.client.save()
    assert "新名字精密机械" in _rows(browser.get(reverse("visits:list")))

    sales.full_name = "改名的申请人"
    sales.save()
    assert "改名的申请人" in _rows(browser.get(reverse("visits:list")))

    grade = visit.grade
    ReceptionGrade.objects.filter(pk=grade.pk).update(name_en="Renamed grade")
    assert "Renamed grade" in _rows(browser.get(reverse("visits:list")))

    visit.late = True  # a change of the visit's own: its version moves
    visit.save()
    assert "badge-late" in _rows(browser.get(reverse("visits:list")))

    english = _rows(browser.get(reverse("visits:list")))
    assert visit.get_status_display() in english
    with translation.override("zh-hans"):
        status = str(visit.get_status_display())
    chinese = browser.get(reverse("visits:list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert status in _rows(chinese) and status not in english
