"""The menus and the client page are filled by the apps above reception, from their
AppConfig.ready() (reception/navigation.py): the order users see is the entries' `order`."""

import pytest
from django.urls import reverse

from reception import navigation
from reception.accounts.roles import Role
from reception.navigation import ACCOUNT, Entry, register_menu_entries
from tests.factories import ClientFactory, user_with

# The order of the navbar and of the home page's "Go to", as users know it.
MENU = [
    "visits",
    "queue",
    "oversight",
    "tasks",
    "my_tasks",
    "preparation",
    "board",
    "walk_ins",
    "gate",
    "summaries",
    "reports",
    "clients",
    "admin",
]


@pytest.fixture
def registry(monkeypatch):
    """The menu registry, put back as it was after the test."""
    monkeypatch.setattr(navigation, "_registry", dict(navigation._registry))
    return navigation._registry


def test_the_menu_lists_every_apps_entries_in_the_order_users_know():
    assert [entry.key for entry in navigation.menu_entries()] == MENU
    assert [entry.key for entry in navigation.menu_entries(ACCOUNT)] == ["calendar_feed"]


def test_an_entry_registered_again_replaces_the_first(registry):
    again = Entry("walk_ins", "Walk-ins", "", "bi-x", "visits:walk_ins", order=80)
    register_menu_entries(again)
    assert [entry.key for entry in navigation.menu_entries()] == MENU
    assert registry["walk_ins"] is again


def test_two_entries_may_not_share_a_place_in_a_menu(registry):
    with pytest.raises(ValueError, match="order 70 is taken by 'board'"):
        register_menu_entries(Entry("other", "Other", "", "bi-x", "home", order=70))
    register_menu_entries(Entry("other", "Other", "", "bi-x", "home", order=70, menu=ACCOUNT))


@pytest.mark.django_db
def test_the_administrators_navbar_and_own_menu_come_from_the_registry(login):
    admin = user_with(Role.ADMINISTRATOR, username="boss", is_superuser=True, is_staff=True)
    page = login(admin).get(reverse("home"))
    nav = page.context["nav_items"] + page.context["nav_more"]
    assert [item["entry"].key for item in nav] == MENU
    assert [entry.key for entry in page.context["entries"]] == MENU
    html = page.content.decode()
    assert f'href="{reverse("visits:calendar_feed")}"' in html


@pytest.mark.django_db
def test_the_front_desks_navbar_keeps_the_order_of_what_it_may_open(login):
    page = login(user_with(Role.FRONT_DESK)).get(reverse("home"))
    nav = page.context["nav_items"] + page.context["nav_more"]
    keys = [item["entry"].key for item in nav]
    assert keys == ["my_tasks", "board", "walk_ins", "gate", "clients"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "link"),
    [
        ("zh-hans", "来访记录", "查看该客户的来访记录"),
        ("en", "Visit history", "Show the visits of this client"),
    ],
)
def test_the_client_page_loads_the_visit_history_visits_adds(login, language, title, link):
    client = ClientFactory()
    browser = login(user_with(Role.SALES))
    url = reverse("reception:client_detail", args=[client.pk])
    page = browser.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    history = reverse("visits:client_visits", args=[client.pk])
    assert f'hx-get="{history}"' in page
    assert f'<a href="{history}">{link}</a>' in page
    assert title in page
