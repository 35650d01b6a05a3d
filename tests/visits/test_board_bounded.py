"""The arrivals board is bounded by what it shows, not by the day's volume: a page of visits,
a large group as one row with its counts, a page of the groups still checked in, the first
walk-ins at the gate. Its queries and its size (bytes) stay the same when the volume beyond
the page grows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from tests.factories import user_with
from tests.visits.test_board import approved_tomorrow
from visits import selectors
from visits.models import PrepTask, Visitor, VisitRequest, VisitStatus, WalkIn
from visits.selectors import BOARD_PAGE_SIZE, LISTED_VISITORS, ON_SITE_PAGE_SIZE
from visits.views.desk import GATE_SHOWN

pytestmark = pytest.mark.django_db

BOARD = reverse("visits:board")


@pytest.fixture
def frontdesk(db):
    return user_with(Role.FRONT_DESK, username="frontdesk")


@pytest.fixture
def visit(four_tier, sales, staff):
    return approved_tomorrow(sales, four_tier["routine"])


def clone(visit, n=1, visitors=3, **fields) -> list[VisitRequest]:
    """n copies of the visit, each with `visitors` visitors and five of its tasks."""
    copies = []
    tasks = list(visit.prep_tasks.all()[:5])
    for _ in range(n):
        copy = VisitRequest.objects.get(pk=visit.pk)
        copy.pk, copy.reference = None, None
        for name, value in fields.items():
            setattr(copy, name, value)
        copy.headcount = visitors
        copy.save()
        Visitor.objects.bulk_create(
            Visitor(visit=copy, name=f"访客{i:03d}", checked_in_at=fields.get("arrival_at"))
            if "arrival_at" in fields
            else Visitor(visit=copy, name=f"访客{i:03d}")
            for i in range(visitors)
        )
        PrepTask.objects.bulk_create(
            PrepTask(visit=copy, department=t.department, name=t.name, due_date=t.due_date)
            for t in tasks
        )
        copies.append(copy)
    return copies


def measure(browser, **params):
    """(queries, bytes, response) of the board's warm request."""
    params = {"tab": "tomorrow", **params}
    browser.get(BOARD, params)
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(BOARD, params)
    assert response.status_code == 200
    return len(queries), len(response.content), response


def about_the_same(a: int, b: int) -> bool:
    """Equal but for the digits of ids and counts (a reference, a visitor's id)."""
    return abs(a - b) <= max(a, b) * 0.01


def test_the_board_costs_the_same_queries_and_bytes_for_30_and_90_visits_a_day(
    visit, frontdesk, login
):
    browser = login(frontdesk)
    clone(visit, 29)
    queries, size, response = measure(browser)
    assert len(response.context["visits"]) == BOARD_PAGE_SIZE
    assert response.context["board"].paginator.count == 30
    clone(visit, 60)
    more_queries, more_size, response = measure(browser)
    assert len(response.context["visits"]) == BOARD_PAGE_SIZE
    assert response.context["board"].paginator.count == 90
    assert more_queries == queries
    assert about_the_same(more_size, size), (size, more_size)


def test_the_board_pages_keep_the_tab_and_the_search(visit, frontdesk, login):
    clone(visit, BOARD_PAGE_SIZE + 5)  # their visitors are 访客000…; the visit's are not
    browser = login(frontdesk)
    first = browser.get(BOARD, {"tab": "tomorrow", "q": "访客"})
    page = first.content.decode()
    assert f"{BOARD_PAGE_SIZE + 5} visits · 1–{BOARD_PAGE_SIZE} shown" in page
    query = QueryDict(mutable=True)
    query.update({"tab": "tomorrow", "q": "访客"})
    assert f'href="?{query.urlencode().replace("&", "&amp;")}&amp;page=2"' in page
    second = browser.get(BOARD, {"tab": "tomorrow", "q": "访客", "page": "2"})
    shown = [v.pk for v in first.context["visits"]] + [v.pk for v in second.context["visits"]]
    assert len(shown) == len(set(shown)) == BOARD_PAGE_SIZE + 5
    assert visit.pk not in shown
    # the refresh and the check-in forms stay on the page they were on
    assert "page=2" in second.context["refresh_url"] and "page=2" in second.context["board_url"]


