"""Filing a visit request in the browser: drafts, validation, the lead-time rule."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reception.models import ClientContact
from tests.factories import ClientContactFactory, ClientFactory
from visits.models import VisitRequest, VisitStatus

pytestmark = pytest.mark.django_db

NEW = reverse("visits:create")


def when(days, hour=10):
    moment = (timezone.localtime() + timedelta(days=days)).replace(hour=hour, minute=0)
    return moment.strftime("%Y-%m-%dT%H:%M")


def post_data(grade, client, *, visitors=(("孙立群", "采购副总裁", "13900139002"),), **extra):
    data = {
        "client": client.pk,
        "origin": "invited",
        "guest_kind": "commercial",
        "purposes": ["inspection", "tour"],
        "reason": "考察生产线",
        "proposed_grade": grade.pk,
        "arrival_at": when(10),
        "departure_at": when(11, 16),
        "arrival_mode": "airport",
        "arrival_point": "浦东机场",
        "headcount": len(visitors) or 1,
        "services": ["car"],
        "meals": 1,
        "meal_staff": 2,
        "rooms": 0,
        "nights": 0,
        "visitors-TOTAL_FORMS": str(len(visitors)),
        "visitors-INITIAL_FORMS": "0",
    }
    for i, (name, title, phone) in enumerate(visitors):
        data |= {
            f"visitors-{i}-name": name,
            f"visitors-{i}-title": title,
            f"visitors-{i}-phone": phone,
        }
    data.update(extra)
    return data


@pytest.fixture
def browser(login, sales):
    return login(sales)


@pytest.fixture
def client_co(db):
    return ClientFactory(name="远航汽车零部件集团")


def test_sales_submits_a_request_with_visitors(browser, four_tier, client_co, staff, sales):
    visitors = [("孙立群", "采购副总裁", "13900139002"), ("赵晓彤", "经理", "13900139003")]
    response = browser.post(
        NEW, post_data(four_tier["vip"], client_co, visitors=visitors, submit="1")
    )
    visit = VisitRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "visits:detail", args=[visit.pk]
    )
    assert visit.status == VisitStatus.SUBMITTED
    assert visit.applicant == sales
    assert [v.name for v in visit.visitors.all()] == ["孙立群", "赵晓彤"]
    assert visit.reference == f"JD-{timezone.localdate().year}-{visit.pk:05d}"
    assert not visit.late


def test_a_draft_can_be_saved_at_any_time_even_incomplete(browser, four_tier):
    response = browser.post(
        NEW,
        {"headcount": "1", "visitors-TOTAL_FORMS": "0", "visitors-INITIAL_FORMS": "0", "save": "1"},
    )
    visit = VisitRequest.objects.get()
    assert response.status_code == 302
    assert visit.status == VisitStatus.DRAFT and visit.reference.startswith("JD-")


def test_submitting_an_incomplete_request_says_what_is_missing(browser, four_tier):
    data = {
        "headcount": "1",
        "visitors-TOTAL_FORMS": "0",
        "visitors-INITIAL_FORMS": "0",
        "submit": "1",
    }
    response = browser.post(NEW, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    for field in ("client", "proposed_grade", "arrival_at", "departure_at", "reason", "purposes"):
        assert field in errors, field
    assert "Name at least one visitor." in errors["__all__"]
    assert not VisitRequest.objects.exists()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"departure_at": when(9)}, "departure_at", "after the arrival"),
        ({"arrival_at": when(-1), "departure_at": when(1)}, "arrival_at", "in the future"),
        ({"headcount": "1"}, "headcount", "cannot be below the 2 named"),
        ({"visitors-0-phone": "phone?"}, None, "phone number"),
        ({"reason": "长" * 2001}, "reason", "at most 2000"),
        ({"visitors-0-name": "名" * 101}, None, "at most 100"),
        ({"services": ["welcome_banner"]}, "banner_text", "text of the welcome banner"),
        ({"visitors-0-id_number": "12-34"}, None, "5 to 30 letters and digits"),
    ],
)
def test_each_field_is_checked_on_the_server(
    browser, four_tier, client_co, overrides, field, message
):
    visitors = [("孙立群", "采购副总裁", "13900139002"), ("赵晓彤", "经理", "13900139003")]
    data = post_data(four_tier["vip"], client_co, visitors=visitors, save="1") | overrides
    response = browser.post(NEW, data)
    assert response.status_code == 400
    if field:
        assert message in " ".join(response.context["form"].errors[field])
    else:
        assert message in " ".join(str(e) for e in response.context["visitors"].errors)
    assert not VisitRequest.objects.exists()


def test_a_late_request_needs_a_reason_and_is_marked_late(browser, four_tier, client_co, staff):
    data = post_data(
        four_tier["routine"], client_co, arrival_at=when(2), departure_at=when(2, 17), submit="1"
    )
    response = browser.post(NEW, data)
    assert response.status_code == 400
    assert "Say why it is late" in response.context["form"].errors["late_reason"][0]

    browser.post(NEW, data | {"late_reason": "客户临时决定来访"})
    visit = VisitRequest.objects.get()
    assert visit.late and visit.status == VisitStatus.SUBMITTED
    for url in (reverse("visits:list"), reverse("visits:detail", args=[visit.pk])):
        assert "badge-late" in browser.get(url).content.decode(), url


def test_three_days_ahead_is_on_time(browser, four_tier, client_co, staff):
    browser.post(
        NEW,
        post_data(
            four_tier["routine"],
            client_co,
            arrival_at=when(3),
            departure_at=when(3, 17),
            submit="1",
        ),
    )
    assert VisitRequest.objects.get().late is False


def test_the_lead_time_is_policy_data(browser, four_tier, client_co, staff):
    from reception.models import ReceptionPolicy

    policy = ReceptionPolicy.get()
    policy.lead_time_days = 14
    policy.save()
    data = post_data(four_tier["routine"], client_co, submit="1")
    assert "late_reason" in browser.post(NEW, data).context["form"].errors


def test_contacts_must_belong_to_the_chosen_client(browser, four_tier, client_co, staff):
    own = ClientContactFactory(client=client_co, name="孙立群")
    stranger = ClientContactFactory(name="外人")
    data = post_data(four_tier["routine"], client_co, contacts=[own.pk, stranger.pk], save="1")
    response = browser.post(NEW, data)
    assert response.status_code == 400  # the other client's contact is not a valid choice
    browser.post(NEW, data | {"contacts": [own.pk]})
    assert list(VisitRequest.objects.get().contacts.all()) == [own]
    assert ClientContact.objects.count() == 2


def test_the_contacts_list_follows_the_chosen_client(browser, client_co):
    ClientContactFactory(client=client_co, name="孙立群")
    response = browser.get(reverse("visits:contact_options"), {"client": client_co.pk})
    assert "孙立群" in response.content.decode()


def test_id_numbers_are_shown_masked(browser, four_tier, client_co, staff):
    data = post_data(four_tier["routine"], client_co, save="1") | {
        "visitors-0-id_number": "110101198001011234"
    }
    browser.post(NEW, data)
    visit = VisitRequest.objects.get()
    page = browser.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "110***********1234" in page and "110101198001011234" not in page
    edit = browser.get(reverse("visits:edit", args=[visit.pk])).content.decode()
    assert "110101198001011234" not in edit
    assert visit.visitors.get().has_id_number("110101198001011234")


def test_only_sales_and_project_engineers_file_requests(login, make_user, four_tier):
    from reception.accounts.roles import Role

    for role in (Role.RECEPTIONIST, Role.GENERAL_MANAGER, Role.SECURITY):
        assert login(make_user(role)).get(NEW).status_code == 403
    assert login(make_user(Role.PROJECT_ENGINEER)).get(NEW).status_code == 200
