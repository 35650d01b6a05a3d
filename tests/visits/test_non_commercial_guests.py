"""Non-commercial guests (seed 001 十.2): government, associations, schools, media are received
by the office with the same standards as the grade: the office's head hosts them, the office
organises their visit, and marketing's customer work (brochures, quotations, the sales lead's
contact) and what only customers ask about (after-sales, component brands) is not generated.
Task templates carry the kinds of guest they apply to, as data."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import Department, ReceptionPolicy
from tests.factories import ClientFactory, approve_fully, file_visit, user_with
from tests.visits.test_filing_page import post_data
from visits.models import GuestKind, PrepTaskTemplate, VisitRequest, VisitStatus
from visits.models.requests import COMMERCIAL_GUESTS
from visits.services.lifecycle import VisitError
from visits.services.requests import update_visit_request

pytestmark = pytest.mark.django_db

COMMERCIAL_ONLY = {
    "marketing-organise",
    "marketing-brochures",
    "marketing-quotation",
    "applicant-keep-informed",
    "quality-after-sales",
    "supply-components",
}


@pytest.fixture
def office_clerk(db):
    return user_with(Role.OFFICE, username="office_clerk", full_name="孙丽")


@pytest.fixture
def office_head(four_tier):
    head = user_with(Role.DEPARTMENT_HEAD, username="office_head", full_name="马超")
    office = Department.objects.get(code="office")
    office.head = head
    office.save()
    return head


def load_policy(*args):
    out = StringIO()
    call_command("load_policy", "four-tier", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def authority(db):
    return ClientFactory(name="市市场监督管理局", category="")


def test_the_office_files_a_government_inspection_without_a_customer_category(
    four_tier, office_clerk, authority, login
):
    browser = login(office_clerk)
    form = browser.get(reverse("visits:create")).context["form"]
    assert form["guest_kind"].value() == GuestKind.GOVERNMENT
    data = post_data(four_tier["guest"], authority, guest_kind="government", submit="1")
    response = browser.post(reverse("visits:create"), data)
    visit = VisitRequest.objects.get()
    assert response.status_code == 302, response.context["form"].errors
    assert visit.status == VisitStatus.SUBMITTED and visit.applicant == office_clerk
    assert not visit.is_commercial and visit.client.category == ""


def test_the_office_cannot_submit_a_commercial_customers_visit(four_tier, office_clerk, authority):
    with pytest.raises(VisitError):
        file_visit(office_clerk, four_tier["guest"], client=authority, guest_kind="commercial")
    assert not VisitRequest.objects.filter(status=VisitStatus.SUBMITTED).exists()


def test_a_commercial_visit_needs_a_client_with_a_category(four_tier, sales, authority):
    with pytest.raises(VisitError):
        file_visit(sales, four_tier["guest"], client=authority, guest_kind="commercial")
    visit = file_visit(sales, four_tier["guest"], client=authority, guest_kind="association")
    assert visit.status == VisitStatus.SUBMITTED


def test_a_government_inspection_gets_no_quotation_or_component_brand_tasks(
    four_tier, office_clerk, authority
):
    visit = approve_fully(
        file_visit(office_clerk, four_tier["guest"], client=authority, guest_kind="government")
    )
    codes = set(visit.prep_tasks.values_list("template__code", flat=True))
    assert visit.status == VisitStatus.APPROVED
    assert codes and not codes & COMMERCIAL_ONLY
    assert "office-meeting-room" in codes  # the same standard as the grade
    assert "quality-certification" in codes  # certification, without the after-sales part


def test_a_government_inspection_is_hosted_by_the_office_head_and_organised_by_the_office(
    four_tier, office_clerk, office_head, authority, staff
):
    visit = approve_fully(
        file_visit(office_clerk, four_tier["guest"], client=authority, guest_kind="government")
    )
    organise = visit.prep_tasks.get(template__code="office-organise")
    assert visit.main_host == office_head
    assert organise.department.code == "office" and organise.assignee is None
    assert not visit.prep_tasks.filter(department__code="marketing").exists()


def test_a_new_grade_keeps_the_office_head_as_host(
    four_tier, office_clerk, office_head, authority, staff
):
    visit = approve_fully(
        file_visit(office_clerk, four_tier["guest"], client=authority, guest_kind="government")
    )
    update_visit_request(
        visit=visit, by=office_clerk, data={"proposed_grade": four_tier["vip"]}, visitors=None
    )
    visit.refresh_from_db()
    assert visit.main_host == office_head


def test_a_customer_is_still_hosted_as_the_grade_says(four_tier, sales, office_head, staff):
    visit = file_visit(sales, four_tier["guest"])
    assert visit.main_host.groups.filter(name=Role.DEPUTY_GM).exists()


def test_load_policy_keeps_the_guest_kinds_a_company_edited(four_tier):
    brochures = PrepTaskTemplate.objects.get(code="marketing-brochures")
    assert set(brochures.guest_kinds) == {str(k) for k in COMMERCIAL_GUESTS}
    brochures.guest_kinds = []  # this company hands brochures to every guest
    brochures.save()
    report = load_policy()
    brochures.refresh_from_db()
    assert brochures.guest_kinds == [] and "kept" in report


def test_load_policy_names_the_office_once_and_keeps_a_companys_choice(four_tier):
    policy = ReceptionPolicy.get()
    assert policy.non_commercial_department.code == "office"
    policy.non_commercial_department = None  # this company hosts everyone by grade
    policy.save()
    load_policy()
    assert ReceptionPolicy.get().non_commercial_department is None
    load_policy("--reset", "--yes")
    assert ReceptionPolicy.get().non_commercial_department.code == "office"


def test_a_commercial_inspection_still_gets_them(four_tier, sales):
    visit = approve_fully(file_visit(sales, four_tier["guest"]))
    codes = set(visit.prep_tasks.values_list("template__code", flat=True))
    assert codes >= COMMERCIAL_ONLY


@pytest.mark.parametrize(
    "kinds, kind, matches",
    [
        ([], GuestKind.GOVERNMENT, True),
        (["commercial", "supplier", "partner"], GuestKind.COMMERCIAL, True),
        (["commercial", "supplier", "partner"], GuestKind.SUPPLIER, True),
        (["commercial", "supplier", "partner"], GuestKind.MEDIA, False),
        (["government"], GuestKind.GOVERNMENT, True),
        (["government"], GuestKind.SCHOOL, False),
    ],
)
def test_a_template_applies_to_the_kinds_of_guest_it_lists(kinds, kind, matches):
    template = PrepTaskTemplate(guest_kinds=kinds)
    visit = VisitRequest(guest_kind=kind)
    assert template.matches(visit, set()) is matches