def test_a_page_past_the_last_shows_the_last(visit, frontdesk, login):
    response = login(frontdesk).get(BOARD, {"tab": "tomorrow", "page": "9"})
    assert [v.pk for v in response.context["visits"]] == [visit.pk]


@pytest.mark.parametrize("asked", ["", "1", "x", "0", "-3", "9"])
def test_any_page_asked_for_counts_the_board_as_paginator_does(visit, frontdesk, login, asked):
    """The page's rows carry the board's count (a window in the rows' query); a page that is
    not a number is the first, one below 1 or past the end the last, as Paginator.get_page."""
    clone(visit, BOARD_PAGE_SIZE + 2)
    response = login(frontdesk).get(BOARD, {"tab": "tomorrow", "page": asked})
    board = response.context["board"]
    assert board.paginator.count == BOARD_PAGE_SIZE + 3
    last = asked in ("0", "-3", "9")
    assert board.number == (2 if last else 1)
    assert len(response.context["visits"]) == (3 if last else BOARD_PAGE_SIZE)
    assert f"{BOARD_PAGE_SIZE + 3} visits" in response.content.decode()


def test_an_empty_board_counts_none(frontdesk, login):
    for asked in ("1", "2"):
        response = login(frontdesk).get(BOARD, {"tab": "tomorrow", "page": asked})
        assert response.context["board"].paginator.count == 0
        assert response.context["board"].number == 1


def test_a_large_group_is_one_row_whatever_its_size(visit, frontdesk, login):
    """A visit of 9 and one of 80 visitors cost the board the same: its counts and a link to
    its desk page, none of its visitors read; a small visit beside it still lists names."""
    browser = login(frontdesk)
    [large] = clone(visit, visitors=LISTED_VISITORS + 1)
    queries, size, response = measure(browser)
    Visitor.objects.bulk_create(Visitor(visit=large, name=f"团员{i:03d}") for i in range(71))
    VisitRequest.objects.filter(pk=large.pk).update(headcount=80)
    with CaptureQueriesContext(connection) as captured:
        more_queries, more_size, response = measure(browser)
    assert more_queries == queries
    assert about_the_same(more_size, size), (size, more_size)
    page = response.content.decode()
    assert "团员" not in page and "访客" not in page  # neither the group's names…
    read = [q["sql"] for q in captured if q["sql"].startswith('SELECT "visits_visitor"."id"')]
    assert read and all(f"({visit.pk})" in sql for sql in read)  # the small visit's only
    row = {v.pk: v for v in response.context["visits"]}[large.pk]
    assert row.grouped and row.visitors_total == 80 and row.waiting == 80
    assert "0 in · 80 waiting · 0 left" in page
    assert f'<a href="{reverse("visits:desk", args=[large.pk])}" class="board-group-link">' in page
    assert "Check in all 80 waiting" in page  # the whole group in one click
    small = {v.pk: v for v in response.context["visits"]}[visit.pk]
    assert not small.grouped and [v.name for v in small.listed] == [
        v.name for v in visit.visitors.order_by("pk")
    ]


def test_a_visit_that_left_before_the_day_is_not_on_its_board(visit, frontdesk, login):
    """Five years of multi-day visits: the ones that came earlier and have gone are history."""
    yesterday = visit.arrival_at - timedelta(days=1)
    [gone] = clone(visit, arrival_at=yesterday, status=VisitStatus.COMPLETED)
    Visitor.objects.filter(visit=gone).update(checked_out_at=visit.arrival_at)
    [staying] = clone(visit, arrival_at=yesterday, status=VisitStatus.IN_PROGRESS)
    ids = [v.pk for v in login(frontdesk).get(BOARD, {"tab": "tomorrow"}).context["visits"]]
    assert ids == [staying.pk, visit.pk]


def on_site_groups(visit, n, visitors=3):
    """n visits that came yesterday, still checked in."""
    return clone(
        visit,
        n,
        visitors=visitors,
        arrival_at=timezone.now() - timedelta(days=1),
        departure_at=timezone.now() - timedelta(hours=1),
        status=VisitStatus.IN_PROGRESS,
    )


