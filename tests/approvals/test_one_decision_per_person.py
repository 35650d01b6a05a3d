"""One person, one decision per round (issue 22, item 14): who decided one step of a request
does not decide another step of the same round — the step's other approvers, her delegate or an
escalation take it, and the timeline says why. A policy setting allows it (small companies)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from approvals.models import DecidedAs, Delegation, EscalationReason, StepState
from approvals.selectors import queue_for
from approvals.services import OneDecisionPerPerson, authority, decide
from reception.accounts.roles import Role
from reception.models import ReceptionPolicy
from tests.factories import file_visit, user_with
from visits.models import EventKind
from visits.services.notifications import Kind
from visits.services.requests import submit_visit_request

pytestmark = pytest.mark.django_db


def pending(visit):
    return visit.approval_steps.select_related("role", "escalated_to").get(state=StepState.PENDING)


@pytest.fixture
def head(db):
    return user_with(Role.MARKETING_HEAD, username="head", full_name="陈静")


@pytest.fixture
def deputy(db):
    return user_with(Role.DEPUTY_GM, username="dgm", full_name="杨军")


@pytest.fixture
def graded_by_the_head(four_tier, head, deputy):
    """The issue: the only grader filed the request, so grading escalated to the marketing
    head, who graded it; her own step (routine: 营销部长审批) comes next."""
    only_grader = user_with(Role.SALES, Role.MARKETING, username="only_grader")
    visit = file_visit(only_grader, four_tier["routine"])
    grading = pending(visit)
    assert grading.escalated_to.name == Role.MARKETING_HEAD
    decide(step=grading, by=head, decision=StepState.APPROVED)
    return visit


def test_the_marketing_head_who_graded_a_request_does_not_approve_it_too(
    graded_by_the_head, head, deputy
):
    step = pending(graded_by_the_head)
    assert step.role.name == Role.MARKETING_HEAD
    with pytest.raises(OneDecisionPerPerson):
        decide(step=step, by=head, decision=StepState.APPROVED)
    assert step.escalated_to.name == Role.DEPUTY_GM  # ranked above her: the escalation
    assert step.escalation_reason == EscalationReason.DECIDED_EARLIER
    assert deputy.notifications.filter(kind=Kind.APPROVAL_ESCALATED).exists()
    decide(step=step, by=deputy, decision=StepState.APPROVED)
    step.refresh_from_db()
    assert step.decided_by == deputy and step.decided_as == DecidedAs.ESCALATION


def test_the_queue_and_the_visit_page_do_not_offer_her_the_step(graded_by_the_head, head, login):
    step = pending(graded_by_the_head)
    assert step.pk not in {s.pk for s in queue_for(head)}
    assert authority(step, head) is None
    browser = login(head)
    queue = browser.get(reverse("approvals:queue"))
    assert step.pk not in [row["step"].pk for row in queue.context["rows"]]
    page = browser.get(reverse("visits:detail", args=[graded_by_the_head.pk]))
    assert "decision_form" not in page.context
    assert "one person decides one step of a request" in page.content.decode()
    response = browser.post(
        reverse("approvals:decide", args=[step.pk]), {f"step{step.pk}-decision": "approved"}
    )
    assert response.status_code == 302
    assert pending(graded_by_the_head).pk == step.pk  # still waiting


def test_the_timeline_says_why_in_the_reader_s_language(graded_by_the_head, login, head):
    event = graded_by_the_head.events.get(kind=EventKind.APPROVER_PASSED_OVER)
    with translation.override("en"):
        assert event.shown_message == (
            "陈静 decided “Marketing assesses the grade” of this request and does not decide "
            "“Marketing head approves” as well: one person decides one step of a request."
        )
    with translation.override("zh-hans"):
        assert "陈静已决定本申请的“营销部评定接待等级”" in event.shown_message
    escalated = graded_by_the_head.events.filter(kind=EventKind.APPROVAL_ESCALATED).last()
    with translation.override("en"):
        assert escalated.shown_message == (
            "“Marketing head approves” escalated to Deputy general manager: Its approvers "
            "decided another step of the request."
        )


def test_another_holder_of_the_role_takes_the_step_without_an_escalation(four_tier, sales, staff):
    two_hats = user_with(Role.MARKETING, Role.MARKETING_HEAD, username="two_hats")
    visit = file_visit(sales, four_tier["routine"])
    decide(step=pending(visit), by=two_hats, decision=StepState.APPROVED)
    step = pending(visit)
    assert step.escalated_at is None
    waiting = Kind.APPROVAL_WAITING
    assert staff.marketing_head.notifications.filter(kind=waiting).count() == 1
    assert two_hats.notifications.filter(kind=waiting).count() == 1  # the grading step only
    event = visit.events.get(kind=EventKind.APPROVER_PASSED_OVER)
    with translation.override("en"):
        assert event.shown_message.endswith(f"It waits for {staff.marketing_head}.")
    decide(step=step, by=staff.marketing_head, decision=StepState.APPROVED)


def test_her_delegate_decides_on_her_behalf(graded_by_the_head, head, deputy):
    """A delegation she sets while her step waits (escalated) lets her delegate decide it."""
    assistant = user_with(Role.MARKETING, username="assistant", full_name="刘洋")
    today = timezone.localdate()
    Delegation.objects.create(
        approver=head, delegate=assistant, starts_on=today, ends_on=today + timedelta(days=1)
    )
    step = pending(graded_by_the_head)
    assert authority(step, assistant).on_behalf_of == head
    decide(step=step, by=assistant, decision=StepState.APPROVED)
    step.refresh_from_db()
    assert step.decided_as == DecidedAs.DELEGATE and step.on_behalf_of == head


def test_with_a_delegate_present_the_step_is_not_escalated(four_tier, head, deputy):
    assistant = user_with(Role.SALES, username="assistant")
    today = timezone.localdate()
    Delegation.objects.create(approver=head, delegate=assistant, starts_on=today, ends_on=today)
    only_grader = user_with(Role.SALES, Role.MARKETING, username="only_grader")
    visit = file_visit(only_grader, four_tier["routine"])
    decide(step=pending(visit), by=head, decision=StepState.APPROVED)
    step = pending(visit)
    assert step.escalated_at is None
    assert assistant.notifications.filter(kind=Kind.APPROVAL_WAITING).exists()


def test_the_policy_may_allow_one_person_several_decisions(four_tier, sales, login):
    policy = ReceptionPolicy.get()
    assert policy.several_decisions_per_person is False  # the default: one each
    policy.several_decisions_per_person = True
    policy.save()
    two_hats = user_with(Role.MARKETING, Role.MARKETING_HEAD, username="two_hats")
    visit = file_visit(sales, four_tier["routine"])
    decide(step=pending(visit), by=two_hats, decision=StepState.APPROVED)
    step = pending(visit)
    assert step.escalated_at is None
    assert not visit.events.filter(kind=EventKind.APPROVER_PASSED_OVER).exists()
    queue = login(two_hats).get(reverse("approvals:queue"))
    assert step.pk in [row["step"].pk for row in queue.context["rows"]]
    decide(step=step, by=two_hats, decision=StepState.APPROVED)


def test_a_new_round_gives_everyone_their_decision_back(four_tier, sales, staff):
    two_hats = user_with(Role.MARKETING, Role.MARKETING_HEAD, username="two_hats")
    visit = file_visit(sales, four_tier["routine"])
    decide(step=pending(visit), by=two_hats, decision=StepState.APPROVED)
    decide(step=pending(visit), by=staff.marketing_head, decision=StepState.RETURNED, comment="改")
    submit_visit_request(visit=visit, by=sales)
    step = pending(visit)
    assert step.round == 2 and authority(step, two_hats) is not None
