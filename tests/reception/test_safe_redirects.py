"""Every view that follows a `next` sends the user back only to a page of this site: posting
`next=https://evil.example/` (or a scheme-relative `//evil.example/`) lands on the view's own page,
and so does a `next` that is no path at all (`x`, which Django's redirect() took for a URL name
and answered 500).
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from reception.accounts.roles import Role
from reception.models import Department, Notification
from tests.factories import approve_fully, file_visit, user_with
from visits.models import FollowUpAction, SummarySide
from visits.services import desk
from visits.services.summary import write_part

pytestmark = pytest.mark.django_db

EVIL = ["https://evil.example/", "//evil.example/", "https:/\\evil.example/"]
NOT_A_PATH = ["x", "/visits/\x00", " /visits/"]  # a URL name to Django, a control character


def arriving_tomorrow():
    arrival = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0, second=0)
    return {
        "arrival_at": arrival,
        "departure_at": arrival + timedelta(hours=6),
        "late_reason": "急",
    }


def lands_on(response, path):
    assert response.status_code == 302
    assert response["Location"] == path, response["Location"]


@pytest.mark.parametrize("evil", EVIL)
def test_checking_in_never_redirects_off_site(evil, four_tier, sales, staff, client):
    visit = approve_fully(file_visit(sales, four_tier["guest"], **arriving_tomorrow()))
    client.force_login(user_with(Role.FRONT_DESK))
    response = client.post(reverse("visits:check", args=[visit.pk, "in"]), {"next": evil})
    lands_on(response, reverse("visits:desk", args=[visit.pk]))


@pytest.mark.parametrize("evil", EVIL)
def test_ticking_a_task_never_redirects_off_site(evil, four_tier, sales, staff, client):
    member = user_with(Role.DEPARTMENT_MEMBER)
    Department.objects.get(code="office").memberships.create(user=member)
    visit = approve_fully(file_visit(sales, four_tier["vip"]))
    task = visit.prep_tasks.get(template__code="office-car")
    client.force_login(member)
    response = client.post(reverse("visits:task_action", args=[task.pk, "done"]), {"next": evil})
    lands_on(response, reverse("visits:tasks"))


@pytest.mark.parametrize("evil", EVIL)
def test_deciding_a_step_never_redirects_off_site(evil, four_tier, sales, staff, client):
    visit = file_visit(sales, four_tier["routine"])
    step = visit.approval_steps.get(state=StepState.PENDING)
    client.force_login(staff.marketing)
    response = client.post(
        reverse("approvals:decide", args=[step.pk]),
        {
            f"step{step.pk}-decision": StepState.APPROVED,
            f"step{step.pk}-grade": four_tier["routine"].pk,
            "next": evil,
        },
    )
    lands_on(response, reverse("approvals:queue"))
    step.refresh_from_db()
    assert step.state == StepState.APPROVED


@pytest.mark.parametrize("evil", EVIL)
def test_opening_a_notification_never_redirects_off_site(evil, sales, client):
    note = Notification.objects.create(recipient=sales, kind="x", title="t", url=evil)
    client.force_login(sales)
    response = client.post(reverse("notification_open", args=[note.pk]), {"next": evil})
    lands_on(response, reverse("notifications"))


@pytest.mark.parametrize("evil", EVIL)
def test_switching_language_never_redirects_off_site(evil, sales, client):
    client.force_login(sales)
    response = client.post(reverse("set_language"), {"language": "en", "next": evil})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


@pytest.mark.parametrize("evil", EVIL)
def test_logging_in_never_redirects_off_site(evil, client):
    user = user_with(Role.SALES, username="walker")
    user.set_password("a-long-pass-phrase")
    user.save()
    response = client.post(
        reverse("login"),
        {"username": "walker", "password": "a-long-pass-phrase", "next": evil},
    )
    lands_on(response, reverse(settings.LOGIN_REDIRECT_URL))


def test_a_next_on_this_site_is_followed(four_tier, sales, staff, client):
    visit = approve_fully(file_visit(sales, four_tier["guest"], **arriving_tomorrow()))
    client.force_login(user_with(Role.FRONT_DESK))
    board = reverse("visits:board") + "?day=2030-01-02"
    response = client.post(reverse("visits:check", args=[visit.pk, "in"]), {"next": board})
    lands_on(response, board)


def test_only_the_helper_reads_next_from_a_request():
    """A new view that follows `next` must use reception.http.safe_next."""
    root = Path(settings.BASE_DIR)
    reads_next = re.compile(r"""(POST|GET|data)\.get\(\s*["']next["']""")
    offenders = [
        str(path.relative_to(root))
        for app in ("reception", "approvals", "visits", "config")
        for path in (root / app).rglob("*.py")
        if reads_next.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == ["reception/http.py"]


# ---- a `next` that is not a path of this site counts as absent ----------------------------


@pytest.mark.parametrize("direction", ["in", "out"])
@pytest.mark.parametrize("bad", NOT_A_PATH)
def test_checking_in_or_out_with_a_next_that_is_no_path(bad, direction, four_tier, sales, client):
    visit = approve_fully(file_visit(sales, four_tier["guest"], **arriving_tomorrow()))
    frontdesk = user_with(Role.FRONT_DESK)
    if direction == "out":
        desk.check_in(visit=visit, by=frontdesk)
    client.force_login(frontdesk)
    response = client.post(reverse("visits:check", args=[visit.pk, direction]), {"next": bad})
    lands_on(response, reverse("visits:desk", args=[visit.pk]))


@pytest.mark.parametrize("bad", NOT_A_PATH)
def test_deciding_a_step_with_a_next_that_is_no_path(bad, four_tier, sales, staff, client):
    visit = file_visit(sales, four_tier["routine"])
    step = visit.approval_steps.get(state=StepState.PENDING)
    client.force_login(staff.marketing)
    response = client.post(
        reverse("approvals:decide", args=[step.pk]),
        {f"step{step.pk}-decision": StepState.APPROVED, "next": bad},
    )
    lands_on(response, reverse("approvals:queue"))


@pytest.mark.parametrize("bad", NOT_A_PATH)
def test_reopening_a_task_with_a_next_that_is_no_path(bad, four_tier, sales, staff, client):
    member = user_with(Role.DEPARTMENT_MEMBER)
    Department.objects.get(code="office").memberships.create(user=member)
    visit = approve_fully(file_visit(sales, four_tier["vip"]))
    task = visit.prep_tasks.get(template__code="office-car")
    client.force_login(member)
    client.post(reverse("visits:task_action", args=[task.pk, "done"]))
    response = client.post(reverse("visits:task_action", args=[task.pk, "reopen"]), {"next": bad})
    lands_on(response, reverse("visits:tasks"))


@pytest.mark.parametrize("bad", NOT_A_PATH)
def test_a_follow_up_done_with_a_next_that_is_no_path(bad, four_tier, sales, staff, client):
    visit = approve_fully(file_visit(sales, four_tier["guest"], **arriving_tomorrow()))
    frontdesk = user_with(Role.FRONT_DESK)
    desk.check_in(visit=visit, by=frontdesk)
    desk.check_out(visit=visit, by=frontdesk)
    due = timezone.localdate()
    write_part(
        visit=visit,
        side=SummarySide.HR,
        by=user_with(Role.HR),
        data={"outcome": "好"},
        follow_ups=[{"description": "回访客户", "owner": sales, "due_on": due}],
    )
    action = FollowUpAction.objects.get()
    client.force_login(sales)
    response = client.post(reverse("visits:follow_up_done", args=[action.pk]), {"next": bad})
    lands_on(response, reverse("visits:my_tasks"))
    action.refresh_from_db()
    assert action.done_at is not None


# (in a query string a control character is dropped before any view: tests/test_control_characters)
@pytest.mark.parametrize("bad", ["x", " /visits/", "//evil.example/"])
def test_a_task_assign_form_never_carries_a_next_that_is_no_path(bad, four_tier, sales, client):
    office = Department.objects.get(code="office")
    office.head = user_with(Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER)
    office.save()
    visit = approve_fully(file_visit(sales, four_tier["vip"]))
    task = visit.prep_tasks.get(template__code="office-hotel")
    client.force_login(office.head)
    response = client.get(reverse("visits:task_assignee", args=[task.pk]), {"next": bad})
    assert response.context["next"] == reverse("visits:tasks")


@pytest.mark.parametrize(
    ("url_name", "parameter"), [("approvals:queue", "step"), ("visits:tasks", "visit")]
)
def test_a_focus_parameter_that_is_no_row_id_is_ignored(url_name, parameter, client, four_tier):
    """`?step=²` / `?visit=²`: str.isdigit() says yes, int() refuses (found by the fuzz test)."""
    client.force_login(user_with(Role.ADMINISTRATOR, username="boss"))
    for value in ("²", "٣", "99999999999999999999", "x"):
        assert client.get(reverse(url_name), {parameter: value}).status_code == 200
