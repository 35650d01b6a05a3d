"""Policy models keep a change history (django-simple-history), shown in the admin with the
administrator who made each change."""

from decimal import Decimal

import pytest
from django.urls import reverse

from approvals.models import ApprovalChainStep
from reception.accounts.roles import Role
from reception.models import ReceptionStandard
from tests.admin_forms import change_form_data
from tests.factories import user_with
from visits.models import PrepTaskTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    client.force_login(
        user_with(Role.ADMINISTRATOR, username="admin_h", full_name="管理员", is_staff=True)
    )
    return client


def edit_in_admin(admin_client, obj, **changes):
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    data = change_form_data(admin_client.get(url)) | changes
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[obj.pk])


def test_an_edited_standard_keeps_its_old_value_and_the_editor_in_its_history(
    four_tier, admin_client
):
    standard = ReceptionStandard.objects.get(grade=four_tier["vip"])
    history_url = edit_in_admin(admin_client, standard, meal_per_person="999")
    latest, before = standard.history.all()[:2]
    assert latest.meal_per_person == Decimal("999") and latest.history_user.username == "admin_h"
    assert before.meal_per_person == Decimal("150")
    page = admin_client.get(history_url)
    assert page.status_code == 200 and "admin_h" in page.content.decode()


def test_chain_steps_and_task_templates_keep_a_history(four_tier, admin_client):
    step = ApprovalChainStep.objects.filter(chain__grade=four_tier["vip"]).first()
    edit_in_admin(admin_client, step, name="营销部评级(改)")
    template = PrepTaskTemplate.objects.get(code="leader-vip-pickup")
    edit_in_admin(admin_client, template, due_working_days="5")
    assert step.history.first().history_user.username == "admin_h"
    assert step.history.last().name != "营销部评级(改)"  # the loaded value is kept
    latest, first = template.history.first(), template.history.last()
    assert (latest.due_working_days, latest.history_user.username) == (5, "admin_h")
    assert first.due_working_days != 5 and first.history_user is None  # load_policy


def test_who_hears_of_walk_ins_and_who_sees_requests_are_edited_in_the_policys_admin(
    four_tier, admin_client
):
    from reception.models import Department, ReceptionPolicy, User

    policy = ReceptionPolicy.get()
    office = Department.objects.get(code="office")
    sales = user_with(Role.SALES, username="sales_h")
    before = User.objects.get(pk=sales.pk).access_version
    edit_in_admin(
        admin_client,
        policy,
        walk_in_roles=[Role.MARKETING, Role.FRONT_DESK],
        walk_in_departments=[office.pk],
        colleagues_see_requests="on",
        company_name="江南精工机械股份有限公司",  # required: no placeholder name any more
    )
    policy.refresh_from_db()
    assert policy.walk_in_roles == [Role.MARKETING, Role.FRONT_DESK]
    assert list(policy.walk_in_departments.all()) == [office]
    assert policy.colleagues_see_requests
    assert User.objects.get(pk=sales.pk).access_version > before  # scopes are built again
