"""The API's resources: through the same forms, rules and services as the pages."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from reception.accounts.roles import Role
from reception.models import Client, User
from tests.factories import ClientFactory, approve_fully, file_visit, first_site, user_with
from visits.models import VisitRequest, VisitStatus, WalkIn

pytestmark = pytest.mark.django_db


def arriving(days=1, hour=10):
    arrival = (timezone.localtime() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return {"arrival_at": arrival, "departure_at": arrival + timedelta(hours=6)}


def test_the_list_pages_with_a_cursor(four_tier, sales, api, token_for):
    visits = [file_visit(sales, four_tier["routine"], submit=False) for _ in range(5)]
    caller = api(token_for(sales))
    first = caller.get("/visits", {"limit": 3}).json()
    assert [v["id"] for v in first["items"]] == [v.pk for v in reversed(visits)][:3]
    rest = caller.get("/visits", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [v["id"] for v in rest["items"]] == [visits[1].pk, visits[0].pk]
    assert rest["next_cursor"] is None


def test_the_list_filters_by_status_arrival_and_site(four_tier, sales, api, token_for):
    draft = file_visit(sales, four_tier["routine"], submit=False, **arriving(3))
    submitted = file_visit(sales, four_tier["routine"], **arriving(20))
    caller = api(token_for(sales))
    ids = lambda **q: [v["id"] for v in caller.get("/visits", q).json()["items"]]  # noqa: E731
    assert ids(status=VisitStatus.DRAFT) == [draft.pk]
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert ids(arrival_from=day) == [submitted.pk]
    assert ids(site=first_site().code) == [submitted.pk, draft.pk]
    assert ids(site="nowhere") == []


def test_a_bad_filter_is_400_with_the_field_in_the_readers_language(sales, api, token_for, db):
    caller = api(token_for(sales), **{"Accept-Language": "zh-hans"})
    response = caller.get("/visits", {"status": "nonsense"})
    assert response.status_code == 400
    assert "选择" in response.json()["errors"]["status"][0]


def test_the_list_costs_the_same_queries_for_more_visits(
    four_tier, sales, api, token_for, django_assert_num_queries
):
    caller = api(token_for(sales))
    file_visit(sales, four_tier["routine"], submit=False)
    caller.get("/visits")  # warm: the token's last use is written once a minute
    # the token, the sites (the filter's choices), the visits (what the user may do and the
    # visits they may see: kept between requests)
    with django_assert_num_queries(3):
        caller.get("/visits")
    for _ in range(4):
        file_visit(sales, four_tier["routine"], submit=False)
    with django_assert_num_queries(3):
        assert len(caller.get("/visits").json()["items"]) == 5


def test_another_applicants_visit_is_404(four_tier, sales, other_sales, api, token_for):
    visit = file_visit(other_sales, four_tier["routine"], submit=False)
    assert api(token_for(sales)).get(f"/visits/{visit.pk}").status_code == 404


def test_visitors_of_a_visit(four_tier, sales, api, token_for):
    visit = file_visit(sales, four_tier["routine"], submit=False)
    names = [v["name"] for v in api(token_for(sales)).get(f"/visits/{visit.pk}/visitors").json()]
    assert names == ["孙立群", "赵晓彤", "Peter Lee"]


def filing(client_pk, grade_pk, **extra):
    arrival = (timezone.localtime() + timedelta(days=12)).replace(hour=9, minute=0)
    return {
        "client": client_pk,
        "purposes": ["inspection"],
        "reason": "考察生产线",
        "proposed_grade": grade_pk,
        "arrival_at": arrival.strftime("%Y-%m-%d %H:%M"),
        "departure_at": (arrival + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M"),
        "visitors": [{"name": "孙立群", "title": "采购副总裁"}],
        "late_reason": "客户临时通知",
        **extra,
    }


def test_filing_a_request_submits_it_once(four_tier, sales, api, token_for):
    client = ClientFactory(account_owner=sales)
    token = str(uuid.uuid4())
    caller = api(token_for(sales))
    data = filing(client.pk, four_tier["routine"].pk, submit=True, submission_token=token)
    response = caller.post("/visits", data)
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == VisitStatus.SUBMITTED
    again = caller.post("/visits", data)
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    assert VisitRequest.objects.count() == 1


def test_bad_filing_is_400_with_field_errors_and_writes_nothing(four_tier, sales, api, token_for):
    caller = api(token_for(sales), **{"Accept-Language": "zh-hans"})
    data = filing(
        None, four_tier["routine"].pk, arrival_at="yesterday", visitors=[{"name": "", "title": "x"}]
    )
    response = caller.post("/visits", data)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) >= {"arrival_at", "visitors.0.name"}
    assert "这个字段是必填项" in errors["visitors.0.name"][0]
    assert VisitRequest.objects.count() == 0


def test_a_wrongly_typed_body_is_400_too(sales, api, token_for, db):
    response = api(token_for(sales)).post("/visits", {"headcount": "many"})
    assert response.status_code == 400
    assert "headcount" in response.json()["errors"]


def test_check_in_and_out_through_the_desk_service(four_tier, sales, staff, api, token_for):
    visit = approve_fully(
        file_visit(sales, four_tier["routine"], late_reason="急", **arriving(0, 16))
    )
    desk = api(token_for(user_with(Role.FRONT_DESK, username="fd")))
    first = visit.visitors.order_by("pk").first()
    response = desk.post(f"/visits/{visit.pk}/check-in", {"visitor_ids": [first.pk]})
    assert response.status_code == 200
    assert [v["name"] for v in response.json()["visitors"]] == [first.name]
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_PROGRESS
    assert desk.post(f"/visits/{visit.pk}/check-out").status_code == 200


def test_a_walk_in_is_recorded(marketing, api, token_for):
    site = first_site()  # the gate's site: the recorder has no other
    gate = api(token_for(user_with(Role.SECURITY, username="gate")))
    response = gate.post(
        "/walk-ins",
        {
            "company": "星河电子",
            "names": "王强",
            "phone": "13900001111",
            "wants_to_see": marketing.pk,
            "purpose": "参观",
        },
    )
    assert response.status_code == 201, response.json()
    walk_in = WalkIn.objects.get()
    assert (walk_in.wants_to_see, walk_in.site) == (marketing, site)


def test_a_departments_task_is_listed_and_ticked(four_tier, sales, staff, api, token_for):
    from reception.models import Department

    visit = approve_fully(file_visit(sales, four_tier["routine"], late_reason="急", **arriving(5)))
    member = user_with(Role.DEPARTMENT_MEMBER, username="member")
    office = Department.objects.get(code="office")
    office.memberships.create(user=member)
    caller = api(token_for(member, "tasks"))
    tasks = caller.get("/tasks", {"visit_id": visit.pk}).json()
    assert tasks and {t["department"] for t in tasks} == {"office"}
    response = caller.post(f"/tasks/{tasks[0]['id']}/done", {"note": "订好了"})
    assert response.json()["status"] == "done"


def test_clients_are_upserted_by_external_id(marketing, api, token_for):
    caller = api(token_for(marketing, "clients"))
    created = caller.put("/clients/crm-42", {"name": "星河电子有限公司", "industry": "电子"})
    assert created.status_code == 201, created.json()
    updated = caller.put("/clients/crm-42", {"industry": "半导体", "name": "星河电子有限公司"})
    assert updated.status_code == 200
    client = Client.objects.get(external_id="crm-42")
    assert (client.name, client.industry) == ("星河电子有限公司", "半导体")


def test_a_client_upsert_without_the_role_is_403(api, token_for, db):
    caller = api(token_for(user_with(Role.FRONT_DESK, username="fd"), "clients"))
    assert caller.put("/clients/crm-1", {"name": "星河电子"}).status_code == 403
    assert not Client.objects.exists()


def test_staff_are_upserted_and_deactivated_by_employee_number(api, token_for, db):
    admin = user_with(Role.ADMINISTRATOR, username="admin", is_superuser=True)
    caller = api(token_for(admin, "staff"))
    data = {"username": "wangfang", "full_name": "王芳", "email": "wf@example.com"}
    assert caller.put("/staff/E1001", data).status_code == 201
    assert caller.put("/staff/E1001", {**data, "full_name": "王芳芳"}).status_code == 200
    person = User.objects.get(employee_number="E1001")
    assert person.full_name == "王芳芳" and not person.has_usable_password()
    assert caller.post("/staff/E1001/deactivate").json()["is_active"] is False
    assert caller.post("/staff/E9999/deactivate").status_code == 404


def test_staff_upsert_needs_the_user_permission(sales, api, token_for):
    caller = api(token_for(sales, "staff"))
    assert caller.put("/staff/E1", {"username": "x", "full_name": "x"}).status_code == 403


def test_the_task_list_costs_the_same_queries_for_more_tasks(
    four_tier, sales, staff, api, token_for, django_assert_num_queries
):
    from reception.models import Department

    member = user_with(Role.DEPARTMENT_MEMBER, username="member")
    Department.objects.get(code="office").memberships.create(user=member)
    caller = api(token_for(member, "tasks"))
    approve_fully(file_visit(sales, four_tier["routine"], late_reason="急", **arriving(5)))
    caller.get("/tasks")
    with django_assert_num_queries(2):  # the token, the tasks (access: kept in the cache)
        few = len(caller.get("/tasks").json())
    assert few
    approve_fully(file_visit(sales, four_tier["business"], late_reason="急", **arriving(6)))
    with django_assert_num_queries(2):
        assert len(caller.get("/tasks").json()) > few
