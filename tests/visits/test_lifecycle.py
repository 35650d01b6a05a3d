"""The transition table, the timeline, cancelling, and edits after approval."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from reception.models import Notification
from tests.factories import file_visit, visit_data
from visits.models import EventKind, VisitEvent, VisitStatus
from visits.services.lifecycle import TRANSITIONS, IllegalTransition, VisitError, transition
from visits.services.requests import cancel_visit_request, update_visit_request

pytestmark = pytest.mark.django_db


def approve_all(visit, staff, approvers):
    for user in approvers:
        step = visit.approval_steps.get(state=StepState.PENDING)
        decide(step=step, by=user, decision=StepState.APPROVED)
    visit.refresh_from_db()
    return visit


@pytest.fixture
def approved_visit(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["guest"])
    return approve_all(visit, staff, [staff.marketing, staff.deputy_gm, staff.director])


def test_the_transition_table_covers_every_status():
    assert set(TRANSITIONS) == set(VisitStatus.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(VisitStatus.values)
    assert TRANSITIONS[VisitStatus.CANCELLED] == set()


def test_an_illegal_transition_raises_a_domain_error(four_tier, sales):
    visit = file_visit(sales, four_tier["routine"], submit=False)
    with pytest.raises(IllegalTransition, match="cannot become"):
        transition(visit, to=VisitStatus.APPROVED, by=sales)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DRAFT


def test_an_illegal_action_in_the_browser_is_a_message_not_an_error(login, approved_visit, sales):
    browser = login(sales)
    response = browser.post(reverse("visits:submit", args=[approved_visit.pk]), follow=True)
    assert response.status_code == 200
    assert "Only a draft or a returned request can be submitted" in response.content.decode()


def test_every_transition_is_recorded_with_actor_time_and_comment(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["routine"])
    decide(
        step=visit.approval_steps.get(state=StepState.PENDING),
        by=staff.marketing,
        decision=StepState.RETURNED,
        comment="请补充来访目的",
    )
    events = list(VisitEvent.objects.filter(visit=visit, kind=EventKind.TRANSITION))
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [
        ("", VisitStatus.DRAFT, sales),
        (VisitStatus.DRAFT, VisitStatus.SUBMITTED, sales),
        (VisitStatus.SUBMITTED, VisitStatus.RETURNED, staff.marketing),
    ]
    assert events[-1].comment == "请补充来访目的" and events[-1].at is not None


def test_the_timeline_shows_transitions_and_decisions(login, approved_visit, sales):
    page = login(sales).get(reverse("visits:detail", args=[approved_visit.pk])).content.decode()
    assert page.count('class="tl-') >= 7  # draft, submitted, 3 decisions, in approval, approved
    assert "Product director confirms" in page


def test_the_applicant_cancels_with_a_reason_and_everyone_involved_is_told(
    approved_visit, sales, staff, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with pytest.raises(VisitError, match="reason"):
        cancel_visit_request(visit=approved_visit, by=sales, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_visit_request(visit=approved_visit, by=sales, reason="客户行程变更")
    approved_visit.refresh_from_db()
    assert approved_visit.status == VisitStatus.CANCELLED
    told = {n.recipient for n in Notification.objects.filter(kind="visit_cancelled")}
    assert {staff.marketing, staff.deputy_gm, staff.director, staff.receptionist} <= told
    assert sales not in told
    assert any("客户行程变更" in m.body for m in mail.outbox)


def test_a_visit_cannot_be_cancelled_once_it_has_started(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["routine"])
    visit.arrival_at = timezone.now() - timedelta(hours=1)
    visit.save()
    with pytest.raises(VisitError, match="has started"):
        cancel_visit_request(visit=visit, by=sales, reason="太晚了")


def test_changes_after_approval_are_logged_field_by_field_and_announced(
    approved_visit, sales, staff
):
    data = visit_data(approved_visit.proposed_grade, client=approved_visit.client)
    data |= {"arrival_at": approved_visit.arrival_at, "departure_at": approved_visit.departure_at}
    data |= {"headcount": 4, "meals": 3}
    changes = update_visit_request(visit=approved_visit, by=sales, data=data, visitors=None)
    assert {c["field"] for c in changes} >= {"headcount", "meals"}
    entry = VisitEvent.objects.get(visit=approved_visit, kind=EventKind.CHANGE)
    assert {"field": "headcount", "old": 3, "new": 4} in entry.changes
    note = staff.receptionist.notifications.get(kind="visit_changed")
    assert "3 → 4" in note.body
    approved_visit.refresh_from_db()
    assert approved_visit.status == VisitStatus.APPROVED


def test_a_grade_change_after_approval_goes_back_through_approval(
    approved_visit, sales, staff, four_tier
):
    data = visit_data(four_tier["vip"], client=approved_visit.client)
    data |= {"arrival_at": approved_visit.arrival_at, "departure_at": approved_visit.departure_at}
    update_visit_request(visit=approved_visit, by=sales, data=data, visitors=None)
    approved_visit.refresh_from_db()
    assert approved_visit.status == VisitStatus.IN_APPROVAL
    assert approved_visit.final_grade is None
    pending = approved_visit.approval_steps.get(state=StepState.PENDING)
    assert pending.round == 2 and pending.grades_visit


def test_a_request_with_the_approvers_cannot_be_edited(four_tier, sales, login):
    visit = file_visit(sales, four_tier["routine"])
    response = login(sales).get(reverse("visits:edit", args=[visit.pk]), follow=True)
    assert "cannot be edited now" in response.content.decode()