def test_the_still_checked_in_list_is_a_page_of_groups_whatever_their_number(
    visit, frontdesk, login
):
    browser = login(frontdesk)
    on_site_groups(visit, ON_SITE_PAGE_SIZE + 2)
    queries, size, response = measure(browser)
    assert len(response.context["on_site"].object_list) == ON_SITE_PAGE_SIZE
    assert response.context["on_site_people"] == 3 * (ON_SITE_PAGE_SIZE + 2)
    on_site_groups(visit, 30)
    more_queries, more_size, response = measure(browser)
    assert more_queries == queries
    assert about_the_same(more_size, size), (size, more_size)
    page = response.content.decode()
    assert f'<span class="badge text-bg-warning">{3 * (ON_SITE_PAGE_SIZE + 32)}</span>' in page
    assert 'href="?tab=tomorrow&amp;on_site_page=2"' in page
    second = browser.get(BOARD, {"tab": "tomorrow", "on_site_page": "2", "page": "1"})
    assert second.context["on_site"].number == 2
    assert "page=1&amp;on_site_page=3" in second.content.decode()  # the board's page kept


def test_a_large_group_still_checked_in_is_counted_not_named(visit, frontdesk, login):
    [large] = on_site_groups(visit, 1, visitors=60)
    [small] = on_site_groups(visit, 1, visitors=2)
    response = login(frontdesk).get(BOARD, {"tab": "tomorrow"})
    rows = {v.pk: v for v in response.context["on_site"]}
    assert rows[large.pk].grouped and rows[large.pk].present == 60
    assert [v.name for v in rows[small.pk].listed] == ["访客000", "访客001"]
    page = response.content.decode()
    assert "60 visitors still checked in" in page
    assert page.count('class="btn btn-sm btn-outline-secondary py-0 board-check-out"') == 2
    # one click checks the whole large group out, by the group (no names sent)
    check_out = reverse("visits:check", args=[large.pk, "out"])
    login(frontdesk).post(check_out, {"next": BOARD})
    assert not Visitor.objects.filter(visit=large, checked_out_at__isnull=True).exists()
    assert Visitor.objects.filter(visit=small, checked_out_at__isnull=True).count() == 2


def test_one_visitor_checks_out_from_the_groups_form(visit, frontdesk, login):
    [group] = on_site_groups(visit, 1, visitors=3)
    first, *others = group.visitors.order_by("pk")
    login(frontdesk).post(
        reverse("visits:check", args=[group.pk, "out"]), {"visitor": first.pk, "next": BOARD}
    )
    first.refresh_from_db()
    assert first.checked_out_at is not None
    assert all(
        v.checked_out_at is None for v in Visitor.objects.filter(pk__in=[o.pk for o in others])
    )


def test_the_gate_panel_names_the_first_walk_ins_and_links_the_rest(frontdesk, login):
    host = user_with(Role.SALES)
    WalkIn.objects.bulk_create(
        WalkIn(
            recorded_by=frontdesk,
            company=f"门口公司{i:02d}",
            names="某人",
            headcount=1,
            wants_to_see=host,
            purpose="洽谈",
        )
        for i in range(GATE_SHOWN + 5)
    )
    response = login(frontdesk).get(BOARD)
    assert len(response.context["at_the_gate"]) == GATE_SHOWN
    page = response.content.decode()
    assert f'<span class="badge text-bg-danger">{GATE_SHOWN}+</span>' in page
    assert f'href="{reverse("visits:walk_ins")}">All walk-ins</a>' in page


def test_past_so_many_groups_still_checked_in_the_list_says_there_are_more(
    visit, frontdesk, login, monkeypatch
):
    monkeypatch.setattr(selectors, "ON_SITE_GROUPS", 3)
    oldest = on_site_groups(visit, 5, visitors=2)[:3]
    response = login(frontdesk).get(BOARD, {"tab": "tomorrow"})
    assert {v.pk for v in response.context["on_site"]} == {v.pk for v in oldest}
    assert '<span class="badge text-bg-warning">6+</span>' in response.content.decode()
