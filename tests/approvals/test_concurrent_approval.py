"""Two approvers deciding the same step at the same moment produce exactly one decision."""

import threading

import pytest
from django.db import connection

from approvals.models import ApprovalStep, StepState
from approvals.services import AlreadyDecided, decide
from reception.accounts.roles import Role
from tests.factories import file_visit, user_with
from visits.models import VisitEvent, VisitStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_approvers_at_once_make_exactly_one_decision(four_tier, sales, staff):
    if connection.vendor != "postgresql":
        pytest.skip("row locking is tested on PostgreSQL (DATABASE_URL); CI runs it there")
    other_marketer = user_with(Role.MARKETING, username="mkt2")
    visit = file_visit(sales, four_tier["guest"])
    step = visit.approval_steps.get(state=StepState.PENDING)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve_as(user):
        try:
            barrier.wait(timeout=10)
            decide(step=step, by=user, decision=StepState.APPROVED, comment=user.username)
            outcomes.append("decided")
        except AlreadyDecided:
            outcomes.append("already decided")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve_as, args=(user,))
        for user in (staff.marketing, other_marketer)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["already decided", "decided"]
    first = ApprovalStep.objects.get(subject=visit, round=1, position=1)
    assert first.state == StepState.APPROVED
    assert ApprovalStep.objects.filter(subject=visit, state=StepState.PENDING).count() == 1
    moves = VisitEvent.objects.filter(visit=visit, to_status=VisitStatus.IN_APPROVAL)
    assert moves.count() == 1
    assert sales.notifications.filter(kind="step_approved").count() == 1
