"""Rows kept rendered ({% cache %}, settings FRAGMENT_CACHE_SECONDS) are never served stale:
each case renders a page, changes what one of its rows shows (the row itself, a row it shows
something of, the language), renders again and finds the change. And a row is kept: the
second render reads the row from the cache instead of rendering it."""

import re

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation

from reception.accounts.roles import Role
from reception.models import ReceptionGrade
from tests.factories import file_visit, user_with

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
    assert _kept("visit_list_row") == 3 and _kept("visit_list_rows") == 1
    assert _rows(browser.get(reverse("visits:list"))) == first
    assert _kept("visit_list_row") == 3 and _kept("visit_list_rows") == 1
    assert all(v.reference in first for v in visits)
    # a row more: the page's rows are kept anew, the three others read from their own keys
    added = file_visit(sales, four_tier["routine"])
    assert added.reference in _rows(browser.get(reverse("visits:list")))
    assert _kept("visit_list_row") == 4 and _kept("visit_list_rows") == 2


def test_a_visit_list_row_shows_its_readiness(login, sales, four_tier):
    from tests.factories import approve_fully
    from visits.models import PrepStatus

    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    browser = login(sales)
    before = _rows(browser.get(reverse("visits:list")))
    visit.prep_tasks.update(status=PrepStatus.DONE)  # no version of the visit's moves
    after = _rows(browser.get(reverse("visits:list")))
    assert after != before and "100%" in after


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


def test_the_reports_tables_are_kept_per_language_and_figures(client, settings, four_tier):
    """The tables are kept rendered while their figures are (their computed time is the
    version; tests/visits/test_reports.py checks that figures computed again show)."""
    settings.REPORTS_CACHE_SECONDS = 300
    client.force_login(user_with(Role.GENERAL_MANAGER))
    url = reverse("visits:reports")
    english = client.get(url).content.decode()
    assert _kept("report_tables") == 1
    assert client.get(url).content.decode().count("<section") == english.count("<section")
    assert _kept("report_tables") == 1
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert _kept("report_tables") == 2
    with translation.override("zh-hans"):
        title = str(translation.gettext("Visits per month by grade"))
    assert title in chinese and title not in english


def _menu(response) -> str:
    page = response.content.decode()
    menus = page[page.index('<div class="collapse navbar-collapse"') : page.index("</nav>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", menus)


def test_the_navbar_menus_are_kept_per_access_page_and_language(login, sales):
    browser = login(sales)
    home = _menu(browser.get(reverse("home")))
    assert _kept("navbar_menu") == 1 and _kept("account_menu") == 1
    assert _menu(browser.get(reverse("home"))) == home
    assert 'aria-current="page" href="/visits/"' not in home

    listed = _menu(browser.get(reverse("visits:list")))  # another page: its entry is active
    assert 'aria-current="page" href="/visits/"' in listed

    assert reverse("visits:board") not in home
    sales.groups.add(user_with(Role.RECEPTIONIST).groups.get())  # a role given: access moves
    given = _menu(browser.get(reverse("home")))
    assert reverse("visits:board") in given

    chinese = _menu(browser.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    with translation.override("zh-hans"):
        label = str(translation.gettext("Visit requests"))
    assert label in chinese and label not in given


def _token(response, form_action: str) -> str:
    page = response.content.decode()
    form = page[page.index(f'action="{form_action}"') :]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)


def test_the_users_menu_and_switcher_are_kept_per_browser_name_and_path(login, sales):
    """The kept user's menu holds the log-out and language forms: their CSRF token is this
    browser's (another browser logging out with it would be refused), the switcher's `next` is
    the page's path, and the menu shows the user's name."""
    browser = login(sales)
    first = browser.get(reverse("visits:list") + "?q=a")
    assert _kept("account_menu") == 1
    assert 'name="next" value="/visits/?q=a"' in first.content.decode()
    other = browser.get(reverse("visits:list") + "?q=b")  # another path: its own `next`
    assert 'name="next" value="/visits/?q=b"' in other.content.decode()

    # A second browser of the same user: a menu of its own, whose token its own secret accepts.
    from django.test import Client

    second = Client(enforce_csrf_checks=True)
    second.force_login(sales)
    page = second.get(reverse("visits:list") + "?q=a")
    assert _kept("account_menu") == 3
    token = _token(page, reverse("logout"))
    logout = second.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert logout.status_code == 302, "the kept log-out form's token is this browser's"

    sales.full_name = "张伟伟"
    sales.save()
    assert "张伟伟" in browser.get(reverse("visits:list") + "?q=a").content.decode()


def _filters(response) -> str:
    page = response.content.decode()
    return page[
        page.index('<form method="get" class="card') : page.index(
            "</form>", page.index('<form method="get" class="card')
        )
    ]


def test_the_filter_form_is_kept_per_query_language_and_choices(login, sales, four_tier):
    """The list's filter form is kept rendered: its key holds the query string (the values it
    shows), the language and what its choice fields offer (grades; a searched field's chosen
    person)."""
    browser = login(sales)
    url = reverse("visits:list")
    first = _filters(browser.get(url))
    assert _kept("filter_form") == 1
    assert _filters(browser.get(url)) == first

    assert 'value="2026-01-05"' in _filters(browser.get(url + "?arrival_from=2026-01-05"))
    chinese = _filters(browser.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "Any grade" in first and "Any grade" not in chinese

    grade = four_tier["vip"]
    grade.name_en = "Very Important"
    grade.save()
    assert "Very Important" in _filters(browser.get(url))

    chosen = _filters(browser.get(url + f"?applicant={sales.pk}"))
    assert "张伟" in chosen
    sales.full_name = "张伟强"
    sales.save()
    assert "张伟强" in _filters(browser.get(url + f"?applicant={sales.pk}"))
