"""Client names are normalised before they are compared, and look-alikes are caught."""

import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import Client
from reception.validators import name_key, name_stem, normalize_name
from tests.factories import ClientFactory, user_with
from tests.reception.test_client_pages import form_data

pytestmark = pytest.mark.django_db

CREATE = reverse("reception:client_create")


@pytest.fixture
def browser(login):
    return login(user_with(Role.MARKETING))


def name_errors(response) -> list[str]:
    assert response.status_code == 400
    return response.context["form"].errors["name"]


def test_full_width_letters_brackets_and_spaces_are_normalised_when_saved(browser):
    response = browser.post(CREATE, form_data(name="  远航（上海）  ＡＢＣ　汽车 "))
    assert response.status_code == 302
    assert Client.objects.get().name == "远航(上海) ABC 汽车"


def test_a_full_width_look_alike_of_an_existing_client_is_a_duplicate(browser):
    ClientFactory(name="远航(上海)汽车零部件有限公司")
    errors = name_errors(browser.post(CREATE, form_data(name="远航（上海）汽车零部件有限公司")))
    assert "already exists" in errors[0]
    assert Client.objects.count() == 1


def test_a_name_differing_only_by_the_legal_suffix_asks_did_you_mean(browser):
    ClientFactory(name="星河电子有限公司")
    errors = name_errors(browser.post(CREATE, form_data(name="星河电子")))
    assert "星河电子有限公司" in errors[0] and "Did you mean" in errors[0]


def test_an_english_name_differing_by_case_and_co_ltd_asks_did_you_mean(browser):
    ClientFactory(name="Acme Tools Co., Ltd.")
    errors = name_errors(browser.post(CREATE, form_data(name="ACME  tools")))
    assert "Acme Tools Co., Ltd." in errors[0]


def test_a_different_company_is_not_a_near_duplicate(browser):
    ClientFactory(name="星河电子有限公司")
    assert browser.post(CREATE, form_data(name="星河光电有限公司")).status_code == 302


def test_editing_a_client_does_not_find_itself_a_near_duplicate(browser):
    client = ClientFactory(name="星河电子有限公司")
    url = reverse("reception:client_edit", args=[client.pk])
    response = browser.post(url, form_data(name="星河电子有限公司", **{"contacts-0-name": "林"}))
    assert response.status_code == 302


@pytest.mark.parametrize("char", ["\u200b", "\u202e", "\n"], ids=["zwsp", "rlo", "newline"])
def test_invisible_characters_and_line_breaks_in_a_client_name_are_refused(browser, char):
    errors = name_errors(browser.post(CREATE, form_data(name=f"星河{char}电子")))
    assert errors and not Client.objects.exists()


def test_a_contact_name_with_a_line_break_is_refused(browser):
    response = browser.post(CREATE, form_data(**{"contacts-0-name": "林\n晓"}))
    assert response.status_code == 400
    assert "line break" in response.context["contacts"].errors[0]["name"][0]


def test_the_name_key_ignores_width_case_spacing_and_legal_suffix():
    assert normalize_name("ＡＣＭＥ（中国）\u3000有限公司") == "ACME(中国) 有限公司"
    keys = {
        name_key(n) for n in ["Acme (中国) 有限公司", "ＡＣＭＥ（中国）", "acme(中国)Co., Ltd."]
    }
    assert keys == {"acme中国"}


# Look-alikes: Traditional characters, a full stop, a bracketed place, spacing, width --------

EXISTING = "远航汽车零部件有限公司"
# Written differently, the same company: refused, naming the client that exists.
SAME_COMPANY = [
    "远航汽车零部件有限公司。",
    "远航汽车零部件有限公司.",
    "遠航汽車零部件有限公司",
    "远航 汽车 零部件 有限公司",
    "远航汽车零部件",
    "远航汽车零部件股份有限公司",
    "远航汽车零部件有限责任公司",
    "远航汽车零部件，有限公司",
]
# The same name but for a bracketed part: maybe the same company, maybe a branch elsewhere.
BRANCH_OR_SAME = [
    "远航汽车零部件（苏州）有限公司",
    "远航汽车零部件(苏州)有限公司",
    "远航汽车零部件有限公司（苏州）",
    "【苏州】远航汽车零部件有限公司",
    "遠航汽車零部件（蘇州）有限公司。",
]


@pytest.mark.parametrize("name", SAME_COMPANY)
def test_a_name_meaning_an_existing_client_is_refused_naming_it(browser, name):
    ClientFactory(name=EXISTING)
    (error,) = name_errors(browser.post(CREATE, form_data(name=name)))
    assert EXISTING in error and "Did you mean" in error
    assert Client.objects.count() == 1


@pytest.mark.parametrize("name", BRANCH_OR_SAME)
def test_a_name_differing_by_a_bracketed_place_asks_did_you_mean(browser, name):
    existing = ClientFactory(name=EXISTING)
    response = browser.post(CREATE, form_data(name=name))
    (error,) = name_errors(response)
    assert EXISTING in error and "Did you mean" in error and "different company" in error
    assert Client.objects.count() == 1
    page = response.content.decode()
    assert reverse("reception:client_detail", args=[existing.pk]) in page
    assert 'type="checkbox" name="different_company"' in page


def test_ticking_it_is_a_different_company_saves_the_branch(browser):
    ClientFactory(name=EXISTING)
    data = form_data(name="远航汽车零部件（苏州）有限公司", different_company="on")
    assert browser.post(CREATE, data).status_code == 302
    assert Client.objects.filter(name="远航汽车零部件(苏州)有限公司").exists()


def test_editing_one_of_two_branches_does_not_ask_again(browser):
    ClientFactory(name=EXISTING)
    branch = ClientFactory(name="远航汽车零部件(苏州)有限公司")
    url = reverse("reception:client_edit", args=[branch.pk])
    data = form_data(name=branch.name, **{"contacts-0-name": "林"})
    assert browser.post(url, data).status_code == 302


def test_a_new_client_form_does_not_show_the_question_unasked(browser):
    page = browser.get(CREATE).content.decode()
    assert 'name="different_company"' not in page


def test_keys_and_stems_of_the_variants():
    key, stem = name_key(EXISTING), name_stem(EXISTING)
    assert {name_key(n) for n in SAME_COMPANY} == {key}
    assert {name_stem(n) for n in BRANCH_OR_SAME} == {stem}
    assert {name_key(n) for n in BRANCH_OR_SAME} == {key + "苏州", "苏州" + key}
    assert name_key("Zinc Corp") == "zinc"  # an English suffix only as a word of its own
    assert name_stem("（苏州）") == ""  # nothing outside the brackets: never a match


def test_searching_in_traditional_characters_finds_the_client(browser):
    ClientFactory(name=EXISTING)
    response = browser.get(reverse("reception:client_list"), {"q": "遠航汽車"})
    assert [c.name for c in response.context["object_list"]] == [EXISTING]
