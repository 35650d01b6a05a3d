from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from reception.models import Client, ClientCategory, Department, ReceptionPolicy, User
from reception.roles import Role
from visits.models import GuestKind, VisitRequest, VisitStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def policy(four_tier):
    return four_tier


def run_demo() -> str:
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("demo", stdout=out)
    return out.getvalue()


def test_demo_gives_every_role_a_login_and_every_category_a_client():
    run_demo()
    for role in Role:
        assert User.objects.filter(groups__name=role).exists(), f"no demo user for {role}"
    categories = set(Client.objects.values_list("category", flat=True))
    assert categories == {*ClientCategory.values, ""}  # "": the government body
    assert User.objects.get(username="sales").check_password("jiedai-demo")
    office = Department.objects.get(code="office")
    assert office.head.username == "office_head"
    statuses = set(VisitRequest.objects.values_list("status", flat=True))
    assert {VisitStatus.SUBMITTED, VisitStatus.APPROVED, VisitStatus.DRAFT} <= statuses
    # the open demo requests (JD-H… are the closed visits of the last six months)
    vip = VisitRequest.objects.exclude(reference__startswith="JD-H").get(
        proposed_grade__code="vip", status=VisitStatus.SUBMITTED
    )
    assert vip.visitors.count() == 3 and vip.status == VisitStatus.SUBMITTED


def test_demo_twice_changes_nothing():
    run_demo()

    def counts():
        return [m.objects.count() for m in (User, Client, Department, VisitRequest)]

    before = counts()
    assert "nothing changed" in run_demo()
    assert counts() == before


def test_the_demo_includes_a_government_inspection_filed_by_the_office():
    run_demo()
    visit = VisitRequest.objects.get(guest_kind=GuestKind.GOVERNMENT)
    assert visit.applicant.username == "office" and visit.status == VisitStatus.APPROVED
    assert visit.client.category == ""
    codes = set(visit.prep_tasks.values_list("template__code", flat=True))
    assert codes and not codes & {"marketing-quotation", "supply-components"}


def test_the_demo_escalates_to_the_marketing_head():
    run_demo()
    assert ReceptionPolicy.get().escalation_role.name == Role.MARKETING_HEAD
