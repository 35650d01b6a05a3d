"""Staff and clients are searched on the server, not listed on the page: the filing form and
the visit page's staff form render only the chosen options, two small JSON answers offer
matches (login, role, at most LIMIT), and the form still refuses a choice posted directly that
it would not offer."""

import re

import pytest
from django.urls import reverse

from reception.roles import Role
from tests.factories import ClientFactory, user_with
from tests.visits.test_filing_page import NEW, post_data
from visits.models import VisitRequest
from visits.views.options import LIMIT

pytestmark = pytest.mark.django_db

STAFF = reverse("visits:staff_options")
CLIENTS = reverse("visits:client_options")


def options_of(page: str, field: str) -> list[str]:
    select = re.search(rf'<select name="{field}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_filing_form_lists_no_staff_and_no_clients(login, sales):
    for n in range(5):
        user_with(Role.SALES, username=f"colleague{n}")
        ClientFactory()
    page = login(sales).get(NEW).content.decode()
    assert options_of(page, "main_host") == [""]
    assert options_of(page, "accompanying_staff") == []
    assert options_of(page, "client") == [""]
    assert 'data-options-url="/options/staff/"' in page


def test_the_edit_form_renders_the_chosen_staff_and_client_only(login, sales, four_tier, staff):
    client = ClientFactory()
    ClientFactory()  # not chosen: not on the page
    data = post_data(four_tier["vip"], client, save="1")
    data |= {"main_host": staff.gm.pk, "accompanying_staff": [staff.deputy_gm.pk]}
    browser = login(sales)
    browser.post(NEW, data)
    visit = VisitRequest.objects.get()
    page = browser.get(reverse("visits:edit", args=[visit.pk])).content.decode()
    assert options_of(page, "main_host") == ["", str(staff.gm.pk)]
    assert options_of(page, "accompanying_staff") == [str(staff.deputy_gm.pk)]
    assert options_of(page, "client") == ["", str(client.pk)]


def test_staff_are_found_by_name_or_username(login, sales):
    quentin = user_with(Role.SALES, username="qzhao", full_name="Quentin Zhao")
    browser = login(sales)
    by_name = browser.get(STAFF, {"q": "quentin"}).json()
    by_username = browser.get(STAFF, {"q": "QZHA"}).json()
    expected = [{"value": str(quentin.pk), "text": "Quentin Zhao"}]
    assert by_name["results"] == expected and by_username["results"] == expected


def test_inactive_staff_are_not_offered(login, sales):
    user_with(Role.SALES, username="gone", full_name="Gone Person", is_active=False)
    assert login(sales).get(STAFF, {"q": "Gone"}).json()["results"] == []


def test_an_answer_holds_at_most_the_limit_and_says_there_is_more(login, sales):
    for n in range(LIMIT + 5):
        user_with(Role.SALES, username=f"wang{n}", full_name=f"王{n}")
    answer = login(sales).get(STAFF, {"q": "wang"}).json()
    assert len(answer["results"]) == LIMIT and answer["more"] is True


def test_clients_are_found_by_chinese_or_english_name_or_a_contact(login, sales):
    client = ClientFactory(name="远航汽车零部件集团", name_en="Yuanhang Auto Parts")
    client.contacts.create(name="孙立群")
    ClientFactory(name="星河电子", name_en="Galaxy Electronics")
    browser = login(sales)
    for text in ("远航", "yuanhang", "孙立"):
        found = [row["value"] for row in browser.get(CLIENTS, {"q": text}).json()["results"]]
        assert found == [str(client.pk)], text


def test_a_role_that_files_nothing_gets_no_client_list(login):
    security = user_with(Role.SECURITY)
    assert login(security).get(CLIENTS, {"q": "a"}).status_code == 403


def test_a_role_that_neither_files_nor_reads_visits_gets_no_staff_list(login):
    front_desk = user_with(Role.FRONT_DESK)
    assert login(front_desk).get(STAFF, {"q": "a"}).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    for url in (STAFF, CLIENTS):
        response = client.get(url, {"q": "a"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_inactive_main_host_posted_directly_is_refused(login, sales, four_tier):
    gone = user_with(Role.SALES, username="gone", is_active=False)
    data = post_data(four_tier["vip"], ClientFactory(), save="1") | {"main_host": gone.pk}
    response = login(sales).post(NEW, data)
    assert response.status_code == 400
    assert "main_host" in response.context["form"].errors
    assert not VisitRequest.objects.exists()


def test_an_unknown_client_posted_directly_is_refused(login, sales, four_tier):
    data = post_data(four_tier["vip"], ClientFactory(), save="1") | {"client": 999999}
    response = login(sales).post(NEW, data)
    assert response.status_code == 400
    assert "client" in response.context["form"].errors
