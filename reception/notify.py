"""In-app notifications (the bell) and their emails, in each recipient's language."""

import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import translation

from .channels.delivery import queue as queue_channel_messages
from .models import Notification, User
from .tasks import send_channel_messages, send_notification_emails
from .validators import one_line

log = logging.getLogger(__name__)


class Msg:
    """A translatable text with parameters, rendered later in the reader's language.

    Msg(_("Visit %(ref)s approved"), ref=visit.reference), or a plural from
    ngettext_lazy(…, "count") with count=…. Parameters may be lazy strings
    (e.g. a status label), Msg themselves, or callables such as `lambda: grade.label` for
    bilingual data, all evaluated in the reader's language.
    """

    def __init__(self, text, **params):
        self.text = text
        self.params = params

    def render(self, language: str | None = None) -> str:
        with translation.override(language):
            params = {k: _value(v, language) for k, v in self.params.items()}
            # Lazy plurals (ngettext_lazy with a named number) choose their form on `%`.
            return str(self.text % params) if params else str(self.text)

    def __str__(self) -> str:
        return self.render(translation.get_language())


class Lines:
    """Several Msg, one per line."""

    def __init__(self, items):
        self.items = list(items)

    def render(self, language: str | None = None) -> str:
        return "\n".join(str(_value(item, language)) for item in self.items)


def _value(value, language):
    if isinstance(value, int | float):  # kept a number: plurals choose their form by it
        return value
    if isinstance(value, Msg | Lines):
        return value.render(language)
    if callable(value):
        return str(value())
    return str(value)


def notify(
    recipients: Iterable[User],
    *,
    kind: str,
    title: Msg,
    body: Msg | Lines | None = None,
    url: str = "",
    exclude: User | None = None,
) -> list[Notification]:
    """Create one notification per distinct active recipient; email them after commit."""
    seen, created = set(), []
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
