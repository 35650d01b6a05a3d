"""Emitting events and delivering them: the webhook side of the outbox.

`emit()` runs inside the emitting transaction and writes one WebhookDelivery per active
subscription to the kind (the outbox: an event rolled back is never sent). After commit a task
sends them; the channel outbox's sweep (reception/notifications/tasks.py) sends what is due
again. Each call is signed per Standard Webhooks (webhook-id, webhook-timestamp,
webhook-signature over "id.timestamp.body"); the id is the event's, stable across retries and
subscriptions, so a receiver drops a repeat. A failure is retried with the channel outbox's
backoff (1, 2, 4 … minutes, at most an hour) until WEBHOOK_DEADLINE after the event, then the
row fails. A subscription failing for WEBHOOK_PAUSE_AFTER is paused and its owner told.
"""

import json
import logging
import urllib.error
import urllib.request
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from standardwebhooks.webhooks import Webhook

from ..notifications.channels.delivery import backoff
from ..notifications.channels.models import MessageStatus
from ..notifications.messages import Msg
from ..notifications.notify import enqueue_webhooks, notify
from .models import WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
RESPONSE_BYTES = 1000  # what is kept of a receiver's answer


def emit(kind: str, data: dict, *, event_id: str, at: datetime | None = None) -> list[int]:
    """Queue event `kind` for its subscribers; call inside the emitting transaction."""
    at = at or timezone.now()
    subscriptions = [
        s for s in WebhookSubscription.objects.filter(active=True) if kind in (s.kinds or [])
    ]
    if not subscriptions:
        return []
    body = json.loads(
        json.dumps({"type": kind, "timestamp": at.isoformat(), "data": data}, cls=DjangoJSONEncoder)
    )
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription=s,
                event_id=event_id,
                kind=kind,
                payload=body,
                created_at=at,
                next_attempt_at=at,
            )
            for s in subscriptions
        ],
        ignore_conflicts=True,  # the same event emitted twice: sent once
    )
    ids = [row.pk for row in rows if row.pk]
    if ids:
        transaction.on_commit(lambda: enqueue_webhooks(ids))
    return ids


def signed_headers(delivery: WebhookDelivery, body: bytes, now: datetime) -> dict[str, str]:
    signature = Webhook(delivery.subscription.secret).sign(delivery.event_id, now, body)
    return {
        "Content-Type": "application/json",
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST within WEBHOOK_TIMEOUT; the status code (0: no answer) and the answer's start."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            return response.status, response.read(RESPONSE_BYTES).decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(RESPONSE_BYTES).decode(errors="replace")
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return 0, f"{type(error).__name__}: {getattr(error, 'reason', '')}"[:RESPONSE_BYTES]


def deliver(pk: int, *, now: datetime | None = None) -> bool:
    """Claim and send one delivery if it is due; True if the receiver accepted it."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription")
            .filter(pk=pk, status=MessageStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return False
        subscription = delivery.subscription
        if not subscription.active:
            return False  # paused: waits until the subscription is active again
        body = json.dumps(delivery.payload, ensure_ascii=False).encode()
        code, answer = post(subscription.url, body, signed_headers(delivery, body, now))
        delivery.response_code = code or None
        ok = 200 <= code < 300
        if ok:
            delivery.status, delivery.sent_at, delivery.error = MessageStatus.SENT, now, ""
        else:
            delivery.attempts += 1
            delivery.error = answer
            retry_at = now + backoff(delivery.attempts)
            if retry_at > delivery.created_at + settings.WEBHOOK_DEADLINE:
                delivery.status = MessageStatus.FAILED
            else:
                delivery.next_attempt_at = retry_at
            log.warning("Webhook %s to %s failed: %s", delivery.pk, subscription.pk, code)
        delivery.save()
        _follow_health(subscription, ok=ok, now=now)
        return ok


def _follow_health(subscription: WebhookSubscription, *, ok: bool, now: datetime) -> None:
    """Remember since when the subscription fails; pause it after a day and tell its owner."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if ok:
        if subscription.failing_since is not None:
            subscription.failing_since = None
            subscription.save(update_fields=["failing_since"])
        return
    if subscription.failing_since is None:
        subscription.failing_since = now
        subscription.save(update_fields=["failing_since"])
        return
    if subscription.active and now - subscription.failing_since >= settings.WEBHOOK_PAUSE_AFTER:
        subscription.active, subscription.paused_at = False, now
        subscription.save(update_fields=["active", "paused_at"])
        notify(
            [subscription.owner],
            kind="webhook_paused",
            title=Msg(_("Webhook “%(name)s” paused"), name=subscription.name),
            body=Msg(
                _(
                    "Its address has refused or not answered every call for a day. Fix the "
                    "receiver, then make the subscription active again in the admin: what "
                    "waits is sent then."
                )
            ),
        )


def deliver_all(ids, *, now: datetime | None = None) -> int:
    return sum(deliver(pk, now=now) for pk in ids)


def due_ids(*, now: datetime, limit: int = 500) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=MessageStatus.PENDING, next_attempt_at__lte=now, subscription__active=True
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
