"""Tokens: stored hashed, scoped, expiring, revocable, rate-limited; 401 without one."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from reception.accounts.roles import Role
from reception.api_tokens import services
from reception.api_tokens.models import ApiToken
from tests.factories import user_with

pytestmark = pytest.mark.django_db


def test_anonymous_calls_get_401_not_a_login_redirect(client):
    response = client.get("/api/v1/visits")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert client.post("/api/v1/walk-ins", {}, content_type="application/json").status_code == 401


def test_a_wrong_token_gets_401(api, token_for, sales):
    raw = token_for(sales)
    assert api(raw[:-2] + "xx").get("/visits").status_code == 401
    assert api("nonsense").get("/visits").status_code == 401


def test_the_token_is_stored_only_as_its_digest(token_for, sales):
    raw = token_for(sales)
    row = ApiToken.objects.get()
    assert raw not in (row.digest, row.prefix) and row.digest == services.digest_of(raw)


def test_a_token_acts_as_its_user_and_records_its_use(api, token_for, sales):
    raw = token_for(sales)
    assert api(raw).get("/visits").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_an_expired_or_revoked_token_is_refused(api, token_for, sales):
    expired = token_for(sales, expires_at=timezone.now() - timedelta(minutes=1))
    assert api(expired).get("/visits").status_code == 401
    raw = token_for(sales)
    services.revoke_token(token=ApiToken.objects.get(prefix=raw.split("_")[1]))
    assert api(raw).get("/visits").status_code == 401


def test_an_inactive_users_token_is_refused(api, token_for, sales):
    raw = token_for(sales)
    sales.is_active = False
    sales.save()
    assert api(raw).get("/visits").status_code == 401


def test_a_token_without_the_scope_gets_403(api, token_for, sales):
    raw = token_for(sales, "tasks")
    response = api(raw).get("/visits")
    assert response.status_code == 403
    assert "read_visits" in response.json()["detail"]


def test_calls_past_the_tokens_rate_limit_get_429(api, token_for, sales):
    raw = token_for(sales, per_minute=2)
    caller = api(raw)
    assert [caller.get("/visits").status_code for _ in range(3)] == [200, 200, 429]


def test_the_command_prints_the_token_once_on_the_last_line(api, db):
    user_with(Role.FRONT_DESK, username="gate")
    out = StringIO()
    call_command("api_token", "gate", "--name", "Turnstile", "--scope", "desk", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert raw.startswith("jd_")
    assert ApiToken.objects.get().scopes == ["desk"]
    assert api(raw).get("/tasks").status_code == 403  # desk only


def test_the_command_refuses_an_unknown_scope(db):
    user_with(Role.FRONT_DESK, username="gate")
    with pytest.raises(Exception, match="Unknown scope"):
        call_command("api_token", "gate", "--name", "x", "--scope", "everything", stdout=StringIO())
