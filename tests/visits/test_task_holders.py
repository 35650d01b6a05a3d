"""Tasks a person does personally go to the person the request names for them: the project
engineer (a technical customer's preparation) and the project marketing lead (keeping the guests
informed). A client has its project engineer and account owner; a request takes them as
defaults and may name others. A task whose holder the request does not name stays with its
department, unassigned, for the head to assign: never with the applicant instead."""

import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import ClientCategory, Department
from tests.factories import ClientFactory, approve_fully, file_visit, user_with
from tests.visits.test_filing_page import post_data
from visits.models import VisitRequest
from visits.services.requests import update_visit_request

pytestmark = pytest.mark.django_db

ENGINEER_TASK = "engineer-technical-preparation"
LEAD_TASK = "applicant-keep-informed"


@pytest.fixture
def technology(four_tier):
    return Department.objects.get(code="technology")


@pytest.fixture
def engineer(technology):
    user = user_with(Role.PROJECT_ENGINEER, username="engineer", full_name="王强")
    technology.memberships.create(user=user)
    return user


@pytest.fixture
def tech_head(technology):
    head = user_with(Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER, username="tech_head")
    technology.memberships.create(user=head)
    technology.head = head
    technology.save()
    return head


@pytest.fixture
def technical_client(engineer, sales):
    return ClientFactory(
        name="华东精密机械有限公司",
        category=ClientCategory.EXISTING_TECHNICAL,
        account_owner=sales,
        project_engineer=engineer,
    )


def technical_visit(applicant, grade, client):
    return approve_fully(
        file_visit(applicant, grade, client=client, purposes=["technical_discussion"])
    )


def test_a_technical_visit_filed_by_sales_gives_the_engineer_his_task(
    four_tier, sales, engineer, technical_client, staff, login
):
    visit = technical_visit(sales, four_tier["business"], technical_client)
    task = visit.prep_tasks.get(template__code=ENGINEER_TASK)
    assert (visit.project_engineer, visit.sales_lead) == (engineer, sales)
    assert task.assignee == engineer and task.department.code == "technology"
    assert not visit.prep_tasks.filter(template__code=ENGINEER_TASK, assignee=sales).exists()
    # He hears as the task's holder (My tasks) and as a member of its department (its page).
    held = f"{reverse('visits:my_tasks')}?visit={visit.pk}"
    (note,) = [n for n in engineer.notifications.filter(kind="tasks") if n.url.startswith(held)]
    browser = login(engineer)
    assert task.label in browser.get(note.url).content.decode()
    assert browser.get(reverse("visits:detail", args=[visit.pk])).status_code == 200


def test_without_an_engineer_the_task_is_the_departments_and_shown_unassigned_to_its_head(
    four_tier, sales, tech_head, staff, login
):
    client = ClientFactory(category=ClientCategory.EXISTING_TECHNICAL, account_owner=sales)
    visit = technical_visit(sales, four_tier["business"], client)
    task = visit.prep_tasks.get(template__code=ENGINEER_TASK)
    assert visit.project_engineer is None
    assert task.assignee is None and task.department.code == "technology"
    page = login(tech_head).get(reverse("visits:tasks")).content.decode()
    row = page[page.index(f'id="task-{task.pk}"') :]
    assert "unassigned" in row[: row.index("task-row", 10)]
    assert reverse("visits:task_assignee", args=[task.pk]) in page


def test_the_applicant_is_only_the_holder_of_a_role_he_holds(four_tier, engineer, staff):
    """An engineer filing for a technical client without an engineer is its engineer; he is
    not a sales lead, so the lead's task waits for the marketing department's head."""
    client = ClientFactory(category=ClientCategory.EXISTING_TECHNICAL)
    visit = technical_visit(engineer, four_tier["business"], client)
    assert visit.prep_tasks.get(template__code=ENGINEER_TASK).assignee == engineer
    assert visit.prep_tasks.get(template__code=LEAD_TASK).assignee is None


def test_a_request_may_name_another_engineer_than_the_clients(
    four_tier, sales, technical_client, technology, staff
):
    other = user_with(Role.PROJECT_ENGINEER, username="engineer2")
    visit = approve_fully(
        file_visit(
            sales,
            four_tier["business"],
            client=technical_client,
            purposes=["technical_discussion"],
            project_engineer=other,
        )
    )
    assert visit.prep_tasks.get(template__code=ENGINEER_TASK).assignee == other


def test_naming_another_engineer_on_an_approved_request_passes_him_the_task(
    four_tier, sales, engineer, technical_client, staff
):
    visit = technical_visit(sales, four_tier["business"], technical_client)
    other = user_with(Role.PROJECT_ENGINEER, username="engineer2")
    update_visit_request(visit=visit, by=sales, data={"project_engineer": other}, visitors=None)
    assert visit.prep_tasks.get(template__code=ENGINEER_TASK).assignee == other
    assert other.notifications.filter(kind="tasks").exists()


def test_the_filing_form_names_the_engineer_or_leaves_him_to_the_client(
    four_tier, sales, engineer, technical_client, staff, login
):
    browser = login(sales)
    form = browser.get(reverse("visits:create")).context["form"]
    assert {"sales_lead", "project_engineer"} <= set(form.fields)
    other = user_with(Role.PROJECT_ENGINEER, username="engineer2")
    chosen = post_data(four_tier["business"], technical_client, project_engineer=other.pk)
    browser.post(reverse("visits:create"), chosen | {"submit": "1"})
    left_empty = post_data(four_tier["business"], technical_client)
    browser.post(reverse("visits:create"), left_empty | {"submit": "1"})
    first, second = VisitRequest.objects.order_by("pk")
    assert (first.project_engineer, second.project_engineer) == (other, engineer)
    assert second.sales_lead == sales
    page = browser.get(reverse("visits:detail", args=[second.pk])).content.decode()
    assert "王强" in page
