"""The audit trail is append-only: what the admin shows of decisions, timeline entries,
check-in/out times and task completion cannot be rewritten or deleted there, and a correction
goes on the visit's timeline with its reason."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import ApprovalStep, StepState
from reception.accounts.roles import Role
from tests.admin_forms import change_form_data
from tests.factories import approve_fully, file_visit, user_with
from visits.models import EventKind, PrepStatus, PrepTask, VisitEvent, VisitRequest
from visits.services import desk
from visits.services.corrections import correct_check_times
from visits.services.lifecycle import VisitError

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return user_with(Role.ADMINISTRATOR, username="admin_u", full_name="系统管理员", is_staff=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def visit(four_tier, sales, staff):
    arrival = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0, second=0)
    visit = file_visit(
        sales,
        four_tier["guest"],
        late_reason="急",
        arrival_at=arrival,
        departure_at=arrival + timedelta(hours=6),
    )
    return approve_fully(visit)


@pytest.fixture
def checked_in(visit):
    desk.check_in(visit=visit, by=user_with(Role.FRONT_DESK, username="frontdesk"))
    visit.refresh_from_db()
    return visit


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def delete_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])


def post_change(admin_client, obj, **changes):
    """Open the admin change page, alter fields as a browser could, and save."""
    url = change_url(obj)
    page = admin_client.get(url)
    assert page.status_code == 200
    data = change_form_data(page) | {k: str(v) for k, v in changes.items()}
    return admin_client.post(url, data)


def test_an_approval_decision_cannot_be_rewritten_in_the_admin(visit, admin_client, admin_user):
    step = visit.approval_steps.filter(state=StepState.APPROVED).first()
    decided = (step.decided_by_id, step.decided_at, step.comment, step.state)
    post_change(
        admin_client,
        step,
        decided_by=admin_user.pk,
        comment="rewritten",
        state=StepState.REJECTED,
        decided_at_0="2020-01-01",
        decided_at_1="09:00",
    )
    step.refresh_from_db()
    assert (step.decided_by_id, step.decided_at, step.comment, step.state) == decided


def test_an_approval_decision_cannot_be_deleted_in_the_admin(visit, admin_client):
    step = visit.approval_steps.first()
    assert admin_client.post(delete_url(step), {"post": "yes"}).status_code == 403
    assert ApprovalStep.objects.filter(pk=step.pk).exists()


def test_a_timeline_entry_cannot_be_changed_or_deleted_in_the_admin(visit, admin_client):
    event = visit.events.first()
    admin_client.post(change_url(event), {"comment": "rewritten", "kind": EventKind.NOTE})
    assert admin_client.post(delete_url(event), {"post": "yes"}).status_code == 403
    event_after = VisitEvent.objects.get(pk=event.pk)
    assert (event_after.comment, event_after.kind) == (event.comment, event.kind)


def test_a_visit_cannot_be_deleted_in_the_admin(visit, admin_client):
    assert admin_client.post(delete_url(visit), {"post": "yes"}).status_code == 403
    changelist = reverse("admin:visits_visitrequest_changelist")
    bulk = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [visit.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert VisitRequest.objects.filter(pk=visit.pk).exists()


def test_check_in_times_cannot_be_edited_in_the_admin(checked_in, admin_client):
    visitor = checked_in.visitors.first()
    recorded = visitor.checked_in_at
    response = post_change(
        admin_client,
        checked_in,
        **{"visitors-0-checked_in_at_0": "2020-01-01", "visitors-0-checked_in_at_1": "08:00"},
    )
    assert response.status_code in (200, 302)
    visitor.refresh_from_db()
    assert visitor.checked_in_at == recorded


def test_task_completion_cannot_be_edited_or_deleted_in_the_admin(visit, admin_client, sales):
    task = PrepTask.objects.filter(visit=visit).first()
    done_at = timezone.now()
    PrepTask.objects.filter(pk=task.pk).update(
        status=PrepStatus.DONE, done_by=sales, done_at=done_at
    )
    task.refresh_from_db()
    post_change(
        admin_client, task, status=PrepStatus.OPEN, done_by=visit.applicant_id, done_at_0=""
    )
    assert admin_client.post(delete_url(task), {"post": "yes"}).status_code == 403
    task.refresh_from_db()
    assert (task.status, task.done_by, task.done_at) == (PrepStatus.DONE, sales, done_at)


def test_a_check_time_correction_in_the_admin_goes_on_the_timeline_with_its_reason(
    checked_in, admin_client, admin_user
):
    visitor = checked_in.visitors.first()
    url = reverse("admin:visits_visitrequest_correct_check_times", args=[checked_in.pk])
    local = timezone.localtime(visitor.checked_in_at)
    earlier = (local - timedelta(minutes=40)).replace(second=0, microsecond=0)
    assert url in admin_client.get(change_url(checked_in)).content.decode()
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "visitor": visitor.pk,
            "checked_in_at": earlier.strftime("%Y-%m-%dT%H:%M"),
            "checked_out_at": "",
            "reason": "前台晚登记了40分钟",
        },
    )
    assert response.status_code == 302
    visitor.refresh_from_db()
    assert visitor.checked_in_at == earlier
    event = checked_in.events.get(kind=EventKind.CORRECTION)
    assert event.actor == admin_user and event.comment == "前台晚登记了40分钟"
    assert event.changes == [
        {
            "field": "checked_in_at",
            "old": local.strftime("%Y-%m-%d %H:%M"),
            "new": earlier.strftime("%Y-%m-%d %H:%M"),
            "visitor": visitor.name,
        }
    ]
    page = admin_client.get(reverse("visits:detail", args=[checked_in.pk]))
    assert "前台晚登记了40分钟" in page.content.decode()


def test_a_correction_without_a_reason_is_refused(checked_in, admin_user):
    visitor = checked_in.visitors.first()
    with pytest.raises(VisitError):
        correct_check_times(
            visitor=visitor,
            by=admin_user,
            checked_in_at=visitor.checked_in_at - timedelta(minutes=5),
            checked_out_at=None,
            reason="  ",
        )
    assert not checked_in.events.filter(kind=EventKind.CORRECTION).exists()


def test_a_check_out_before_the_check_in_is_refused(checked_in, admin_user):
    visitor = checked_in.visitors.first()
    with pytest.raises(VisitError):
        correct_check_times(
            visitor=visitor,
            by=admin_user,
            checked_in_at=visitor.checked_in_at,
            checked_out_at=visitor.checked_in_at - timedelta(hours=1),
            reason="typo",
        )
