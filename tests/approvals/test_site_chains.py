"""Approval chains per site, as policy data: a site may have its own chain for a grade (from
the rulebook's SITE_CHAINS or the admin); a site without one follows the group's. Approvers
stay group-wide: one person decides for every site whose chains name their role."""

import pytest

from approvals import rulebooks
from approvals.loading import load_chains
from approvals.models import ApprovalChain, StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.policy.loading import LoadReport
from tests.factories import SiteFactory, file_visit, first_site
from visits.permissions import approving_step

pytestmark = pytest.mark.django_db

# Suzhou's deputy general manager approves its routine and VIP visits (the group: the
# marketing head and the general manager).
SUZHOU = {
    "routine": [rulebooks.GRADING, rulebooks.DEPUTY_GM, rulebooks.CONFIRMATION],
    "vip": [rulebooks.GRADING, rulebooks.DEPUTY_GM, rulebooks.CONFIRMATION],
}


@pytest.fixture
def suzhou(four_tier, monkeypatch):
    first_site()
    plant = SiteFactory(code="suzhou", name="苏州工厂", name_en="Suzhou plant")
    monkeypatch.setitem(rulebooks.SITE_CHAINS, "four-tier", {"suzhou": SUZHOU})
    load_chains(scheme_code="four-tier", report=LoadReport())
    return plant


def roles(visit):
    steps = visit.approval_steps.exclude(state=StepState.SKIPPED).order_by("position")
    return [s.role.name for s in steps]


def approve(visit, by, **kwargs):
    step = visit.approval_steps.get(state=StepState.PENDING)
    return decide(step=step, by=by, decision=StepState.APPROVED, **kwargs)


def test_the_policy_loads_a_sites_own_chain_beside_the_groups(suzhou, four_tier):
    chains = ApprovalChain.objects.filter(grade=four_tier["routine"])
    assert {c.site for c in chains} == {None, suzhou}
    own = chains.get(site=suzhou)
    assert [s.role.name for s in own.steps.order_by("position")] == [
        Role.MARKETING,
        Role.DEPUTY_GM,
        Role.PRODUCT_DIRECTOR,
    ]


def test_loading_again_creates_nothing_and_a_site_the_company_lacks_is_passed_over(
    suzhou, monkeypatch
):
    monkeypatch.setitem(
        rulebooks.SITE_CHAINS, "four-tier", {"suzhou": SUZHOU, "wuxi": {"vip": SUZHOU["vip"]}}
    )
    report = LoadReport()
    load_chains(scheme_code="four-tier", report=report)
    assert not report.changed
    assert not ApprovalChain.objects.filter(site__code="wuxi").exists()


def test_a_request_at_a_site_with_its_own_chain_goes_through_it(suzhou, four_tier, sales):
    visit = file_visit(sales, four_tier["routine"], site=suzhou)
    assert roles(visit) == [Role.MARKETING, Role.DEPUTY_GM, Role.PRODUCT_DIRECTOR]


def test_a_site_without_its_own_chain_uses_the_groups(suzhou, four_tier, sales):
    at_hq = file_visit(sales, four_tier["routine"], site=first_site())
    assert roles(at_hq) == [Role.MARKETING, Role.MARKETING_HEAD, Role.PRODUCT_DIRECTOR]
    guest_at_plant = file_visit(sales, four_tier["guest"], site=suzhou)  # no own guest chain
    assert roles(guest_at_plant) == [Role.MARKETING, Role.DEPUTY_GM, Role.PRODUCT_DIRECTOR]


def test_a_regrade_reroutes_through_the_sites_chain(suzhou, four_tier, sales, staff):
    visit = file_visit(sales, four_tier["routine"], site=suzhou)
    approve(visit, staff.marketing, grade=four_tier["vip"])
    assert roles(visit)[-2:] == [Role.DEPUTY_GM, Role.PRODUCT_DIRECTOR]  # not the GM


def test_one_approver_decides_for_several_sites(suzhou, four_tier, sales, staff):
    at_hq = file_visit(sales, four_tier["guest"], site=first_site())
    at_plant = file_visit(sales, four_tier["routine"], site=suzhou)
    for visit in (at_hq, at_plant):
        approve(visit, staff.marketing)
        approve(visit, staff.deputy_gm)
        assert visit.approval_steps.get(state=StepState.PENDING).role.name == Role.PRODUCT_DIRECTOR


def test_spending_over_the_standard_is_approved_by_the_sites_chain(suzhou, four_tier, sales):
    at_plant = file_visit(sales, four_tier["vip"], site=suzhou)
    at_hq = file_visit(sales, four_tier["vip"], site=first_site())
    assert approving_step(at_plant).role.name == Role.DEPUTY_GM
    assert approving_step(at_hq).role.name == Role.GENERAL_MANAGER


def test_the_group_has_one_chain_per_grade_and_a_site_one_more_at_most(suzhou, four_tier):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalChain.objects.create(grade=four_tier["vip"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalChain.objects.create(grade=four_tier["vip"], site=suzhou)


def test_an_approver_for_several_sites_may_narrow_the_queue_to_one(
    suzhou, four_tier, sales, staff, login
):
    from django.urls import reverse

    at_hq = file_visit(sales, four_tier["guest"], site=first_site())
    at_plant = file_visit(sales, four_tier["routine"], site=suzhou)
    for visit in (at_hq, at_plant):
        approve(visit, staff.marketing)
    browser = login(staff.deputy_gm)
    queue = reverse("approvals:queue")
    everything = browser.get(queue)
    assert 'name="site"' in everything.content.decode()
    assert {s.subject_id for s in everything.context["object_list"]} == {at_hq.pk, at_plant.pk}
    plant = browser.get(queue, {"site": "suzhou"})
    assert [s.subject_id for s in plant.context["object_list"]] == [at_plant.pk]


def test_a_one_site_queue_offers_no_site_filter(four_tier, sales, staff, login):
    from django.urls import reverse

    file_visit(sales, four_tier["guest"])
    page = login(staff.marketing).get(reverse("approvals:queue")).content.decode()
    assert 'name="site"' not in page
