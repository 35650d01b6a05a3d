"""Outgoing webhooks against a local receiver that checks the Standard Webhooks signature."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from reception.accounts.roles import Role
from reception.models import Notification
from reception.notifications.channels.models import MessageStatus
from reception.webhooks import delivery
from reception.webhooks.models import WebhookDelivery, WebhookSubscription, new_secret
from tests.factories import approve_fully, file_visit, user_with
from visits.services import desk
from visits.services.webhooks import VISITOR_CHECKED_IN, WALK_IN_RECORDED

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 that accepts only calls signed with its secret."""

    def __init__(self, secret: str):
        self.secret, self.received, self.refused = secret, [], 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    Webhook(receiver.secret).verify(body, dict(self.headers.items()))
                except WebhookVerificationError:
                    receiver.refused += 1
                    self.send_response(401)
                else:
                    receiver.received.append((self.headers["webhook-id"], json.loads(body)))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver(new_secret())
    yield r
    r.close()


@pytest.fixture
def owner(db):
    return user_with(Role.ADMINISTRATOR, username="integrations")


def subscribe(owner, url, secret, *kinds):
    return WebhookSubscription.objects.create(
        owner=owner, name="ERP", url=url, secret=secret, kinds=list(kinds)
    )


def send_due(now=None):
    now = now or timezone.now()
    return delivery.deliver_all(delivery.due_ids(now=now), now=now)


@pytest.fixture
def visit_today(four_tier, sales, staff):
    arrival = timezone.localtime().replace(hour=16, minute=0, second=0, microsecond=0)
    return approve_fully(
        file_visit(
            sales,
            four_tier["routine"],
            late_reason="急",
            arrival_at=arrival,
            departure_at=arrival + timedelta(hours=2),
        )
    )


def test_a_check_in_reaches_the_receiver_signed(receiver, owner, visit_today):
    subscribe(owner, receiver.url, receiver.secret, VISITOR_CHECKED_IN)
    desk.check_in(visit=visit_today, by=user_with(Role.FRONT_DESK, username="fd"))
    assert send_due() == 1
    ((event_id, body),) = receiver.received
    assert body["type"] == VISITOR_CHECKED_IN
    assert body["data"]["visit"]["id"] == visit_today.pk
    assert WebhookDelivery.objects.get().event_id == event_id
    assert WebhookDelivery.objects.get().status == MessageStatus.SENT


def test_a_forged_signature_is_refused_and_the_event_retried_with_its_id(
    receiver, owner, visit_today
):
    subscription = subscribe(owner, receiver.url, new_secret(), VISITOR_CHECKED_IN)  # not his
    desk.check_in(visit=visit_today, by=user_with(Role.FRONT_DESK, username="fd"))
    assert send_due() == 0
    assert receiver.refused == 1 and not receiver.received
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.response_code) == (MessageStatus.PENDING, 1, 401)
    assert row.next_attempt_at > timezone.now()  # backoff
    subscription.secret = receiver.secret
    subscription.save()
    assert send_due(now=row.next_attempt_at) == 1
    assert receiver.received[0][0] == row.event_id


def test_only_subscribed_kinds_are_queued_and_a_rollback_sends_nothing(receiver, owner, marketing):
    subscribe(owner, receiver.url, receiver.secret, VISITOR_CHECKED_IN)
    delivery.emit(WALK_IN_RECORDED, {}, event_id="walk-in-1")
    assert not WebhookDelivery.objects.exists()
    subscribe(owner, receiver.url, receiver.secret, WALK_IN_RECORDED)
    with transaction.atomic():
        delivery.emit(WALK_IN_RECORDED, {}, event_id="walk-in-2")
        transaction.set_rollback(True)
    assert not WebhookDelivery.objects.exists()


def test_the_same_event_is_queued_once(receiver, owner):
    subscribe(owner, receiver.url, receiver.secret, WALK_IN_RECORDED)
    delivery.emit(WALK_IN_RECORDED, {}, event_id="walk-in-1")
    delivery.emit(WALK_IN_RECORDED, {}, event_id="walk-in-1")
    assert WebhookDelivery.objects.count() == 1


def test_a_delivery_gives_up_after_the_deadline(owner):
    subscribe(owner, "http://127.0.0.1:9/nobody", new_secret(), WALK_IN_RECORDED)
    delivery.emit(WALK_IN_RECORDED, {}, event_id="walk-in-1")
    row = WebhookDelivery.objects.get()
    send_due(now=row.created_at + timedelta(hours=23, minutes=59, seconds=30))
    row.refresh_from_db()
    assert row.status == MessageStatus.FAILED and row.response_code is None


def test_a_subscription_failing_for_a_day_is_paused_and_its_owner_told(owner):
    subscription = subscribe(owner, "http://127.0.0.1:9/nobody", new_secret(), WALK_IN_RECORDED)
    start = timezone.now()
    delivery.emit(WALK_IN_RECORDED, {}, event_id="walk-in-1", at=start)
    send_due(now=start)
    subscription.refresh_from_db()
    assert subscription.failing_since == start and subscription.active
    delivery.emit(WALK_IN_RECORDED, {}, event_id="walk-in-2", at=start + timedelta(hours=24))
    send_due(now=start + timedelta(hours=24))
    subscription.refresh_from_db()
    assert not subscription.active and subscription.paused_at is not None
    note = Notification.objects.get(recipient=owner, kind="webhook_paused")
    assert "ERP" in note.title
    delivery.emit(WALK_IN_RECORDED, {}, event_id="walk-in-3")
    assert not WebhookDelivery.objects.filter(event_id="walk-in-3").exists()


def test_a_walk_in_recorded_through_the_api_is_emitted(receiver, owner, marketing, api, token_for):
    subscribe(owner, receiver.url, receiver.secret, WALK_IN_RECORDED)
    gate = api(token_for(user_with(Role.SECURITY, username="gate")))
    data = {"company": "星河电子", "names": "王强", "phone": "13900001111"}
    response = gate.post("/walk-ins", {**data, "wants_to_see": marketing.pk, "purpose": "参观"})
    assert response.status_code == 201
    send_due()
    assert receiver.received[0][1]["data"]["company"] == "星河电子"
