"""The visit list pages without counting: five years of history are reached through the
filters, and a page reads its own rows (and one more, to know whether a next page exists)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import file_visit
from visits.views.requests import VisitListView

pytestmark = pytest.mark.django_db


def test_a_list_that_fits_on_one_page_says_how_many_requests(login, sales, four_tier):
    for _ in range(3):
        file_visit(sales, four_tier["routine"])
    response = login(sales).get(reverse("visits:list"))
    assert len(response.context["object_list"]) == 3
    assert "3 requests" in response.content.decode()


def test_a_longer_list_pages_on_without_counting(login, sales, four_tier, monkeypatch):
    monkeypatch.setattr(VisitListView, "paginate_by", 2)
    visits = [file_visit(sales, four_tier["routine"]) for _ in range(5)]
    browser = login(sales)
    browser.get(reverse("visits:list"))
    with CaptureQueriesContext(connection) as ctx:
        first = browser.get(reverse("visits:list"))
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    assert not [sql for sql in counts if "visits_visitrequest" in sql]
    assert first.context["page_obj"].has_next()
    assert "Requests 1 to 2" in first.content.decode()
    last = browser.get(reverse("visits:list"), {"page": 3})
    assert [v.pk for v in last.context["object_list"]] == [visits[0].pk]
    assert not last.context["page_obj"].has_next()
    assert "Requests 5 to 5" in last.content.decode()
    assert browser.get(reverse("visits:list"), {"page": 4}).status_code == 404
    assert browser.get(reverse("visits:list"), {"page": "last"}).status_code == 404


def test_the_client_filter_finds_visits_by_part_of_the_client_name(login, sales, four_tier):
    visit = file_visit(sales, four_tier["routine"])
    response = login(sales).get(reverse("visits:list"), {"client": visit.client.name[2:6]})
    assert [v.pk for v in response.context["object_list"]] == [visit.pk]
    response = login(sales).get(reverse("visits:list"), {"client": "no such client"})
    assert list(response.context["object_list"]) == []
