"""/health/ for load balancers: 200 when every check passes, 500 when one fails, a body that
names the checks and nothing else, and the beat heartbeat the reminder sweep records."""

import io
from contextlib import contextmanager
from datetime import timedelta

import pytest
from celery.beat import Service as BeatService
from celery.signals import beat_init
from django.core.management import call_command
from django.db import OperationalError, connections
from django.test import override_settings
from django.utils import timezone

from config.celery import app as celery_app
from reception.models import Job
from reception.notifications.heartbeats import last_run, record
from visits.tasks import sweep_reminders

pytestmark = pytest.mark.django_db
# The checks run in threads with connections of their own: what a test records must be committed.
committed = pytest.mark.django_db(transaction=True)

UNREACHABLE_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
WITH_BROKER = override_settings(
    CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="memory://localhost/"
)


def health(client, **headers):
    response = client.get("/health/", **headers)
    return response.status_code, response.json()


def test_health_answers_without_login_when_database_and_cache_work(client):
    status, body = health(client)
    assert status == 200
    assert body == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


@override_settings(
    ALLOWED_HOSTS=["jiedai.example.com"], SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=None
)
def test_health_answers_a_probe_by_address_over_plain_http(client):
    """A load balancer probes each instance by its address: no 400 for the host, no redirect."""
    assert client.get("/visits/", HTTP_HOST="10.0.0.7").status_code == 400
    status, _body = health(client, HTTP_HOST="10.0.0.7")
    assert status == 200


def test_health_fails_with_500_when_the_database_does_not_answer(client, monkeypatch):
    @contextmanager
    def refused(self):
        raise OperationalError('connection to server at "db.internal" (10.9.9.9) failed')
        yield

    # the check runs in another thread, with its own connection object of the same class
    monkeypatch.setattr(type(connections["default"]), "temporary_connection", refused)
    response = client.get("/health/")
    assert response.status_code == 500
    assert response.json()["checks"]["database"] == "failing"
    assert b"db.internal" not in response.content and b"10.9.9.9" not in response.content


@WITH_BROKER
@committed
def test_with_a_broker_health_is_ok_when_the_sweep_ran_within_three_beat_intervals(client):
    record(Job.REMINDER_SWEEP, at=timezone.now() - timedelta(minutes=14))
    status, body = health(client)
    assert status == 200
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "ok", "beat": "ok"}


@WITH_BROKER
@committed
def test_health_fails_when_the_last_sweep_is_older_than_three_beat_intervals(client):
    record(Job.REMINDER_SWEEP, at=timezone.now() - timedelta(minutes=16))
    status, body = health(client)
    assert status == 500
    assert body["checks"]["beat"] == "failing"
    assert body["status"] == "failing"


@WITH_BROKER
def test_health_runs_only_the_checks_asked_for(client):
    """E.g. a load balancer that should not drop web instances when beat stops."""
    response = client.get("/health/?check=database&check=cache")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok"}


def test_health_refuses_a_check_it_does_not_know(client):
    response = client.get("/health/?check=database&check=dns")
    assert response.status_code == 400
    assert response.json() == {"unknown checks": ["dns"]}


@WITH_BROKER
def test_health_fails_while_no_sweep_has_ever_run(client):
    status, body = health(client)
    assert status == 500
    assert body["checks"]["beat"] == "failing"


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=UNREACHABLE_BROKER)
@committed
def test_health_fails_when_the_broker_does_not_answer_and_does_not_say_where_it_is(client):
    record(Job.REMINDER_SWEEP)
    response = client.get("/health/")
    assert response.status_code == 500
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "failing",
        "beat": "ok",
    }
    assert b"127.0.0.1" not in response.content and b"redis" not in response.content


def test_the_reminder_sweep_task_records_the_beat_heartbeat():
    assert last_run(Job.REMINDER_SWEEP) is None
    sweep_reminders()
    assert timezone.now() - last_run(Job.REMINDER_SWEEP) < timedelta(seconds=30)


def test_a_starting_beat_sends_a_sweep_at_once(monkeypatch):
    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, **options: sent.append(name))
    beat_init.send(sender=BeatService(app=celery_app))
    assert sent == ["visits.sweep_reminders"]


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=UNREACHABLE_BROKER)
def test_the_health_check_command_tells_the_operator_why_a_check_fails():
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("health_check", "health", "--no-http", stdout=out)
    assert exit_.value.code == 1
    assert "The broker does not answer." in out.getvalue()
    assert "No reminder sweep has run yet." in out.getvalue()
