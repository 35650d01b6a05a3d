"""Exactly once through faults: slow answers, dripping endpoints, dead senders, secrets at rest,
secret links kept out of the request log, stable Message-IDs."""

import logging
import time
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.notifications.channels import delivery
from reception.notifications.channels.fields import PREFIX
from reception.notifications.channels.http import TransportError, call
from reception.notifications.channels.models import (
    ChannelAccount,
    ChannelMessage,
    ChannelRoute,
    GroupRobot,
    MessageStatus,
    RouteTarget,
)
from reception.notifications.notify import Msg, notify
from reception.notifications.tasks import send_due_channel_messages
from tests.channel_fakes import robot_webhook
from tests.factories import user_with

pytestmark = pytest.mark.django_db


def direct(user, platform, external_id="zhangsan"):
    ChannelAccount.objects.create(user=user, platform=platform, external_id=external_id)
    ChannelRoute.objects.create(kind="tasks", platform=platform, target=RouteTarget.RECIPIENT)


def group(fake, platform, key="robot-key-0123456789"):
    fake.robot_secrets[key] = "SEC-signing-secret"
    robot = GroupRobot.objects.create(
        name="群",
        platform=platform,
        webhook_url=robot_webhook(fake, platform, key),
        secret="" if platform == "wecom" else "SEC-signing-secret",
    )
    ChannelRoute.objects.create(kind="tasks", platform=platform, target="robot", robot=robot)
    return robot


def ping(user):
    return notify([user], kind="tasks", title=Msg(_("Preparation tasks")), url="/tasks/")


