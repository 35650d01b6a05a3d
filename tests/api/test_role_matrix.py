"""A token acts as its user: for every role, the API answers as the pages do (allowed, 403 not
for this role, 404 out of scope), with a token holding every scope."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import Department
from tests.factories import ClientFactory, file_visit, user_with

pytestmark = pytest.mark.django_db
R = Role


@pytest.fixture
def scenario(four_tier):
    users = {role: user_with(role, username=f"u_{role.value}") for role in Role}
    users[R.ADMINISTRATOR].is_superuser = True
    users[R.ADMINISTRATOR].save()
    office = Department.objects.get(code="office")
    office.memberships.create(user=users[R.DEPARTMENT_MEMBER])
    office.memberships.create(user=users[R.DEPARTMENT_HEAD])
    arrival = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0)
    visit = file_visit(
        users[R.SALES],
        four_tier["guest"],
        client=ClientFactory(account_owner=users[R.SALES]),
        arrival_at=arrival,
        departure_at=arrival + timedelta(hours=6),
        late_reason="急",
    )
    for role in (R.MARKETING, R.DEPUTY_GM, R.PRODUCT_DIRECTOR):
        step = visit.approval_steps.get(state=StepState.PENDING)
        decide(step=step, by=users[role], decision=StepState.APPROVED)
    task = visit.prep_tasks.filter(department=office).first()
    return users, visit, task


def outcome(status: int) -> str:
    if status in (200, 201, 302):
        return "yes"
    return {403: "forbidden", 404: "not found", 405: "forbidden"}.get(status, str(status))


def undone(call):
    """The answer of `call`, its writes rolled back (so the next call starts from the same)."""
    with transaction.atomic():
        status = call().status_code
        transaction.set_rollback(True)
    return outcome(status)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_the_api_answers_as_the_pages(role, scenario, client, api, token_for):
    users, visit, task = scenario
    user = users[role]
    client.force_login(user)
    page = {
        "list": undone(lambda: client.get(reverse("visits:list"))),
        "detail": undone(lambda: client.get(reverse("visits:detail", args=[visit.pk]))),
        "check in": undone(lambda: client.post(reverse("visits:check", args=[visit.pk, "in"]))),
        "tick": undone(lambda: client.post(reverse("visits:task_action", args=[task.pk, "done"]))),
        "walk-in": undone(
            lambda: client.post(
                reverse("visits:walk_in_create"),
                {
                    "company": "星河电子",
                    "names": "王强",
                    "headcount": 1,
                    "phone": "13900001111",
                    "wants_to_see": users[R.MARKETING].pk,
                    "purpose": "参观",
                },
            )
        ),
    }
    client.logout()
    caller = api(token_for(user))
    through_api = {
        "list": undone(lambda: caller.get("/visits")),
        "detail": undone(lambda: caller.get(f"/visits/{visit.pk}")),
        "check in": undone(lambda: caller.post(f"/visits/{visit.pk}/check-in")),
        "tick": undone(lambda: caller.post(f"/tasks/{task.pk}/done")),
        "walk-in": undone(
            lambda: caller.post(
                "/walk-ins",
                {
                    "company": "星河电子",
                    "names": "王强",
                    "headcount": 1,
                    "phone": "13900001111",
                    "wants_to_see": users[R.MARKETING].pk,
                    "purpose": "参观",
                },
            )
        ),
    }
    assert through_api == page
