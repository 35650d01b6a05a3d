"""Each main page, opened by its natural role, costs the same number of SQL queries whatever
the company's history: seed_company builds a small and a four times larger company, and the
counts must match (and stay within the page's budget). Runs on SQLite and PostgreSQL."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from demo.benchmark import FEEDS, PAGES, queries_per_request
from demo.seed_company import CompanySeeder, Sizes
from reception.models import User
from visits.models import PrepTask, VisitRequest

SMALL, LARGE = 150, 600

# Queries per request, at most (the warm request, after the session is loaded).
# Every page of a user outside the department-page role asks once whether they belong to a
# department (the navbar's task page entry, visits.see_department_tasks).
BUDGET = {
    "/visits/ (sales)": 13,
    "/visits/ (receptionist)": 13,
    "/visits/ (gm)": 13,
    "/visits/ (admin)": 10,
    "/preparation/ (receptionist)": 10,  # + active delegations (visible_visits)
    # + walk-ins at the gate, the answer time, visitor names; + the texts to accept in force
    # (the board marks who has not accepted them, counted in the visitor names' query)
    "/desk/ (receptionist)": 14,
    "/approvals/ (marketing)": 13,  # + the visitors on each decision card, + the people (planning)
    "/notifications/ (sales)": 9,
    "visit page (sales)": 22,  # + the approval steps' people (a six-way join cost more to plan)
    # + one count of the board (its rows come a page at a time), + the grades (not joined)
    "/tasks/ (office head)": 10,
    "/clients/ (sales)": 11,
    # six work sections, a count and a short list each; + the user's departments (their tasks
    # filtered by id) and the drafts' clients (read for the five rows, not joined)
    "/ (sales)": 19,
    # nine tables: an aggregate each, labels for some, the session; + the group's sites (the
    # site filter); + the gate's arrivals by kind (the kinds, the counts)
    "/reports/ (gm)": 22,
    # the feed and its user; the window's own visits, tasks (and the head's departments, their
    # tasks per visit and day); the clients, hosts and visitors the events name
    "personal feed (sales)": 12,
    "personal feed (office head)": 12,
    "arrivals feed (receptionist)": 11,
}


def _measure(size: int) -> dict[str, tuple[int, int]]:
    """Seed a company of `size` visits, count each page's queries, then roll it all back."""
    with transaction.atomic():
        call_command("load_policy", "four-tier", stdout=StringIO())
        CompanySeeder(Sizes.for_visits(size)).run()
        counts = {
            "_visits": VisitRequest.objects.count(),
            "_tasks": PrepTask.objects.count(),
        }
        counts.update({page.name: queries_per_request(page)[0] for page in [*PAGES, *FEEDS]})
        transaction.set_rollback(True)
    return counts


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return {size: _measure(size) for size in (SMALL, LARGE)}


def test_the_larger_company_has_four_times_the_history(measured):
    assert measured[LARGE]["_visits"] == 4 * measured[SMALL]["_visits"]
    assert measured[LARGE]["_tasks"] > 3 * measured[SMALL]["_tasks"]


@pytest.mark.parametrize("page", [p.name for p in [*PAGES, *FEEDS]])
def test_a_page_costs_the_same_queries_after_four_times_the_history(measured, page):
    assert measured[LARGE][page] == measured[SMALL][page]


@pytest.mark.parametrize("page", [p.name for p in [*PAGES, *FEEDS]])
def test_a_page_stays_within_its_query_budget(measured, page):
    assert measured[LARGE][page] <= BUDGET[page]


@pytest.mark.django_db
def test_seed_company_refuses_a_second_company_in_the_same_database():
    call_command("load_policy", "four-tier", stdout=StringIO())
    call_command("seed_company", "--visits", "30", stdout=StringIO())
    assert User.objects.filter(username__startswith="co-").exists()
    with pytest.raises(Exception, match="already holds a seeded company"):
        call_command("seed_company", "--visits", "30")


@pytest.mark.django_db
def test_seed_company_needs_the_policy_loaded():
    with pytest.raises(Exception, match="Load a policy first"):
        call_command("seed_company", "--visits", "30")
