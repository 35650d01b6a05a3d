"""In-app notifications (the bell) and their emails, in each recipient's language.

A notification keeps its title and body as messages (reception/notifications/messages.py), shown in
the reader's language of the moment; its text columns hold them in the recipient's language at write
time, for emails, search, the admin and rows written before messages were kept."""

import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from ..models import Notification, User
from ..validators import one_line
from .channels.delivery import queue as queue_channel_messages
from .messages import Lines, Msg
from .tasks import send_channel_messages, send_notification_emails, send_webhooks

log = logging.getLogger(__name__)


def notify(
    recipients: Iterable[User | None],  # None (an unset host…) is skipped
    *,
    kind: str,
    title: Msg,
    body: Msg | Lines | None = None,
    url: str = "",
    exclude: User | None = None,
) -> list[Notification]:
    """Create one notification per distinct active recipient; email them after commit."""
    seen, created = set(), []
    title_message = title.to_json()
    body_message = body.to_json() if body else None
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        seen.add(user.pk)
        created.append(
            Notification.objects.create(
                recipient=user,
                kind=kind,
                title=one_line(title.render(user.preferred_language))[:200],
                body=body.render(user.preferred_language) if body else "",
                title_message=title_message,
                body_message=body_message,
                url=url,
            )
        )
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: enqueue_emails(ids))
        channel_ids = queue_channel_messages(created, kind=kind, title=title, body=body, url=url)
        if channel_ids:
            transaction.on_commit(lambda: enqueue_channel_messages(channel_ids))
    return created


class BrokerPause:
    """After a failed publish, this process leaves the broker alone for a while.

    The broker's own time limits (config/settings.py) bound one publish to about a second; the
    pause keeps a request that notifies several groups from waiting that long for each, and
    later requests from waiting at all until the broker has had time to come back. What is
    not published meanwhile stays unsent, and the sweep sends it.
    """

    def __init__(self):
        self.until = 0.0

    def active(self) -> bool:
        return time.monotonic() < self.until

    def start(self) -> None:
        self.until = time.monotonic() + settings.BROKER_PAUSE_AFTER_FAILURE

    def reset(self) -> None:
        self.until = 0.0


broker_pause = BrokerPause()


def enqueue_emails(ids: list[int]) -> None:
    """Hand the emails to Celery. If the broker is down, log it: the sweep sends them later."""
    eager = send_notification_emails.app.conf.task_always_eager
    if not eager and broker_pause.active():
        log.warning(
            "Broker paused after a failure; the sweep will send notification emails %s", ids
        )
        return
    try:
        send_notification_emails.delay(ids)
    except Exception:  # the broker is unreachable or hangs; nothing is lost, the rows stay unsent
        if not eager:
            broker_pause.start()
        log.exception("Could not enqueue notification emails %s; the sweep will retry", ids)


def enqueue_channel_messages(ids: list[int]) -> None:
    """Hand the channel messages to Celery; if the broker is down the sweep sends them."""
    eager = send_channel_messages.app.conf.task_always_eager
    if not eager and broker_pause.active():
        log.warning("Broker paused after a failure; the sweep will send channel messages %s", ids)
        return
    try:
        send_channel_messages.delay(ids)
    except Exception:  # the rows stay pending; the sweep sends them
        if not eager:
            broker_pause.start()
        log.exception("Could not enqueue channel messages %s; the sweep will retry", ids)


def enqueue_webhooks(ids: list[int]) -> None:
    """Hand the webhook deliveries to Celery; if the broker is down the sweep sends them."""
    eager = send_webhooks.app.conf.task_always_eager
    if not eager and broker_pause.active():
        log.warning("Broker paused after a failure; the sweep will send webhooks %s", ids)
        return
    try:
        send_webhooks.delay(ids)
    except Exception:  # the rows stay pending; the sweep sends them
        if not eager:
            broker_pause.start()
        log.exception("Could not enqueue webhooks %s; the sweep will retry", ids)
