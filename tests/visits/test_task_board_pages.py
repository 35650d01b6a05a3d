"""The department task board shows a page of rows, overdue ones first: a busy department's
fortnight runs to hundreds of tasks, and the page reads only its own rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from reception.models import Department
from tests.factories import file_visit, user_with
from tests.visits.test_preparation_tasks import approve_through
from visits.models import PrepStatus, PrepTask
from visits.views.preparation import TaskBoardView

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_member(four_tier, sales):
    member = user_with(Role.DEPARTMENT_MEMBER, username="office_m")
    Department.objects.get(code="office").memberships.create(user=member)
    approve_through(file_visit(sales, four_tier["vip"]))
    return member


def board(browser, **params):
    return browser.get(reverse("visits:tasks"), params)


def shown(page) -> list[int]:
    overdue = [row["task"].pk for row in page.context["overdue"]]
    return overdue + [row["task"].pk for _day, rows in page.context["groups"] for row in rows]


def test_the_board_pages_its_rows_overdue_first(login, office_member, monkeypatch):
    monkeypatch.setattr(TaskBoardView, "PAGE_SIZE", 2)
    open_tasks = PrepTask.objects.filter(department__code="office", status=PrepStatus.OPEN)
    late = open_tasks.order_by("-due_date").first()
    PrepTask.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    browser = login(office_member)
    first = board(browser)
    assert shown(first)[0] == late.pk
    assert first.context["overdue_count"] == 1
    assert first.context["task_count"] == open_tasks.count() > 2
    assert len(shown(first)) == 2 and first.context["page_obj"].has_next()
    pages = first.context["page_obj"].paginator.num_pages
    everything = [pk for n in range(1, pages + 1) for pk in shown(board(browser, page=n))]
    assert sorted(everything) == sorted(open_tasks.values_list("pk", flat=True))
    assert f"Page 1 of {pages}" in first.content.decode()
