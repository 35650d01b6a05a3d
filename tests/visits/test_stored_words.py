"""Words the system stores for later are kept by their codes and rendered in the reader's
language: a decision made in Chinese never shows "已批准 by 黄磊" on an English page."""

import pytest
from django.urls import reverse
from django.utils import translation

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import Notification
from tests.factories import file_visit, user_with
from visits.models import WalkIn
from visits.services.notifications import Kind
from visits.services.walk_ins import decline_walk_in

pytestmark = pytest.mark.django_db


def home(login, user, language) -> str:
    user.language = language
    user.save(update_fields=["language"])
    return login(user).get(reverse("home")).content.decode()


def test_a_decision_made_in_chinese_reads_in_english_on_the_applicants_home(
    four_tier, sales, staff, login, django_capture_on_commit_callbacks
):
    visit = file_visit(sales, four_tier["routine"])
    step = visit.approval_steps.get(state=StepState.PENDING)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        decide(step=step, by=staff.marketing, decision=StepState.APPROVED)

    english = home(login, sales, "en")
    assert "Approved by 刘洋" in english and "已批准" not in english
    chinese = home(login, sales, "zh-hans")
    assert "刘洋 已批准" in chinese
    assert "Approved" not in chinese


def test_a_walk_in_declined_in_chinese_reads_in_english_at_the_gate(
    staff, login, django_capture_on_commit_callbacks
):
    guard = user_with(Role.SECURITY, username="guard_w")
    walk_in = WalkIn.objects.create(
        company="星河电子有限公司",
        names="王强",
        phone="13900001111",
        wants_to_see=staff.gm,
        purpose="洽谈采购",
        recorded_by=guard,
    )
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        decline_walk_in(walk_in=walk_in, by=staff.gm, reason="今日不便")

    note = Notification.objects.get(recipient=guard, kind=Kind.WALK_IN_DECIDED)
    with translation.override("en"):
        assert note.shown_title == "星河电子有限公司: Declined by 赵敏"
