"""Control characters in a query string or a path never reach the database: PostgreSQL refuses
a NUL in any text, and the searches answered 500 with one. Query-string values lose their
control characters (a tab, a line break and a carriage return stay); a path with one names no
page (404). Forms refuse them with a message on the field (reception/validators.py)."""

import pytest
from django.urls import reverse

from reception.models import Client
from reception.roles import Role
from tests.factories import ClientFactory, user_with
from visits.models import WelcomeDisplay

pytestmark = pytest.mark.django_db

SEARCHES = [
    (Role.FRONT_DESK, "visits:board"),
    (Role.SALES, "visits:client_options"),
    (Role.SALES, "visits:staff_options"),
    (Role.SALES, "reception:client_list"),
    (Role.SALES, "visits:list"),
]


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x9b"])
@pytest.mark.parametrize(("role", "url"), SEARCHES)
def test_a_control_character_in_a_search_is_dropped(role, url, char, client):
    client.force_login(user_with(role))
    response = client.get(reverse(url), {"q": f"a{char}b"})
    assert response.status_code == 200


def test_the_search_finds_what_it_would_without_the_control_character(four_tier, client):
    ClientFactory(name="星河电子")
    client.force_login(user_with(Role.SALES))
    response = client.get(reverse("visits:client_options"), {"q": "星河\x00电子"})
    assert [r["text"] for r in response.json()["results"]] == [
        Client.objects.get(name="星河电子").label
    ]


def test_tabs_and_line_breaks_stay_in_a_query_value(rf):
    from reception.middleware import ControlCharactersMiddleware

    seen = {}

    def view(request):
        seen.update(request.GET.lists())

    request = rf.get("/", {"q": "a\tb\r\nc\x00d", "x\x00": "1"})
    ControlCharactersMiddleware(view)(request)
    assert seen == {"q": ["a\tb\r\ncd"], "x": ["1"]}


def test_a_control_character_in_a_filter_value_is_dropped(client):
    client.force_login(user_with(Role.MARKETING))
    response = client.get(reverse("visits:list"), {"client": "1\x00", "applicant": "\x00"})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/welcome/a%00b/", "/calendar/a%00b.ics", "/visits/%00/"])
def test_a_control_character_in_a_path_names_no_page(path, client):
    WelcomeDisplay.objects.create(name="大堂")
    client.force_login(user_with(Role.FRONT_DESK))
    assert client.get(path).status_code == 404
