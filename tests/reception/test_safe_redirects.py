"""Every view that follows a `next` sends the user back only to a page of this site: posting
`next=https://evil.example/` (or a scheme-relative `//evil.example/`) lands on the view's own page.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from reception.models import Department, Notification
from reception.roles import Role
from tests.factories import approve_fully, file_visit, user_with

pytestmark = pytest.mark.django_db

EVIL = ["https://evil.example/", "//evil.example/", "https:/\\evil.example/"]


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
