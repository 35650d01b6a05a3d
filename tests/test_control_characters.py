"""Control characters in a query string or a path never reach the database: PostgreSQL refuses
a NUL in any text, and the searches answered 500 with one. Query-string values lose their
control characters (a tab, a line break and a carriage return stay); a path with one names no
page (404). Forms refuse them with a message on the field (reception/validators.py)."""

import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import Client
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


# ---- every form of the pages applies the text rules ----------------------------------------

# Forms of the pages that need not: an email address only (EmailField has rules of its own).
WITHOUT_TEXT_RULES = {"reception.forms.LocalisedPasswordResetForm"}


def page_forms() -> set[type]:
    """Every form class the apps define outside the admin (which is Django's)."""
    import importlib
    import inspect
    import pkgutil

    from django import forms

    found = set()
    for app in ("reception", "approvals", "visits"):
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part in module.name for part in ("admin", "migrations", "management")):
                continue
            for _name, cls in inspect.getmembers(importlib.import_module(module.name)):
                if (
                    inspect.isclass(cls)
                    and issubclass(cls, forms.BaseForm)
                    and cls.__module__.split(".")[0] in ("reception", "approvals", "visits")
                ):
                    found.add(cls)
    return found


def test_every_form_of_the_pages_refuses_control_characters():
    from reception.validators import TextRulesMixin

    forms = page_forms()
    assert len(forms) > 15
    missing = {
        f"{cls.__module__}.{cls.__name__}" for cls in forms if not issubclass(cls, TextRulesMixin)
    } - WITHOUT_TEXT_RULES
    assert not missing, f"add TextRulesMixin (reception/validators.py) to {missing}"


def test_a_delegation_note_with_a_control_character_is_a_form_error(four_tier, staff, client):
    from datetime import timedelta

    from django.utils import timezone

    from approvals.models import Delegation

    client.force_login(staff.gm)
    today = timezone.localdate()
    response = client.post(
        reverse("approvals:delegations"),
        {
            "delegate": staff.deputy_gm.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=2)).isoformat(),
            "note": "出差\x07",
        },
    )
    assert response.status_code in (200, 400)
    assert "U+0007" in response.context["form"].errors["note"][0]
    assert not Delegation.objects.exists()
