"""The task rows (visits/_task_rows.html) are kept rendered whole, forms and tokens with them,
under everything they show (visits.views.preparation.kept_task_rows): a row is read from the
cache on the next render, and each thing its key holds, changed, shows on the next render of
the department board. The key holds the browser (the CSRF secret, hashed: another browser gets
rows of its own, with tokens its cookie accepts), the reader, the page's address (the "assign"
link's next) and the language."""

import re
import types
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from reception.accounts.roles import Role
from reception.models import Department, ReceptionStandard
from tests.factories import SiteFactory, file_visit, user_with
from tests.visits.test_preparation_tasks import approve_through
from visits.models import PrepStatus, PrepTask

pytestmark = pytest.mark.django_db


def _kept(name: str) -> int:
    return sum(f".{name}." in key for key in caches["template_fragments"]._cache)


@pytest.fixture
def office_head(four_tier, sales):
    head = user_with(Role.DEPARTMENT_MEMBER, username="office_h", full_name="王主任")
    Department.objects.filter(code="office").update(head=head)
    return head


@pytest.fixture
def task(office_head, four_tier, sales):
    approve_through(file_visit(sales, four_tier["vip"]))
    return (
        PrepTask.objects.filter(department__code="office", status=PrepStatus.OPEN)
        .select_related("visit__client", "visit__site", "department")
        .order_by("pk")
        .first()
    )


def _row(response, task, *, tokens: bool = False) -> str:
    page = response.content.decode()
    start = page.rindex('class="list-group-item task-row', 0, page.index(f'id="task-{task.pk}"'))
    end = page.find('class="list-group-item task-row', start + 1)
    row = page[start : end if end > 0 else None]
    return row if tokens else re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", row)


def _board(browser, **params):
    return browser.get(reverse("visits:tasks"), params)


def test_the_board_keeps_its_rows_whole_with_their_tokens(login, office_head, task):
    browser = login(office_head)
    first = _board(browser)
    rows = len(first.context["overdue"]) + sum(len(r) for _d, r in first.context["groups"])
    assert rows and _kept("task_row") == rows
    assert _row(_board(browser), task, tokens=True) == _row(first, task, tokens=True)
    assert _kept("task_row") == rows
    page = first.content.decode()
    assert page.count('name="csrfmiddlewaretoken"') >= rows
    second = _board(browser, page=1).content.decode()  # another address: its own "next"
    assert "next=/tasks/%3Fpage%3D1" in second and "next=/tasks/%3Fpage" not in page


def test_a_task_row_shows_the_task_s_own_changes(login, office_head, task):
    browser = login(office_head)
    _board(browser)
    task.name = task.name_en = "Renamed task"
    task.save()
    assert "Renamed task" in _row(_board(browser), task)


def test_a_task_row_shows_what_a_bulk_update_changed(login, office_head, task):
    browser = login(office_head)
    _board(browser)
    PrepTask.objects.filter(pk=task.pk).update(needs_recheck=True)
    assert "re-check" in _row(_board(browser), task)
    PrepTask.objects.filter(pk=task.pk).update(status=PrepStatus.DONE)
    assert "Still fine" in _row(_board(browser), task)


def test_a_task_row_turns_overdue_when_its_day_passes(login, office_head, task, monkeypatch):
    browser = login(office_head)
    assert "list-group-item-danger" not in _row(_board(browser), task)
    later = task.due_date + timedelta(days=1)
    import visits.models.preparation as models

    monkeypatch.setattr(models, "timezone", types.SimpleNamespace(localdate=lambda: later))
    assert "list-group-item-danger" in _row(_board(browser), task)


def test_a_task_row_shows_changes_of_the_rows_it_names(login, office_head, task, sales):
    browser = login(office_head)
    _board(browser)
    client = task.visit.client
    client.name, client.name_en = "新名字精密机械有限公司", ""
    client.save()
    assert "新名字精密机械" in _row(_board(browser), task)

    Department.objects.filter(pk=task.department_id).update(name_en="Renamed office")
    assert "Renamed office" in _row(_board(browser), task)

    PrepTask.objects.filter(pk=task.pk).update(assignee=sales)  # a bulk change of holder
    assert "张伟" in _row(_board(browser), task)
    sales.full_name = "改名的办事员"
    sales.save()
    assert "改名的办事员" in _row(_board(browser), task)

    visit = task.visit
    type(visit).objects.filter(pk=visit.pk).update(arrival_at=visit.arrival_at + timedelta(hours=1))
    when = timezone.localtime(visit.arrival_at + timedelta(hours=1)).strftime("%m-%d %H:%M")
    assert when in _row(_board(browser), task)


