"""Delegation: during an approver's absence their delegate sees and decides their steps,
recorded as "A on behalf of B"; nobody decides their own request through a delegation."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from approvals.models import DecidedAs, Delegation, StepState
from approvals.selectors import queue_for
from approvals.services import NotYourStep, SelfApproval, decide
from reception.accounts.roles import Role
from tests.factories import file_visit, user_with

pytestmark = pytest.mark.django_db


def pending(visit):
    return visit.approval_steps.get(state=StepState.PENDING)


def absent(approver, delegate, *, days=(0, 3)):
    today = timezone.localdate()
    return Delegation.objects.create(
        approver=approver,
        delegate=delegate,
        starts_on=today + timedelta(days=days[0]),
        ends_on=today + timedelta(days=days[1]),
    )


@pytest.fixture
def stand_in(db):
    return user_with(Role.MARKETING_HEAD, username="stand_in", full_name="陈静")


def test_a_delegate_sees_and_decides_and_the_timeline_says_on_whose_behalf(
    four_tier, sales, staff, stand_in, login
):
    absent(staff.marketing, stand_in)
    visit = file_visit(sales, four_tier["business"])
    step = pending(visit)
    browser = login(stand_in)
    queue = browser.get(reverse("approvals:queue"))
    row = next(r for r in queue.context["rows"] if r["step"].pk == step.pk)
    assert row["capacity"].on_behalf_of == staff.marketing
    response = browser.post(
        reverse("approvals:decide", args=[step.pk]),
        {
            f"step{step.pk}-decision": "approved",
            f"step{step.pk}-grade": four_tier["business"].pk,
        },
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.decided_by == stand_in and step.on_behalf_of == staff.marketing
    assert step.decided_as == DecidedAs.DELEGATE
    sales.language = "en"
    sales.save()
    page = login(sales).get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "陈静 on behalf of 刘洋" in page


def test_outside_the_absence_the_delegate_gets_nothing(four_tier, sales, staff, stand_in):
    absent(staff.marketing, stand_in, days=(2, 4))
    visit = file_visit(sales, four_tier["business"])
    assert pending(visit).pk not in [s.pk for s in queue_for(stand_in)]
    with pytest.raises(NotYourStep):
        decide(step=pending(visit), by=stand_in, decision=StepState.APPROVED)


def test_a_delegate_never_decides_their_own_request(four_tier, staff):
    applicant = user_with(Role.SALES, username="sales_and_delegate")
    absent(staff.marketing, applicant)
    visit = file_visit(applicant, four_tier["business"])
    assert pending(visit).pk not in [s.pk for s in queue_for(applicant)]
    with pytest.raises(SelfApproval):
        decide(step=pending(visit), by=applicant, decision=StepState.APPROVED)


def test_an_approvers_own_request_is_not_decided_by_their_delegate(four_tier, staff, stand_in):
    """The absent approver filed it: their delegate may not approve it for them."""
    staff.marketing.groups.add(*user_with(Role.SALES, username="tmp").groups.all())
    other_grader = user_with(Role.MARKETING, username="other_grader")
    absent(staff.marketing, stand_in)
    visit = file_visit(staff.marketing, four_tier["business"])
    step = pending(visit)
    assert step.pk not in [s.pk for s in queue_for(stand_in)]
    with pytest.raises(NotYourStep):
        decide(step=step, by=stand_in, decision=StepState.APPROVED)
    decide(step=step, by=other_grader, decision=StepState.APPROVED)


def test_an_approver_sets_an_absence_on_their_page(four_tier, staff, stand_in, login):
    today = timezone.localdate()
    browser = login(staff.marketing)
    response = browser.post(
        reverse("approvals:delegations"),
        {"delegate": stand_in.pk, "starts_on": today, "ends_on": today + timedelta(days=2)},
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.approver == staff.marketing and delegation.delegate == stand_in
    assert list(browser.get(reverse("approvals:delegations")).context["given"]) == [delegation]


@pytest.mark.parametrize(
    "start, end, field",
    [(0, -1, "ends_on"), (-5, -2, "ends_on")],
    ids=["ends-before-start", "already-over"],
)
def test_an_absence_must_make_sense(staff, stand_in, login, start, end, field):
    today = timezone.localdate()
    response = login(staff.marketing).post(
        reverse("approvals:delegations"),
        {
            "delegate": stand_in.pk,
            "starts_on": today + timedelta(days=start),
            "ends_on": today + timedelta(days=end),
        },
    )
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not Delegation.objects.exists()


def test_nobody_delegates_to_themselves_or_to_someone_who_does_not_approve(staff, login):
    today = timezone.localdate()
    clerk = user_with(Role.FRONT_DESK, username="clerk")
    for person in (staff.marketing, clerk):
        response = login(staff.marketing).post(
            reverse("approvals:delegations"),
            {"delegate": person.pk, "starts_on": today, "ends_on": today},
        )
        assert response.status_code == 400 and "delegate" in response.context["form"].errors


def test_only_the_approver_withdraws_their_delegation(staff, stand_in, login):
    delegation = absent(staff.marketing, stand_in)
    url = reverse("approvals:end_delegation", args=[delegation.pk])
    assert login(stand_in).post(url).status_code == 404
    assert login(staff.marketing).post(url).status_code == 302
    assert not Delegation.objects.exists()


def test_a_delegation_opens_the_absent_approvers_requests_to_the_delegate_at_once_and_closes_them(
    four_tier, sales, staff, stand_in, login
):
    """What a user may see is kept between requests: a delegation recorded or withdrawn
    counts on the delegate's next request."""
    visit = file_visit(sales, four_tier["business"])
    browser = login(stand_in)
    page = reverse("visits:detail", args=[visit.pk])
    assert browser.get(page).status_code == 404
    delegation = absent(staff.marketing, stand_in)
    assert browser.get(page).status_code == 200
    delegation.delete()
    assert browser.get(page).status_code == 404


def _queued(browser) -> set[int]:
    return {row["step"].pk for row in browser.get(reverse("approvals:queue")).context["rows"]}


def test_the_kept_queue_follows_a_delegation_made_and_taken_back(
    four_tier, sales, staff, stand_in, login
):
    """queue_for is built once per user, access version and day: a delegation given or taken
    back raises the delegate's access version, so their next request reads it."""
    step = pending(file_visit(sales, four_tier["business"]))
    browser = login(stand_in)
    assert step.pk not in _queued(browser)  # the stand-in's own queue, now kept
    delegation = absent(staff.marketing, stand_in)
    assert step.pk in _queued(browser)
    delegation.delete()
    assert step.pk not in _queued(browser)


def test_the_kept_queue_follows_the_day_a_delegation_starts(
    four_tier, sales, staff, stand_in, login
):
    step = pending(file_visit(sales, four_tier["business"]))
    absent(staff.marketing, stand_in, days=(1, 3))
    browser = login(stand_in)
    assert step.pk not in _queued(browser)  # tomorrow's absence: kept for today
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=True):
        assert step.pk in _queued(browser)


def test_the_kept_queue_follows_a_role_given(four_tier, sales, login):
    step = pending(file_visit(sales, four_tier["business"]))
    newcomer = user_with(Role.MARKETING_HEAD, username="newcomer")  # a later step's approver
    browser = login(newcomer)
    assert step.pk not in _queued(browser)
    newcomer.groups.add(Group.objects.get(name=Role.MARKETING))
    assert step.pk in _queued(browser)
