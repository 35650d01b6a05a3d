import pytest

from approvals.models import ApprovalChainStep, StepState
from approvals.services import AlreadyDecided, CommentRequired, NotYourStep, SelfApproval, decide
from reception.accounts.roles import Role
from tests.factories import file_visit, user_with
from visits.models import VisitStatus

pytestmark = pytest.mark.django_db


def pending(visit):
    return visit.approval_steps.get(state=StepState.PENDING)


def approve(visit, by, **kwargs):
    return decide(step=pending(visit), by=by, decision=StepState.APPROVED, **kwargs)


def chain_roles(visit):
    return [
        s.role.name
        for s in visit.approval_steps.exclude(state=StepState.SKIPPED).order_by("position")
    ]


@pytest.mark.parametrize(
    "grade, approver",
    [
        ("vip", Role.GENERAL_MANAGER),
        ("guest", Role.DEPUTY_GM),
        ("business", Role.DEPUTY_GM),
        ("routine", Role.MARKETING_HEAD),
    ],
)
def test_four_tier_chain_per_grade(grade, approver, four_tier, sales):
    visit = file_visit(sales, four_tier[grade])
    assert chain_roles(visit) == [Role.MARKETING, approver, Role.PRODUCT_DIRECTOR]


@pytest.mark.parametrize(
    "grade, approver",
    [("a", Role.GENERAL_MANAGER), ("b", Role.DEPUTY_GM), ("c", Role.MARKETING_HEAD)],
)
def test_abc_chain_per_grade(grade, approver, abc, sales):
    visit = file_visit(sales, abc[grade])
    assert chain_roles(visit) == [Role.MARKETING, approver, Role.PRODUCT_DIRECTOR]


def test_vip_request_needs_general_manager(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["vip"])
    approve(visit, staff.marketing)
    with pytest.raises(NotYourStep):
        approve(visit, staff.deputy_gm)
    approve(visit, staff.gm)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_APPROVAL


def test_a_chain_is_approved_only_after_its_last_step(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["guest"])
    assert visit.status == VisitStatus.SUBMITTED
    approve(visit, staff.marketing)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_APPROVAL  # not approved after the first step
    approve(visit, staff.deputy_gm)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_APPROVAL  # nor after the second
    approve(visit, staff.director)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.APPROVED
    assert visit.approved_at is not None
    assert not visit.approval_steps.exclude(state=StepState.APPROVED).exists()


def test_a_grade_change_during_grading_reroutes_the_chain(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["routine"])
    approve(visit, staff.marketing, grade=four_tier["vip"])
    visit.refresh_from_db()
    assert visit.final_grade == four_tier["vip"]
    assert chain_roles(visit) == [Role.MARKETING, Role.GENERAL_MANAGER, Role.PRODUCT_DIRECTOR]
    assert pending(visit).role.name == Role.GENERAL_MANAGER
    skipped = visit.approval_steps.filter(state=StepState.SKIPPED)
    assert {s.role.name for s in skipped} == {Role.MARKETING_HEAD, Role.PRODUCT_DIRECTOR}
    with pytest.raises(NotYourStep):
        approve(visit, staff.marketing_head)


def test_regrading_moves_a_defaulted_main_host_to_the_new_grades_host(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["routine"])
    assert visit.main_host == staff.marketing_head  # the routine standard's host
    approve(visit, staff.marketing, grade=four_tier["vip"])
    visit.refresh_from_db()
    assert visit.main_host == staff.gm


def test_applicants_can_never_approve_their_own_request(four_tier, staff):
    applicant = user_with(Role.SALES, Role.MARKETING)
    visit = file_visit(applicant, four_tier["routine"])
    with pytest.raises(SelfApproval):
        approve(visit, applicant)
    assert pending(visit).position == 1


def test_a_step_may_name_one_person(four_tier, sales, staff):
    step = ApprovalChainStep.objects.get(chain__grade=four_tier["vip"], position=2)
    step.role, step.user = None, staff.deputy_gm
    step.save()
    visit = file_visit(sales, four_tier["vip"])
    approve(visit, staff.marketing)
    with pytest.raises(NotYourStep):
        approve(visit, staff.gm)
    approve(visit, staff.deputy_gm)
    assert pending(visit).role.name == Role.PRODUCT_DIRECTOR


def test_return_needs_a_comment_and_goes_back_to_the_applicant(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["guest"])
    with pytest.raises(CommentRequired):
        decide(step=pending(visit), by=staff.marketing, decision=StepState.RETURNED)
    decide(
        step=pending(visit),
        by=staff.marketing,
        decision=StepState.RETURNED,
        comment="补充来访人员名单",
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.RETURNED
    assert not visit.approval_steps.filter(state__in=["pending", "waiting"]).exists()


def test_a_returned_request_is_resubmitted_and_graded_again(four_tier, sales, staff):
    from visits.services.requests import submit_visit_request

    visit = file_visit(sales, four_tier["guest"])
    approve(visit, staff.marketing)
    decide(step=pending(visit), by=staff.deputy_gm, decision=StepState.RETURNED, comment="日期冲突")
    submit_visit_request(visit=visit, by=sales)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SUBMITTED
    new_first = pending(visit)
    assert new_first.round == 2 and new_first.role.name == Role.MARKETING


def test_a_rejected_request_is_final(four_tier, sales, staff):
    from visits.services.lifecycle import VisitError
    from visits.services.requests import submit_visit_request

    visit = file_visit(sales, four_tier["vip"])
    approve(visit, staff.marketing)
    decide(step=pending(visit), by=staff.gm, decision=StepState.REJECTED, comment="不符合接待条件")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REJECTED
    with pytest.raises(VisitError, match="Only a draft or a returned request"):
        submit_visit_request(visit=visit, by=sales)


def test_a_decided_step_cannot_be_decided_again(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["routine"])
    step = pending(visit)
    other_marketer = user_with(Role.MARKETING)
    decide(step=step, by=staff.marketing, decision=StepState.APPROVED)
    with pytest.raises(AlreadyDecided) as error:
        decide(step=step, by=other_marketer, decision=StepState.APPROVED)
    assert staff.marketing.full_name in str(error.value)


def test_the_next_approver_is_told_and_approval_tells_reception_and_host(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["vip"])
    assert staff.marketing.notifications.filter(kind="approval_waiting").exists()
    approve(visit, staff.marketing)
    assert staff.gm.notifications.filter(kind="approval_waiting").exists()
    assert sales.notifications.filter(kind="step_approved").count() == 1
    approve(visit, staff.gm)
    approve(visit, staff.director)
    assert staff.receptionist.notifications.filter(kind="visit_approved").exists()
    assert staff.gm.notifications.filter(kind="visit_approved").exists()  # the VIP main host
