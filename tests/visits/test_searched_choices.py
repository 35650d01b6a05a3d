"""Staff and clients are searched on the server, not listed on the page: the filing form and
the visit page's staff form render only the chosen options, two small JSON answers offer
matches (login, role, at most LIMIT), and the form still refuses a choice posted directly that
it would not offer."""

import re

import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import Department, StaffMembership, User
from tests.factories import ClientFactory, first_site, user_with
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
    expected = [{"value": str(quentin.pk), "text": "Quentin Zhao · Sales"}]  # no department: role
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


# ---- people by pinyin, department, title and role; the walk-in form's "wants to see" -------

HOSTS = reverse("visits:host_options")


@pytest.fixture
def marketing_department(db):
    return Department.objects.create(code="marketing", name="营销部", name_en="Marketing")


@pytest.fixture
def zhang_wei(sales, marketing_department):
    StaffMembership.objects.create(user=sales, department=marketing_department, title="营业员")
    return sales


def found(browser, url, text) -> list[str]:
    return [row["text"] for row in browser.get(url, {"q": text}).json()["results"]]


def test_a_person_is_found_by_pinyin_initials_or_full_pinyin(login, marketing, zhang_wei):
    user_with(Role.SALES, username="u2", full_name="李娜")
    browser = login(marketing)
    for text in ("zw", "zhangwei", "Zhang Wei", "ZHANGW", "张伟", "张"):
        assert found(browser, STAFF, text) == ["张伟 · Marketing · 营业员"], text


def test_a_person_is_found_by_department_title_or_role(login, marketing, zhang_wei):
    user_with(Role.GENERAL_MANAGER, username="u3", full_name="赵敏")
    browser = login(marketing)
    for text in ("营销", "marketing", "yingxiao", "营业员"):
        assert "张伟 · Marketing · 营业员" in found(browser, STAFF, text), text
    for text in ("总经理", "general manager", "zongjingli"):
        assert found(browser, STAFF, text) == ["赵敏 · General manager"], text
    assert "赵敏 · General manager" not in found(browser, STAFF, "yingxiao")


def test_the_pinyin_key_follows_a_renamed_person(zhang_wei):
    assert zhang_wei.search_key == "zhangwei zw"
    zhang_wei.full_name = "王芳"
    zhang_wei.save(update_fields=["full_name"])
    zhang_wei.refresh_from_db()
    assert zhang_wei.search_key.split()[0] == "wangfang"


def test_the_walk_in_form_lists_nobody_and_searches_hosts_on_the_server(login, zhang_wei):
    guard = user_with(Role.SECURITY, username="guard")
    user_with(Role.SECURITY, username="other_guard", full_name="张卫")  # hosts nobody
    browser = login(guard)
    page = browser.get(reverse("visits:walk_in_create")).content.decode()
    assert options_of(page, "wants_to_see") == [""]
    assert 'data-options-url="/options/hosts/"' in page
    assert found(browser, HOSTS, "zw") == ["张伟 · Marketing · 营业员"]
    assert found(browser, HOSTS, "guard") == []  # the recorder never names themselves


def test_whoever_records_no_walk_in_gets_no_host_list(login, marketing):
    assert login(marketing).get(HOSTS, {"q": "a"}).status_code == 403


def test_a_host_picked_on_the_walk_in_form_is_recorded(login, zhang_wei):
    first_site()  # the gate's site
    guard = user_with(Role.SECURITY, username="guard")
    data = {
        "company": "星河电子",
        "names": "王强",
        "headcount": 1,
        "phone": "13900001111",
        "wants_to_see": zhang_wei.pk,
        "purpose": "了解产品",
    }
    response = login(guard).post(reverse("visits:walk_in_create"), data)
    assert response.status_code == 302
    assert zhang_wei.walk_ins_for_me.count() == 1
    assert User.objects.get(pk=zhang_wei.pk).search_key == "zhangwei zw"
