"""Company messaging: cards in WeCom, DingTalk and Feishu, through the outbox, against fakes."""

import json
import logging
import re
from datetime import timedelta
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reception.accounts.roles import Role
from reception.notifications.channels import tokens
from reception.notifications.channels.models import (
    ChannelAccount,
    ChannelMessage,
    ChannelRoute,
    GroupRobot,
    MessageStatus,
    RouteTarget,
)
from reception.notifications.channels.validators import validate_webhook_url
from reception.notifications.notify import Msg, notify
from reception.notifications.tasks import send_channel_messages, send_due_channel_messages
from tests.channel_fakes import robot_webhook
from tests.factories import DepartmentFactory, file_visit, user_with

pytestmark = pytest.mark.django_db

PLATFORMS = ["wecom", "dingtalk", "feishu"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def direct(user, platform, external_id="zhangsan"):
    ChannelAccount.objects.create(user=user, platform=platform, external_id=external_id)


def route(kind, platform, target=RouteTarget.RECIPIENT, robot=None):
    return ChannelRoute.objects.create(kind=kind, platform=platform, target=target, robot=robot)


def robot(fake, platform, key="robot1", secret="SEC-signing-secret", **fields):
    fake.robot_secrets[key] = secret
    return GroupRobot.objects.create(
        name=f"{platform} {key}",
        platform=platform,
        webhook_url=robot_webhook(fake, platform, key),
        secret=secret if platform != "wecom" else "",
        **fields,
    )


def ping(user, kind="tasks", url="/visits/1/"):
    return notify([user], kind=kind, title=Msg(_("Preparation tasks")), url=url)


def card_title(platform, body):
    if platform == "wecom":
        return body.get("textcard", {}).get("title") or body["template_card"]["main_title"]["title"]
    if platform == "dingtalk":
        return (
            body.get("msg", {}).get("action_card", {}).get("title") or body["actionCard"]["title"]
        )
    card = json.loads(body["content"]) if "content" in body else body["card"]
    return card["header"]["title"]["content"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_waiting_step_reaches_the_approver_as_a_chinese_card_with_a_link_to_decide(
    platform, fake_platforms, four_tier, sales, staff, django_capture_on_commit_callbacks
):
    staff.marketing.language = "zh-hans"
    staff.marketing.save()
    direct(staff.marketing, platform, "liuyang")
    route("approval_waiting", platform)
    with django_capture_on_commit_callbacks(execute=True):
        file_visit(sales, four_tier["vip"])
    note = staff.marketing.notifications.get(kind="approval_waiting")
    [received] = fake_platforms.messages(platform)
    body = received["body"]
    assert received["kind"] == "app"
    assert card_title(platform, body) == note.title and CHINESE.search(note.title)
    # The button opens the page through the sign-in from the app (tests/reception/test_im_login.py).
    link = f"https://jiedai.example.com/im/{platform}/?{urlencode({'next': note.url})}"
    assert link in json.dumps(body)
    with translation.override("zh-hans"):
        assert gettext("Open in Jiedai") in json.dumps(body, ensure_ascii=False)
    assert ChannelMessage.objects.get().status == MessageStatus.SENT


@pytest.mark.parametrize("platform", ["dingtalk", "feishu"])
def test_a_signed_robot_is_accepted_by_the_platform(
    platform, fake_platforms, staff, django_capture_on_commit_callbacks
):
    group = robot(fake_platforms, platform)
    route("tasks", platform, RouteTarget.ROBOT, group)
    with django_capture_on_commit_callbacks(execute=True):
        ping(staff.receptionist)
    assert len(fake_platforms.messages(platform)) == 1
    assert ChannelMessage.objects.get().status == MessageStatus.SENT


@pytest.mark.parametrize(("platform", "code"), [("dingtalk", "310000"), ("feishu", "19021")])
def test_a_wrong_signing_secret_is_refused_and_kept_with_the_platform_code(
    platform, code, fake_platforms, staff, django_capture_on_commit_callbacks
):
    group = robot(fake_platforms, platform)
    GroupRobot.objects.filter(pk=group.pk).update(secret="SEC-not-the-right-one")
    route("tasks", platform, RouteTarget.ROBOT, group)
    with django_capture_on_commit_callbacks(execute=True):
        ping(staff.receptionist)
    message = ChannelMessage.objects.get()
    assert fake_platforms.messages() == []
    assert (message.status, message.attempts, message.error_code) == ("pending", 1, code)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_outage_delays_a_message_but_never_loses_or_repeats_it(
    platform, fake_platforms, staff, django_capture_on_commit_callbacks
):
    direct(staff.gm, platform)
    route("tasks", platform)
    fake_platforms.down = 2
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        ping(staff.gm)
    message = ChannelMessage.objects.get()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert send_due_channel_messages(now=start + timedelta(seconds=30)) == 0  # not due yet
    assert send_due_channel_messages(now=start + timedelta(minutes=2)) == 0  # still down
    assert send_due_channel_messages(now=start + timedelta(minutes=5)) == 1
    assert send_due_channel_messages(now=start + timedelta(hours=2)) == 0
    send_channel_messages([message.pk])
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2
    assert len(fake_platforms.messages(platform)) == 1


@pytest.mark.parametrize(
    ("platform", "code"), [("wecom", "45009"), ("dingtalk", "130101"), ("feishu", "11232")]
)
def test_a_rate_limit_answer_postpones_the_message_without_counting_a_failure(
    platform, code, fake_platforms, staff, django_capture_on_commit_callbacks
):
    group = robot(fake_platforms, platform)
    route("tasks", platform, RouteTarget.ROBOT, group)
    fake_platforms.rate_limit_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        ping(staff.receptionist)
    message = ChannelMessage.objects.get()
    assert (message.status, message.attempts, message.error_code) == ("pending", 0, code)
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert send_due_channel_messages(now=timezone.now() + timedelta(minutes=2)) == 1
    assert len(fake_platforms.messages(platform)) == 1


def test_a_robot_sends_twenty_a_minute_and_the_rest_a_minute_later(
    fake_platforms, staff, django_capture_on_commit_callbacks
):
    group = robot(fake_platforms, "wecom")
    route("tasks", "wecom", RouteTarget.ROBOT, group)
    for n in range(25):
        with django_capture_on_commit_callbacks(execute=True):
            ping(staff.receptionist, url=f"/visits/{n}/")
    assert len(fake_platforms.messages()) == 20
    assert ChannelMessage.objects.filter(status=MessageStatus.PENDING).count() == 5
    assert send_due_channel_messages(now=timezone.now() + timedelta(seconds=61)) == 5
    links = [m["body"]["template_card"]["card_action"]["url"] for m in fake_platforms.messages()]
    assert len(links) == len(set(links)) == 25


def test_the_app_token_is_cached_and_fetched_again_before_it_expires(
    fake_platforms, staff, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CHANNEL_TOKEN_MARGIN = 300
    fake_platforms.expires_in = 310  # kept for ten seconds
    now = [1_000_000.0]
    monkeypatch.setattr(tokens, "clock", lambda: now[0])
    direct(staff.gm, "feishu")
    route("tasks", "feishu")
    for _n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            ping(staff.gm)
        now[0] += 4
    assert fake_platforms.token_requests["feishu"] == 1
    now[0] += 2  # ten seconds after the token came: fetched again
    with django_capture_on_commit_callbacks(execute=True):
        ping(staff.gm)
    assert fake_platforms.token_requests["feishu"] == 2
    assert len(fake_platforms.messages("feishu")) == 3


def test_a_token_the_platform_no_longer_accepts_is_replaced_at_once(
    fake_platforms, staff, django_capture_on_commit_callbacks
):
    direct(staff.gm, "wecom")
    route("tasks", "wecom")
    with django_capture_on_commit_callbacks(execute=True):
        ping(staff.gm)
    fake_platforms.tokens["wecom"] = "revoked-by-the-platform"
    with django_capture_on_commit_callbacks(execute=True):
        ping(staff.gm)
    assert fake_platforms.token_requests["wecom"] == 2
    assert len(fake_platforms.messages("wecom")) == 2


def test_a_department_group_gets_one_card_per_notification_in_its_language(
    fake_platforms, staff, django_capture_on_commit_callbacks
):
    kitchen = DepartmentFactory(code="kitchen")
    cooks = [user_with(Role.DEPARTMENT_MEMBER) for _n in range(3)]
    for cook in cooks:
        kitchen.members.add(cook)
    group = robot(fake_platforms, "dingtalk", department=kitchen, language="zh-hans")
    route("tasks", "dingtalk", RouteTarget.DEPARTMENT_ROBOTS)
    with django_capture_on_commit_callbacks(execute=True):
        notify(cooks, kind="tasks", title=Msg(_("Preparation tasks")), url="/tasks/")
    [received] = fake_platforms.messages()
    assert received["body"]["actionCard"]["title"] == "准备任务"
    assert ChannelMessage.objects.get().robot == group


def test_kinds_without_a_route_send_nothing(
    fake_platforms, staff, django_capture_on_commit_callbacks
):
    direct(staff.gm, "wecom")
    route("approval_waiting", "wecom")
    with django_capture_on_commit_callbacks(execute=True):
        ping(staff.gm, kind="tasks")
    assert not ChannelMessage.objects.exists() and fake_platforms.messages() == []


def test_a_message_that_keeps_failing_is_given_up_and_shown_in_the_admin_with_its_code(
    fake_platforms, staff, settings, client, django_capture_on_commit_callbacks
):
    settings.CHANNEL_MAX_ATTEMPTS = 2
    group = robot(fake_platforms, "dingtalk")
    GroupRobot.objects.filter(pk=group.pk).update(secret="SEC-wrong")
    route("tasks", "dingtalk", RouteTarget.ROBOT, group)
    with django_capture_on_commit_callbacks(execute=True):
        ping(staff.receptionist)
    send_due_channel_messages(now=timezone.now() + timedelta(minutes=3))
    message = ChannelMessage.objects.get()
    assert (message.status, message.error_code) == (MessageStatus.FAILED, "310000")
    client.force_login(user_with(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:reception_channelmessage_changelist"))
    assert "310000" in page.content.decode() and "sign not match" in page.content.decode()


def test_a_failure_is_logged_without_the_robot_key_or_secret(
    fake_platforms, staff, caplog, django_capture_on_commit_callbacks
):
    group = robot(fake_platforms, "feishu", key="hook-key-123")
    GroupRobot.objects.filter(pk=group.pk).update(secret="SEC-wrong-but-secret")
    route("tasks", "feishu", RouteTarget.ROBOT, group)
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        ping(staff.receptionist)
    assert "19021" in caplog.text
    assert "hook-key-123" not in caplog.text and "SEC-wrong-but-secret" not in caplog.text


@pytest.mark.parametrize(
    ("platform", "url"),
    [
        ("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),
        ("wecom", "https://oapi.dingtalk.com/robot/send?access_token=t"),
        ("dingtalk", "https://evil.example.com/robot/send?access_token=t"),
        ("feishu", "https://open.feishu.cn.evil.com/open-apis/bot/v2/hook/x"),
    ],
)
def test_a_webhook_outside_https_and_the_platform_hosts_is_refused(platform, url):
    with pytest.raises(ValidationError):
        validate_webhook_url(url, platform)


@pytest.mark.parametrize(
    ("platform", "url"),
    [
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t"),
        ("feishu", "https://open.larksuite.com/open-apis/bot/v2/hook/x"),
    ],
)
def test_a_webhook_on_the_platform_host_is_accepted(platform, url):
    validate_webhook_url(url, platform)


def test_a_private_deployment_host_can_be_allowed_by_setting(settings):
    settings.CHANNEL_WEBHOOK_HOSTS = {**settings.CHANNEL_WEBHOOK_HOSTS, "dingtalk": ["im.corp.cn"]}
    validate_webhook_url("https://im.corp.cn/robot/send?access_token=t", "dingtalk")


def test_the_admin_never_shows_a_saved_webhook_key_or_secret_and_keeps_them_on_save(client):
    client.force_login(user_with(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    webhook = "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789"
    response = client.post(
        reverse("admin:reception_grouprobot_add"),
        {
            "name": "前台群",
            "platform": "dingtalk",
            "webhook_url": webhook,
            "secret": "SECtopsecret",
        },
    )
    assert response.status_code == 302
    group = GroupRobot.objects.get()
    change = reverse("admin:reception_grouprobot_change", args=[group.pk])
    for page in (client.get(change), client.get(reverse("admin:reception_grouprobot_changelist"))):
        html = page.content.decode()
        assert "abcdef0123456789" not in html and "SECtopsecret" not in html
    client.post(
        change, {"name": "前台群 2", "platform": "dingtalk", "webhook_url": "", "secret": ""}
    )
    group.refresh_from_db()
    assert (group.name, group.webhook_url, group.secret) == ("前台群 2", webhook, "SECtopsecret")


def test_the_admin_refuses_a_robot_webhook_on_another_host(client):
    client.force_login(user_with(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:reception_grouprobot_add"),
        {
            "name": "x",
            "platform": "feishu",
            "webhook_url": "https://example.com/hook",
            "secret": "",
        },
    )
    assert response.status_code == 200 and not GroupRobot.objects.exists()


def test_send_test_message_sends_a_card_to_a_person_and_prints_the_answer(fake_platforms, staff):
    direct(staff.gm, "feishu", "zhaomin")
    out = StringIO()
    call_command("send_test_message", channel="feishu", to="gm", stdout=out)
    assert '"code": 0' in out.getvalue()
    assert fake_platforms.messages("feishu")[0]["body"]["receive_id"] == "zhaomin"


def test_send_test_message_sends_a_card_to_a_department_group(fake_platforms):
    desk = DepartmentFactory(code="front-desk")
    robot(fake_platforms, "dingtalk", department=desk)
    out = StringIO()
    call_command("send_test_message", channel="dingtalk", to="front-desk", stdout=out)
    assert '"errcode": 0' in out.getvalue() and len(fake_platforms.messages("dingtalk")) == 1


def test_a_persons_platform_ids_are_edited_on_their_user_page(client, staff):
    direct(staff.gm, "wecom", "zhaomin")
    client.force_login(user_with(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:reception_user_change", args=[staff.gm.pk]))
    assert 'name="channel_accounts-0-external_id"' in page.content.decode()
    assert "zhaomin" in page.content.decode()


def test_the_outbox_admin_heads_the_recipient_column_recipient_not_new_status(
    fake_platforms, staff, client, django_capture_on_commit_callbacks
):
    """The model field's label "to" is also the timeline's status change, 新状态 in Chinese."""
    direct(staff.gm, "feishu", "zhaomin")
    route("tasks", "feishu")
    with django_capture_on_commit_callbacks(execute=True):
        ping(staff.gm)
    message = ChannelMessage.objects.get()
    client.force_login(user_with(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    pages = [
        reverse("admin:reception_channelmessage_changelist"),
        reverse("admin:reception_channelmessage_change", args=[message.pk]),
    ]
    for url in pages:
        with translation.override("zh-hans"):
            html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
            assert gettext("recipient") == "接收人"
        assert "新状态" not in html and "接收人" in html and "zhaomin" in html, url
