"""Scope: sales see their own (their department's where the policy says so) and those that name
them; approvers what reached them; receptionists approved and later ones; anything else is
404, never 403."""

import pytest
from django.urls import reverse

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import ReceptionPolicy
from tests.factories import DepartmentFactory, file_visit, user_with

pytestmark = pytest.mark.django_db


def detail(visit):
    return reverse("visits:detail", args=[visit.pk])


def listed(browser):
    return {v.pk for v in browser.get(reverse("visits:list")).context["object_list"]}


@pytest.fixture
def departments(sales, other_sales):
    east, west = DepartmentFactory(code="east"), DepartmentFactory(code="west")
    east.memberships.create(user=sales)
    west.memberships.create(user=other_sales)
    return east, west


def test_another_sales_user_gets_404(four_tier, sales, other_sales, departments, login, staff):
    visit = file_visit(sales, four_tier["routine"])
    browser = login(other_sales)
    assert browser.get(detail(visit)).status_code == 404
    assert browser.get(reverse("visits:edit", args=[visit.pk])).status_code == 404
    assert (
        browser.post(reverse("visits:cancel", args=[visit.pk]), {"reason": "x"}).status_code == 404
    )
    assert visit.pk not in listed(browser)


def colleagues_may_see(allowed: bool) -> None:
    policy = ReceptionPolicy.get()
    policy.colleagues_see_requests = allowed
    policy.save()


def test_a_colleague_in_the_same_department_does_not_see_a_request_by_default(
    four_tier, sales, departments, login, staff
):
    colleague = user_with(Role.SALES)
    departments[0].memberships.create(user=colleague)
    visit = file_visit(sales, four_tier["routine"])
    browser = login(colleague)
    assert browser.get(detail(visit)).status_code == 404
    pdf = reverse("visits:visitor_information_pdf", args=[visit.pk])
    assert browser.get(pdf).status_code == 404
    assert visit.pk not in listed(browser)


def test_the_policy_lets_colleagues_read_each_others_requests_but_edit_only_their_own(
    four_tier, sales, departments, login, staff
):
    colleagues_may_see(True)
    colleague = user_with(Role.SALES)
    departments[0].memberships.create(user=colleague)
    visit = file_visit(sales, four_tier["routine"])
    draft = file_visit(sales, four_tier["routine"], submit=False)
    browser = login(colleague)
    assert browser.get(detail(visit)).status_code == 200
    assert browser.get(reverse("visits:edit", args=[visit.pk])).status_code == 404
    assert browser.get(detail(draft)).status_code == 404  # a colleague's draft is private


def test_a_policy_change_reaches_the_scopes_already_kept(
    four_tier, sales, departments, login, staff
):
    colleague = user_with(Role.SALES)
    departments[0].memberships.create(user=colleague)
    visit = file_visit(sales, four_tier["routine"])
    browser = login(colleague)
    assert browser.get(detail(visit)).status_code == 404  # the scope is built and kept
    colleagues_may_see(True)
    assert browser.get(detail(visit)).status_code == 200
    colleagues_may_see(False)
    assert browser.get(detail(visit)).status_code == 404


def test_the_sales_lead_a_request_names_sees_it_once_filed(four_tier, sales, login, staff):
    lead = user_with(Role.SALES, username="lead")
    visit = file_visit(sales, four_tier["routine"], sales_lead=lead)
    draft = file_visit(sales, four_tier["routine"], sales_lead=lead, submit=False)
    browser = login(lead)
    assert browser.get(detail(visit)).status_code == 200
    assert browser.get(detail(draft)).status_code == 404


def test_approvers_see_what_reached_them(four_tier, sales, staff, login):
    routine = file_visit(sales, four_tier["routine"])
    vip = file_visit(sales, four_tier["vip"])
    gm = login(staff.gm)
    assert gm.get(detail(vip)).status_code == 404  # still with marketing
    decide(
        step=vip.approval_steps.get(state=StepState.PENDING),
        by=staff.marketing,
        decision="approved",
    )
    assert gm.get(detail(vip)).status_code == 200
    assert gm.get(detail(routine)).status_code == 404
    assert listed(gm) == {vip.pk}


def test_approvers_keep_seeing_what_they_decided(four_tier, sales, staff, login):
    visit = file_visit(sales, four_tier["routine"])
    decide(
        step=visit.approval_steps.get(state=StepState.PENDING),
        by=staff.marketing,
        decision="approved",
    )
    assert login(staff.marketing).get(detail(visit)).status_code == 200


def test_receptionists_see_approved_requests_only(four_tier, sales, staff, login):
    visit = file_visit(sales, four_tier["routine"])
    browser = login(staff.receptionist)
    assert browser.get(detail(visit)).status_code == 404
    for approver in (staff.marketing, staff.marketing_head, staff.director):
        decide(
            step=visit.approval_steps.get(state=StepState.PENDING), by=approver, decision="approved"
        )
    assert browser.get(detail(visit)).status_code == 200


@pytest.mark.parametrize("role", [Role.SECURITY, Role.FRONT_DESK])
def test_roles_without_visit_requests_cannot_open_the_list(role, login):
    assert login(user_with(role)).get(reverse("visits:list")).status_code == 403


def test_department_staff_see_the_visits_their_department_prepares(four_tier, sales, staff, login):
    from reception.models import Department

    member = user_with(Role.DEPARTMENT_MEMBER)
    Department.objects.get(code="office").memberships.create(user=member)
    visit = file_visit(sales, four_tier["routine"])
    browser = login(member)
    assert browser.get(detail(visit)).status_code == 404  # nothing to prepare yet
    for approver in (staff.marketing, staff.marketing_head, staff.director):
        decide(
            step=visit.approval_steps.get(state=StepState.PENDING), by=approver, decision="approved"
        )
    assert browser.get(detail(visit)).status_code == 200
    assert listed(browser) == {visit.pk}
