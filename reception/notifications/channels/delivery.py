"""The channel outbox: queue rows when notifications are created, send each exactly once.

`queue()` runs inside the notifying transaction and writes one ChannelMessage per message and
channel (a direct message per recipient with an id on the platform; one message per group
robot per batch, in the robot's language). `deliver()` claims a row in a short
transaction (SELECT … FOR UPDATE SKIP LOCKED, then `claimed_until` set past the call's whole
deadline), calls the platform with no lock or transaction held, and writes the outcome; so
concurrent tasks and sweeps never send a row twice, and a sender that dies is replaced once its
claim runs out (the platforms' own de-duplication catches the repeat where they have one).
A failure is retried with backoff; a rate limit (ours: a robot's CHANNEL_ROBOT_PER_MINUTE, or the
platform's answer) only postpones the row; nothing is dropped. After CHANNEL_MAX_ATTEMPTS
failures the row is marked failed, with the platform's error code, for the admin to see.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ...models import StaffMembership
from . import tokens
from .base import ChannelAdapter
from .cards import make_card
from .dingtalk import DingTalk
from .feishu import Feishu
from .http import Answer, TransportError
from .models import (
    ChannelAccount,
    ChannelMessage,
    ChannelRoute,
    GroupRobot,
    MessageStatus,
    RouteTarget,
)
from .wecom import WeCom

log = logging.getLogger(__name__)

# One adapter per platform (base.py): the same methods, each platform's differences inside.
PLATFORMS: dict[str, ChannelAdapter] = {
    adapter.platform: adapter for adapter in (WeCom(), DingTalk(), Feishu())
}
RATE_WINDOW = timedelta(minutes=1)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failure, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _robots_for(route: ChannelRoute, recipient) -> list[GroupRobot]:
    robots = GroupRobot.objects.filter(platform=route.platform, active=True)
    if route.target == RouteTarget.ROBOT:
        return [route.robot] if route.robot and route.robot.active else []
    if route.target == RouteTarget.DEPARTMENT_ROBOTS:
        departments = StaffMembership.objects.filter(user=recipient).values("department")
        return list(robots.filter(department__in=departments))
    if route.target == RouteTarget.ROLE_ROBOTS:
        roles = recipient.groups.values_list("name", flat=True)
        return list(robots.filter(role__in=list(roles)).exclude(role=""))
    return []


def queue(
    notifications, *, kind: str, title, body, url: str, group=None, buttons=None
) -> list[int]:
    """Write the outbox rows for one batch of notifications; returns their ids.

    `title` and `body` are the notify() Msg objects, rendered again in a robot's language.
    `group` (cards.GroupPost) is what robots post instead, worded for a group, once per robot
    and event key however many notify() calls the event makes (the rows' unique constraint).
    """
    routes = list(ChannelRoute.objects.filter(kind=kind, active=True).select_related("robot"))
    if not routes or not notifications:
        return []
    rows, robot_rows, robots_done = [], [], set()
    if group is not None:
        title, body = group.title or title, group.body if group.title else body
        url = url if group.url is None else group.url
        # Robots that already posted this event (an earlier notify() of the same event).
        robots_done = set(
            ChannelMessage.objects.filter(event_key=group.key)
            .exclude(robot=None)
            .values_list("robot_id", flat=True)
        )
    for note in notifications:
        for route in routes:
            adapter = PLATFORMS[route.platform]
            if route.target == RouteTarget.RECIPIENT:
                if not adapter.app_configured():
                    continue
                account = ChannelAccount.objects.filter(
                    user_id=note.recipient_id, platform=route.platform
                ).first()
                if account is None:
                    continue
                card = make_card(
                    title=note.title,
                    text=note.body,
                    url=note.url,
                    language=note.recipient.preferred_language,
                    platform=route.platform,
                    buttons=buttons or (),
                )
                rows.append(
                    ChannelMessage(
                        notification=note,
                        platform=route.platform,
                        target=account.external_id,
                        payload=adapter.direct_payload(card, account.external_id),
                    )
                )
                continue
            for robot in _robots_for(route, note.recipient):
                if robot.pk in robots_done:
                    continue
                robots_done.add(robot.pk)
                language = robot.message_language
                card = make_card(
                    title=title.render(language),
                    text=body.render(language) if body else "",
                    url=url,
                    language=language,
                    platform=robot.platform,
                )
                robot_rows.append(
                    ChannelMessage(
                        notification=note,
                        platform=robot.platform,
                        robot=robot,
                        target=robot.name,
                        event_key=group.key if group is not None else "",
                        payload=adapter.robot_payload(card),
                    )
                )
    ids = [row.pk for row in ChannelMessage.objects.bulk_create(rows)]
    if group is None:
        return ids + [row.pk for row in ChannelMessage.objects.bulk_create(robot_rows)]
    # A concurrent notify() of the same event may have posted meanwhile: the constraint keeps
    # one row per robot and event, and only the rows written here are sent from here.
    ChannelMessage.objects.bulk_create(robot_rows, ignore_conflicts=True)
    return ids + list(
        ChannelMessage.objects.filter(
            event_key=group.key,
            robot_id__in=[row.robot_id for row in robot_rows],
            status=MessageStatus.PENDING,
            sent_at=None,
        ).values_list("pk", flat=True)
    )


def _over_robot_limit(robot_id: int, now: datetime) -> datetime | None:
    """When the robot may send again, if it has used its messages of the last minute."""
    recent = ChannelMessage.objects.filter(
        robot_id=robot_id, status=MessageStatus.SENT, sent_at__gt=now - RATE_WINDOW
    ).order_by("sent_at")
    limit = settings.CHANNEL_ROBOT_PER_MINUTE
    sent = [at for at in recent.values_list("sent_at", flat=True)[: limit + 1] if at]
    if len(sent) < limit:
        return None
    return sent[len(sent) - limit] + RATE_WINDOW


def send_payload(message: ChannelMessage) -> Answer:
    adapter = PLATFORMS[message.platform]
    robot = message.robot
    if robot is not None:
        return adapter.send_robot(robot.webhook_url, robot.secret, message.payload)
    payload = adapter.deduplicated(message.payload, f"jiedai-{message.pk}")
    answer = adapter.send_direct(payload)
    if answer.token_expired:  # the cached token died early: fetch a new one, once
        tokens.forget_token(message.platform)
        answer = adapter.send_direct(payload)
    return answer


def claim_length() -> timedelta:
    """How long a sender holds a message: longer than any call may last (its deadline, the
    token's fetch and a retry after a dead token), so a slow answer that does come is never
    taken for a dead sender."""
    return timedelta(seconds=3 * settings.CHANNEL_HTTP_TIMEOUT + settings.CHANNEL_CLAIM_MARGIN)


def claim(pk: int, now: datetime) -> ChannelMessage | None:
    """Take one due row for this sender, in a short transaction of its own (no lock is held
    while the platform is called). A row another sender holds is passed over until its claim
    runs out; a robot over its rate only has its next attempt moved."""
    with transaction.atomic():
        message = (
            ChannelMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("robot")
            .filter(pk=pk, status=MessageStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until=None) | Q(claimed_until__lte=now))
            .first()
        )
        if message is None:
            return None
        if message.robot_id:
            free_at = _over_robot_limit(message.robot_id, now)
            if free_at is not None:
                message.next_attempt_at = free_at
                message.save(update_fields=["next_attempt_at"])
                return None
        if message.claimed_until is not None:
            log.warning(
                "Channel message %s (%s): its sender stopped before writing the outcome; "
                "sending again",
                message.pk,
                message.platform,
            )
        message.claimed_until = now + claim_length()
        message.claims += 1
        message.save(update_fields=["claimed_until", "claims"])
    return message


def record(message: ChannelMessage, answer: Answer, now: datetime) -> None:
    """Write the platform's answer and release the claim."""
    if answer.ok:
        message.status = MessageStatus.SENT
        message.sent_at = now
        message.error_code = message.error = ""
    elif answer.rate_limited:
        message.next_attempt_at = now + RATE_WINDOW
        message.error_code, message.error = answer.code, answer.message[:1000]
    else:
        message.attempts += 1
        message.error_code, message.error = answer.code, answer.message[:1000]
        if message.attempts >= settings.CHANNEL_MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        log.warning(
            "Channel message %s (%s) failed: %s %s",
            message.pk,
            message.platform,
            answer.code,
            answer.message[:200],
        )
    message.claimed_until = None
    message.save(
        update_fields=[
            "status",
            "sent_at",
            "error_code",
            "error",
            "next_attempt_at",
            "attempts",
            "claimed_until",
        ]
    )


def deliver(pk: int, *, now: datetime | None = None) -> bool:
    """Claim and send one outbox row if it is due; True if this call sent it.

    The claim commits before the call and outlives the call's deadline; the call holds no row
    lock and no transaction; the outcome is written after it. A sender killed in between
    leaves a claim that runs out after claim_length(), and the next sweep sends the row again,
    with the platform's own de-duplication where it has one (WeCom app messages, Feishu)."""
    now = now or timezone.now()
    message = claim(pk, now)
    if message is None:
        return False
    try:
        answer = send_payload(message)
    except (TransportError, KeyError, ValueError) as error:
        answer = Answer(ok=False, message=str(error)[:500])
    record(message, answer, now)
    return answer.ok


def deliver_all(ids, *, now: datetime | None = None) -> int:
    return sum(deliver(pk, now=now) for pk in ids)


def due_ids(*, now: datetime, limit: int = 500) -> list[int]:
    return list(
        ChannelMessage.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until=None) | Q(claimed_until__lte=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def retry(ids) -> int:
    """Admin action: put failed rows back in the queue, due now."""
    return ChannelMessage.objects.filter(pk__in=ids, status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
