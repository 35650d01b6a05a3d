import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import Client, ClientCategory
from tests.factories import ClientFactory, user_with

pytestmark = pytest.mark.django_db

LIST = reverse("reception:client_list")
CREATE = reverse("reception:client_create")

VIEWERS = [
    Role.SALES,
    Role.PROJECT_ENGINEER,
    Role.MARKETING,
    Role.MARKETING_HEAD,
    Role.DEPUTY_GM,
    Role.GENERAL_MANAGER,
    Role.PRODUCT_DIRECTOR,
    Role.RECEPTIONIST,
    Role.FRONT_DESK,
    Role.OFFICE,  # files non-commercial visits: keeps the organisations it receives
]
NON_VIEWERS = [r for r in Role if r not in VIEWERS and r != Role.ADMINISTRATOR]


def form_data(**overrides):
    data = {
        "name": "星河电子有限公司",
        "name_en": "Xinghe Electronics",
        "category": ClientCategory.NEWLY_DEVELOPED,
        "industry": "电子",
        "scale": "medium",
        "referred_by": "",
        "cooperation_status": "prospect",
        "notes": "",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "林晓",
        "contacts-0-title": "采购经理",
        "contacts-0-phone": "13800000000",
        "contacts-0-email": "lin@example.com",
    }
    data.update(overrides)
    return data


# ---- who may see which page (role x page) ------------------------------------------------


@pytest.mark.parametrize("role", VIEWERS)
def test_client_list_and_page_are_open_to_roles_that_deal_with_clients(role, login):
    client_obj = ClientFactory()
    browser = login(user_with(role))
    assert browser.get(LIST).status_code == 200
    assert browser.get(reverse("reception:client_detail", args=[client_obj.pk])).status_code == 200


@pytest.mark.parametrize("role", NON_VIEWERS)
def test_client_pages_are_forbidden_to_other_roles(role, login):
    client_obj = ClientFactory()
    browser = login(user_with(role))
    assert browser.get(LIST).status_code == 403
    assert browser.get(reverse("reception:client_detail", args=[client_obj.pk])).status_code == 403
    assert browser.get(CREATE).status_code == 403


@pytest.mark.parametrize(
    "role, may_create",
    [
        (Role.SALES, True),
        (Role.PROJECT_ENGINEER, True),
        (Role.MARKETING, True),
        (Role.MARKETING_HEAD, True),
        (Role.RECEPTIONIST, False),
        (Role.GENERAL_MANAGER, False),
        (Role.SECURITY, False),
    ],
)
def test_who_may_create_clients(role, may_create, login):
    browser = login(user_with(role))
    response = browser.post(CREATE, form_data())
    assert Client.objects.filter(name="星河电子有限公司").exists() is may_create
    assert response.status_code == (302 if may_create else 403)


@pytest.mark.parametrize(
    "role, own, expected",
    [
        (Role.SALES, True, 200),
        (Role.SALES, False, 404),
        (Role.PROJECT_ENGINEER, True, 200),
        (Role.PROJECT_ENGINEER, False, 404),
        (Role.MARKETING, False, 200),
        (Role.MARKETING_HEAD, False, 200),
        (Role.RECEPTIONIST, False, 403),
    ],
)
def test_sales_edit_only_their_own_clients_marketing_edits_all(role, own, expected, login):
    user = user_with(role)
    someone_else = user_with(Role.SALES)
    client_obj = ClientFactory(account_owner=user if own else someone_else)
    browser = login(user)
    url = reverse("reception:client_edit", args=[client_obj.pk])
    assert browser.get(url).status_code == expected
    browser.post(url, form_data(name="改名后的公司"))
    client_obj.refresh_from_db()
    assert (client_obj.name == "改名后的公司") is (expected == 200)


# ---- the rules the forms enforce ---------------------------------------------------------


def test_a_client_created_by_sales_is_owned_by_them_whatever_the_form_says(
    sales, other_sales, login
):
    login(sales).post(CREATE, form_data(account_owner=other_sales.pk))
    created = Client.objects.get(name="星河电子有限公司")
    assert created.account_owner == sales
    assert created.contacts.get().name == "林晓"


def test_marketing_chooses_the_account_owner(marketing, sales, login):
    login(marketing).post(CREATE, form_data(account_owner=sales.pk))
    assert Client.objects.get(name="星河电子有限公司").account_owner == sales


def test_duplicate_client_name_is_refused_whatever_the_case(sales, login):
    ClientFactory(name="Acme Tools Ltd")
    response = login(sales).post(CREATE, form_data(name="ACME tools ltd"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "already exists" in errors["name"][0]
    assert Client.objects.filter(name__iexact="acme tools ltd").count() == 1


def test_a_referred_client_needs_to_say_who_referred_it(sales, login):
    response = login(sales).post(CREATE, form_data(category=ClientCategory.REFERRED))
    assert response.status_code == 400
    assert "referred_by" in response.context["form"].errors
    assert not Client.objects.filter(name="星河电子有限公司").exists()


def test_a_contact_phone_must_look_like_a_phone_number(sales, login):
    response = login(sales).post(CREATE, form_data(**{"contacts-0-phone": "call me maybe"}))
    assert response.status_code == 400
    assert "phone" in response.context["contacts"].forms[0].errors


def test_list_filters_by_category_owner_and_name(sales, other_sales, login):
    ClientFactory(
        name="甲公司", category=ClientCategory.REFERRED, referred_by="x", account_owner=sales
    )
    ClientFactory(name="乙公司", category=ClientCategory.SELF_ENQUIRY, account_owner=other_sales)
    browser = login(sales)

    def names(**params):
        response = browser.get(LIST, params)
        return [c.name for c in response.context["object_list"]]

    assert names(category=ClientCategory.REFERRED) == ["甲公司"]
    assert names(account_owner=other_sales.pk) == ["乙公司"]
    assert names(q="乙") == ["乙公司"]


def test_client_list_query_count_does_not_grow_with_clients(
    sales, login, count_queries, django_assert_num_queries
):
    browser = login(sales)
    ClientFactory.create_batch(3, account_owner=sales)
    small = count_queries(lambda: browser.get(LIST))
    ClientFactory.create_batch(20, account_owner=sales)
    with django_assert_num_queries(small):
        browser.get(LIST)


def test_a_client_names_its_project_engineer_on_its_pages(login):
    """The engineer a request for this client names by default (visits: task holders)."""
    owner = user_with(Role.SALES, username="owner")
    engineer = user_with(Role.PROJECT_ENGINEER, username="engineer", full_name="王强")
    browser = login(owner)
    choices = browser.get(CREATE).context["form"].fields["project_engineer"].queryset
    assert list(choices) == [engineer]  # project engineers only
    browser.post(CREATE, form_data(project_engineer=engineer.pk))
    client_obj = Client.objects.get(name="星河电子有限公司")
    assert client_obj.project_engineer == engineer
    edit = reverse("reception:client_edit", args=[client_obj.pk])
    browser.post(edit, form_data(project_engineer=""))
    client_obj.refresh_from_db()
    assert client_obj.project_engineer is None
    client_obj.project_engineer = engineer
    client_obj.save()
    page = browser.get(reverse("reception:client_detail", args=[client_obj.pk]))
    assert "王强" in page.content.decode()
