"""Tokens and webhooks in the admin: a token is shown once and revoked by an action; a
subscription chooses from the registered events; the delivery log lists deliveries."""

import re

import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from reception.api_tokens import services
from reception.api_tokens.models import ApiToken
from reception.webhooks import delivery
from reception.webhooks.models import WebhookSubscription
from tests.factories import user_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    boss = user_with(Role.ADMINISTRATOR, username="boss", is_superuser=True, is_staff=True)
    client.force_login(boss)
    return client, boss


def test_a_token_made_in_the_admin_is_shown_once_and_works(admin_client, sales, api):
    client, _ = admin_client
    response = client.post(
        reverse("admin:reception_apitoken_add"),
        {"name": "CRM", "user": sales.pk, "scopes": ["read_visits"], "per_minute": 60},
        follow=True,
    )
    raw = re.search(r"jd_[0-9a-f]{8}_[-\w]+", response.content.decode()).group(0)
    token = ApiToken.objects.get()
    assert token.digest == services.digest_of(raw) and token.scopes == ["read_visits"]
    assert api(raw).get("/visits").status_code == 200
    assert (
        raw
        not in client.get(
            reverse("admin:reception_apitoken_change", args=[token.pk])
        ).content.decode()
    )


def test_the_revoke_action_stops_a_token(admin_client, sales, api, token_for):
    client, _ = admin_client
    raw = token_for(sales)
    client.post(
        reverse("admin:reception_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [ApiToken.objects.get().pk]},
    )
    assert api(raw).get("/visits").status_code == 401


def test_a_subscription_offers_the_registered_events(admin_client):
    client, boss = admin_client
    page = client.get(reverse("admin:reception_webhooksubscription_add")).content.decode()
    assert "visitor.checked_in" in page and "task.done" in page
    response = client.post(
        reverse("admin:reception_webhooksubscription_add"),
        {
            "name": "ERP",
            "owner": boss.pk,
            "url": "https://erp.example.com/hooks",
            "kinds": ["visit.approved"],
            "active": "on",
            "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        },
    )
    assert response.status_code == 302
    assert WebhookSubscription.objects.get().kinds == ["visit.approved"]


def test_the_delivery_log_lists_deliveries(admin_client):
    client, boss = admin_client
    WebhookSubscription.objects.create(
        owner=boss, name="ERP", url="https://erp.example.com/h", kinds=["walk_in.recorded"]
    )
    delivery.emit("walk_in.recorded", {"id": 1}, event_id="walk-in-1")
    page = client.get(reverse("admin:reception_webhookdelivery_changelist")).content.decode()
    assert "walk-in-1" in page
