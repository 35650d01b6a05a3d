"""The visit list counts no further than its cap: five years of history are reached through
the filters, not by counting every visible visit on each page view."""

import pytest
from django.urls import reverse

from tests.factories import file_visit
from visits.views.requests import CappedPaginator

pytestmark = pytest.mark.django_db


def test_the_visit_list_stops_counting_at_its_cap(login, sales, four_tier, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "CAP", 2)
    for _ in range(3):
        file_visit(sales, four_tier["routine"])
    response = login(sales).get(reverse("visits:list"))
    assert response.context["paginator"].count == 2
    assert "The 2 latest requests" in response.content.decode()


def test_the_visit_list_counts_every_request_below_its_cap(login, sales, four_tier):
    for _ in range(3):
        file_visit(sales, four_tier["routine"])
    response = login(sales).get(reverse("visits:list"))
    assert response.context["paginator"].count == 3
    assert not response.context["paginator"].capped


def test_the_client_filter_finds_visits_by_part_of_the_client_name(login, sales, four_tier):
    visit = file_visit(sales, four_tier["routine"])
    response = login(sales).get(reverse("visits:list"), {"client": visit.client.name[2:6]})
    assert [v.pk for v in response.context["object_list"]] == [visit.pk]
    response = login(sales).get(reverse("visits:list"), {"client": "no such client"})
    assert list(response.context["object_list"]) == []
