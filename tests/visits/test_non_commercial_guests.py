"""Non-commercial guests (seed 001 十.2): government, associations, schools, media are received
by the office with the same standards as the grade; no quotation or component-brand tasks."""

import pytest
from django.urls import reverse

from reception.roles import Role
from tests.factories import ClientFactory, approve_fully, file_visit, user_with
from tests.visits.test_filing_page import post_data
from visits.models import GuestCondition, GuestKind, PrepTaskTemplate, VisitRequest, VisitStatus
from visits.services.lifecycle import VisitError

pytestmark = pytest.mark.django_db

COMMERCIAL_ONLY = {"marketing-quotation", "supply-components"}


@pytest.fixture
def office_clerk(db):
    return user_with(Role.OFFICE, username="office_clerk", full_name="孙丽")


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


def test_a_commercial_inspection_still_gets_them(four_tier, sales):
    visit = approve_fully(file_visit(sales, four_tier["guest"]))
    codes = set(visit.prep_tasks.values_list("template__code", flat=True))
    assert codes >= COMMERCIAL_ONLY


@pytest.mark.parametrize(
    "condition, kind, matches",
    [
        ("", GuestKind.GOVERNMENT, True),
        (GuestCondition.COMMERCIAL, GuestKind.COMMERCIAL, True),
        (GuestCondition.COMMERCIAL, GuestKind.SUPPLIER, True),
        (GuestCondition.COMMERCIAL, GuestKind.MEDIA, False),
        (GuestCondition.NON_COMMERCIAL, GuestKind.SCHOOL, True),
        (GuestCondition.NON_COMMERCIAL, GuestKind.COMMERCIAL, False),
    ],
)
def test_a_template_can_be_conditioned_on_commercial_guests(condition, kind, matches):
    template = PrepTaskTemplate(guests=condition)
    visit = VisitRequest(guest_kind=kind)
    assert template.matches(visit, set()) is matches