def raw_column(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


# ---- a slow answer, a dripping endpoint, a dead sender --------------------------------------


def test_a_slow_but_successful_webhook_is_not_sent_again_by_a_sweep_meanwhile(
    fake_platforms, staff, settings, monkeypatch
):
    """The sweep that runs while the platform is still answering finds the row claimed for
    longer than the call may last, and leaves it alone."""
    settings.CHANNEL_HTTP_TIMEOUT = 2
    group(fake_platforms, "dingtalk")
    ping(staff.receptionist)  # not committed: no task ran
    [message] = ChannelMessage.objects.all()
    fake_platforms.delay = 0.5
    real = delivery.send_payload
    sweeps = []

    def slow_send(row):
        answer = real(row)  # the platform took it, slowly
        # Meanwhile a sweep, as late as the call's deadline allows:
        sweeps.append(send_due_channel_messages(now=timezone.now() + timedelta(seconds=2)))
        return answer

    monkeypatch.setattr(delivery, "send_payload", slow_send)
    assert delivery.deliver(message.pk)
    assert sweeps == [0]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.claimed_until is None
    assert len(fake_platforms.messages("dingtalk")) == 1


def test_the_claim_outlives_the_calls_whole_deadline(fake_platforms, staff, settings):
    settings.CHANNEL_HTTP_TIMEOUT = 5
    group(fake_platforms, "feishu")
    ping(staff.receptionist)
    message = ChannelMessage.objects.get()
    now = timezone.now()
    claimed = delivery.claim(message.pk, now)
    assert claimed is not None
    # A token fetch, the message and a retry after a dead token: three calls at most.
    assert claimed.claimed_until >= now + timedelta(seconds=3 * 5)


def test_a_dripping_endpoint_is_cut_off_at_one_overall_deadline(fake_platforms, settings):
    """5 s per read let an endpoint that drips a byte at a time hold a worker for a minute;
    the deadline is for the whole call."""
    settings.CHANNEL_HTTP_TIMEOUT = 1
    fake_platforms.drip = 0.2  # the answer (~40 bytes) would take 8 s
    started = time.monotonic()
    with pytest.raises(TransportError) as raised:
        call("GET", f"{fake_platforms.url}/wecom/cgi-bin/gettoken?corpid=x&corpsecret=y")
    assert time.monotonic() - started < 1.8
    assert "within 1 s" in str(raised.value)


def test_a_transport_error_never_repeats_the_address(settings):
    settings.CHANNEL_HTTP_TIMEOUT = 0.5
    with pytest.raises(TransportError) as raised:
        call("POST", "http://127.0.0.1:9/robot/send?access_token=secret-robot-key", {})
    assert "secret-robot-key" not in str(raised.value)


@pytest.mark.parametrize("platform", ["wecom", "feishu"])
def test_a_killed_sender_is_replaced_and_the_platform_drops_the_repeat(
    platform, fake_platforms, staff
):
    direct(staff.gm, platform)
    ping(staff.gm)
    message = ChannelMessage.objects.get()
    now = timezone.now()
    claimed = delivery.claim(message.pk, now)
    delivery.send_payload(claimed)  # the platform took it... and the worker was killed
    assert send_due_channel_messages(now=now + timedelta(seconds=10)) == 0  # still claimed
    later = now + delivery.claim_length() + timedelta(seconds=1)  # the claim ran out
    assert send_due_channel_messages(now=later) == 1
    message.refresh_from_db()
    assert (message.status, message.claims) == (MessageStatus.SENT, 2)
    assert fake_platforms.requests >= 2
    assert len(fake_platforms.messages(platform)) == 1  # the platform's de-duplication


def test_wecom_and_feishu_app_messages_ask_for_the_platforms_de_duplication(
    fake_platforms, staff, monkeypatch
):
    direct(staff.gm, "wecom", "a")
    ChannelAccount.objects.create(user=staff.gm, platform="feishu", external_id="b")
    ChannelRoute.objects.create(kind="tasks", platform="feishu", target=RouteTarget.RECIPIENT)
    ping(staff.gm)
    for message in ChannelMessage.objects.all():
        delivery.deliver(message.pk)
    wecom = fake_platforms.messages("wecom")[0]["body"]
    feishu = fake_platforms.messages("feishu")[0]["body"]
    assert wecom["enable_duplicate_check"] == 1 and wecom["duplicate_check_interval"] == 1800
    assert feishu["uuid"].startswith("jiedai-") and len(feishu["uuid"]) <= 50


def test_two_notifications_with_the_same_text_are_not_taken_for_a_repeat_by_wecom(
    fake_platforms, staff, django_capture_on_commit_callbacks
):
    direct(staff.gm, "wecom")
    for _n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            ping(staff.gm)
    assert len(fake_platforms.messages("wecom")) == 2


# ---- secrets at rest ------------------------------------------------------------------------


def test_a_robots_webhook_and_secret_are_encrypted_in_the_database(fake_platforms, staff):
    robot = group(fake_platforms, "dingtalk", key="robot-key-abcdef")
    stored_url = raw_column("reception_grouprobot", "webhook_url", robot.pk)
    stored_secret = raw_column("reception_grouprobot", "secret", robot.pk)
    assert stored_url.startswith(PREFIX) and "robot-key-abcdef" not in stored_url
    assert stored_secret.startswith(PREFIX) and "SEC-signing-secret" not in stored_secret
    assert GroupRobot.objects.get().webhook_url.endswith("access_token=robot-key-abcdef")


def test_the_key_is_rotated_by_putting_the_new_one_first_and_re_encrypting(
    fake_platforms, staff, settings, django_capture_on_commit_callbacks
):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CHANNEL_SECRET_KEYS = [old]
    robot = group(fake_platforms, "feishu")
    before = raw_column("reception_grouprobot", "secret", robot.pk)
    settings.CHANNEL_SECRET_KEYS = [new, old]
    call_command("rotate_channel_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = raw_column("reception_grouprobot", "secret", robot.pk)
    assert after != before
    settings.CHANNEL_SECRET_KEYS = [new]  # the old key removed: everything still reads
    assert GroupRobot.objects.get().secret == "SEC-signing-secret"
    with django_capture_on_commit_callbacks(execute=True):
        ping(staff.receptionist)
    assert len(fake_platforms.messages("feishu")) == 1


def test_a_value_stored_before_encryption_still_reads_and_is_encrypted_when_saved(
    fake_platforms,
):
    robot = group(fake_platforms, "wecom")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reception_grouprobot SET webhook_url = %s WHERE id = %s",
            ["https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=plain-old", robot.pk],
        )
    robot = GroupRobot.objects.get()
    assert robot.webhook_url.endswith("key=plain-old")
    robot.save()
    assert raw_column("reception_grouprobot", "webhook_url", robot.pk).startswith(PREFIX)


# ---- the request log and emails -------------------------------------------------------------


def test_a_calendar_feed_token_is_never_written_in_full_to_the_request_log(client, caplog):
    from visits.models import CalendarFeed

    feed = CalendarFeed.objects.create(user=user_with("sales"))
    with caplog.at_level(logging.INFO, logger="jiedai.requests"):
        client.get(reverse("visits:calendar_ics", kwargs={"token": feed.token}))
        client.get(reverse("visits:welcome", kwargs={"token": "guessed-welcome-token-xyz"}))
    lines = [r.getMessage() for r in caplog.records if r.name == "jiedai.requests"]
    assert len(lines) == 2
    assert feed.token not in caplog.text and "guessed-welcome-token-xyz" not in caplog.text
    assert f"/calendar/{feed.token[:4]}…" in lines[0]


def test_a_notification_email_keeps_its_message_id_on_every_attempt(
    staff, django_capture_on_commit_callbacks
):
    from reception.models import Notification
    from reception.notifications.tasks import send_notification_email

    with django_capture_on_commit_callbacks(execute=True):
        [note] = ping(staff.gm)
    first = mail.outbox[-1].extra_headers["Message-ID"]
    Notification.objects.filter(pk=note.pk).update(email_sent_at=None)  # a rare repeat
    send_notification_email(note)
    assert mail.outbox[-1].extra_headers["Message-ID"] == first
    assert first == f"<jiedai.notification.{note.pk}@testserver>" or first.startswith(
        f"<jiedai.notification.{note.pk}@"
    )
