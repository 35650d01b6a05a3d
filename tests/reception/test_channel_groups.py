"""Group robots post once per event, worded for a group, with the walk-in's phone masked."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import Notification, ReceptionPolicy
from reception.notifications.channels.models import (
    ChannelMessage,
    ChannelRoute,
    GroupRobot,
    RouteTarget,
)
from tests.channel_fakes import robot_webhook
from tests.factories import file_visit, user_with
from visits.services import desk
from visits.services.walk_ins import record_walk_in

pytestmark = pytest.mark.django_db


def group_robot(fake, platform, key="front-desk-group"):
    fake.robot_secrets[key] = "SEC-group"
    robot = GroupRobot.objects.create(
        name="前台群",
        platform=platform,
        webhook_url=robot_webhook(fake, platform, key),
        secret="" if platform == "wecom" else "SEC-group",
        language="zh-hans",
    )
    return robot


def routed(kind, robot):
    ChannelRoute.objects.create(
        kind=kind, platform=robot.platform, target=RouteTarget.ROBOT, robot=robot
    )


def approve_through(visit):
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        decide(step=step, by=user_with(step.role.name), decision=StepState.APPROVED)
    visit.refresh_from_db()
    return visit


@pytest.mark.parametrize("platform", ["wecom", "dingtalk", "feishu"])
def test_a_walk_in_posts_one_card_per_group_worded_for_the_group_with_the_phone_masked(
    platform, fake_platforms, four_tier, staff, django_capture_on_commit_callbacks
):
    guard = user_with(Role.SECURITY, username="guard")
    user_with(Role.FRONT_DESK, username="desk1")
    user_with(Role.FRONT_DESK, username="desk2")
    assistant = user_with(Role.MARKETING, username="assistant", full_name="营销助理")
    policy = ReceptionPolicy.get()
    policy.walk_in_contact = assistant
    policy.save()
    routed("walk_in", group_robot(fake_platforms, platform))
    with django_capture_on_commit_callbacks(execute=True):
        record_walk_in(
            by=guard,
            company="星河电子有限公司",
            names="王强",
            headcount=1,
            phone="13900001111",
            wants_to_see=assistant,
            purpose="洽谈采购",
        )
    assert Notification.objects.filter(kind="walk_in").count() >= 3  # three notify() calls
    [post] = fake_platforms.messages(platform)
    text = json.dumps(post["body"], ensure_ascii=False)
    assert "139****1111" in text and "13900001111" not in text
    assert "要找您" not in text and "找您" not in text
    assert "营销助理" in text  # the group is told whom they came for
    assert ChannelMessage.objects.count() == 1


@pytest.mark.parametrize("platform", ["wecom", "dingtalk"])
def test_one_check_in_posts_one_card_in_the_group_however_many_people_it_tells(
    platform, fake_platforms, four_tier, sales, staff, django_capture_on_commit_callbacks
):
    arrival = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0, second=0)
    visit = approve_through(
        file_visit(
            sales,
            four_tier["guest"],
            late_reason="急",
            arrival_at=arrival,
            departure_at=arrival + timedelta(hours=6),
        )
    )
    visit.accompanying_staff.add(staff.gm)
    routed("guests_arrived", group_robot(fake_platforms, platform))
    with django_capture_on_commit_callbacks(execute=True):
        desk.check_in(visit=visit, by=user_with(Role.FRONT_DESK, username="frontdesk"))
    assert Notification.objects.filter(kind="guests_arrived").count() >= 2
    [post] = fake_platforms.messages(platform)
    assert f"%2Fvisits%2F{visit.pk}%2F" in json.dumps(post["body"])  # the visit's page
    # A second check-in of the same visit is another event: one more post.
    visit.visitors.update(checked_in_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        desk.check_in(visit=visit, by=user_with(Role.FRONT_DESK, username="frontdesk2"))
    assert len(fake_platforms.messages(platform)) == 2