def test_a_task_row_shows_its_site_once_there_are_several(login, office_head, task):
    browser = login(office_head)
    assert "task-site" not in _row(_board(browser), task)
    SiteFactory()
    assert "task-site" in _row(_board(browser), task)
    type(task.visit.site).objects.filter(pk=task.visit.site_id).update(name_en="Renamed plant")
    assert "Renamed plant" in _row(_board(browser), task)


def test_a_task_row_shows_its_hints_from_the_visit(login, office_head, task):
    """The quantity and the standard are worked out from the visit and its grade."""
    browser = login(office_head)
    _board(browser)
    rows = PrepTask.objects.filter(department=task.department, status=PrepStatus.OPEN)
    hinted = [t for t in rows.select_related("template") if t.template.quantity_hint]
    if not hinted:
        pytest.skip("the office has no task with a quantity in this policy")
    type(task.visit).objects.filter(pk=task.visit_id).update(headcount=41)
    page = _board(browser)
    assert any("41" in _row(page, t) for t in hinted)


def test_a_task_row_is_kept_per_language(login, office_head, task):
    browser = login(office_head)
    english = _row(_board(browser), task)
    chinese = _row(browser.get(reverse("visits:tasks"), HTTP_ACCEPT_LANGUAGE="zh-hans"), task)
    with translation.override("zh-hans"):
        label = str(task.label)
    assert chinese != english and label in chinese


def test_an_htmx_answer_shows_its_error_and_what_was_typed(login, office_head, task):
    browser = login(office_head)
    _board(browser)
    url = reverse("visits:task_action", args=[task.pk, "done"])
    answer = browser.post(url, {f"task{task.pk}-note": "x" * 600}, HTTP_HX_REQUEST="true")
    row = answer.content.decode()
    assert 'role="alert"' in row and "x" * 600 in row
    assert 'role="alert"' not in _row(_board(browser), task)


def test_a_task_row_is_kept_per_browser_with_a_token_that_browser_accepts(office_head, task):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(office_head)
    rows = len(_board(first).context["groups"][0][1])
    _board(second)
    kept = _kept("task_row")
    assert kept >= 2 * rows  # each browser its own rows
    _board(first)
    assert _kept("task_row") == kept  # kept: read again, not rendered again
    page = _board(second).content.decode()
    start = page.index(f'id="task-{task.pk}"')
    token = page[start:].split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    done = second.post(
        reverse("visits:task_action", args=[task.pk, "done"]),
        {"csrfmiddlewaretoken": token, f"task{task.pk}-note": ""},
    )
    assert done.status_code == 302  # not 403: the kept row's token is this browser's
    task.refresh_from_db()
    assert task.status == PrepStatus.DONE


def test_a_task_row_shows_a_due_date_or_urgency_changed_in_bulk(login, office_head, task):
    browser = login(office_head)
    _board(browser)
    later = task.due_date + timedelta(days=1)
    PrepTask.objects.filter(pk=task.pk).update(due_date=later)
    assert later.isoformat() in _row(_board(browser), task)
    PrepTask.objects.filter(pk=task.pk).update(urgent=True)
    assert "bi-lightning-charge" in _row(_board(browser), task)


def test_a_task_row_shows_its_standard_changed(login, office_head, task):
    """The standard hint is worked out from the visit's grade's standard, kept apart."""
    browser = login(office_head)
    rows = PrepTask.objects.filter(department=task.department, status=PrepStatus.OPEN)
    hinted = [t for t in rows.select_related("template") if t.template.standard_hint == "meal"]
    if not hinted:
        pytest.skip("the office has no task with a meal standard in this policy")
    _board(browser)
    ReceptionStandard.objects.filter(grade=task.visit.grade).update(meal_per_person=987)
    page = _board(browser)
    assert any("987" in _row(page, t) for t in hinted)


def test_a_task_row_shows_the_assign_link_to_a_new_head_only(login, office_head, task, sales):
    """What the reader may do: the "Assign" link is for the department's head."""
    browser = login(office_head)
    assert f'id="assign-{task.pk}"' in _row(_board(browser), task)
    Department.objects.filter(pk=task.department_id).update(head=sales)
    office_head.refresh_from_db()  # the board stays open to a member of the department
    task.department.memberships.get_or_create(user=office_head)
    assert f'id="assign-{task.pk}"' not in _row(_board(browser), task)


def test_a_kept_row_that_falls_out_before_its_render_is_rendered_from_its_facts(
    login, office_head, task, request
):
    """The page looks its kept rows up first and reads the tasks of the others only; a row
    that falls out of the cache between the look-up and its render reads its own."""
    browser = login(office_head)
    first = _row(_board(browser), task)
    request.getfixturevalue("fragments_lost_after_lookup")  # the look-up made, the rows gone
    assert _row(_board(browser), task) == first
