"""Structured logs: every request has an id (the proxy's X-Request-ID or a new one), echoed in
the response and on every log record written while it runs; LOG_FORMAT=json writes JSON lines;
Sentry starts only with SENTRY_DSN."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.signals import before_task_publish, task_postrun, task_prerun

from config.observability import JsonFormatter, RequestIdFilter, request_id
from visits.tasks import sweep_reminders

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def json_log():
    """The root logger's records as JSON lines, through the filter and formatter of settings."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def request_lines(lines):
    return [line for line in lines if line["logger"] == "jiedai.requests"]


@pytest.mark.django_db
def test_the_proxys_request_id_is_echoed_and_on_the_requests_log_line(client, json_log):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="lb-7f3a-42")
    assert response["X-Request-ID"] == "lb-7f3a-42"
    [line] = request_lines(json_log())
    assert line["request_id"] == "lb-7f3a-42"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/accounts/login/", 200)


@pytest.mark.django_db
def test_a_record_logged_by_code_during_the_request_carries_its_id(client, json_log):
    client.get("/accounts/login/?next=/nowhere/", HTTP_X_REQUEST_ID="lb-1", HTTP_HOST="evil.test")
    [refusal] = [line for line in json_log() if line["logger"] == "django.security.DisallowedHost"]
    assert refusal["request_id"] == "lb-1"


@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_new_one_each_time(client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.django_db
@pytest.mark.parametrize("forged", ["two words", "x" * 129, 'a"b', "line\nbreak"])
def test_an_unsafe_incoming_request_id_is_replaced(client, forged):
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID=forged)["X-Request-ID"] != forged


def test_a_record_outside_any_request_has_a_dash_for_its_id(json_log):
    logging.getLogger("jiedai.test").warning("sweep started")
    assert json_log()[-1]["request_id"] == "-"


def test_the_json_formatter_writes_one_parsable_object_per_record(json_log):
    log = logging.getLogger("jiedai.test")
    log.warning("提醒 %s 已发送", 7, extra={"reminder": 7})
    try:
        raise ValueError("broken")
    except ValueError:
        log.exception("sending failed")
    sent, failed = json_log()[-2:]
    assert sent["message"] == "提醒 7 已发送" and sent["reminder"] == 7
    assert (sent["level"], sent["logger"]) == ("WARNING", "jiedai.test")
    assert sent["time"].endswith("+00:00")
    assert failed["level"] == "ERROR" and "ValueError: broken" in failed["exc_info"]


def test_a_task_sent_during_a_request_takes_the_request_id_along():
    headers = {}
    token = request_id.set("lb-5")
    try:
        before_task_publish.send(sender="visits.sweep_reminders", headers=headers, body=())
    finally:
        request_id.reset(token)
    assert headers == {"x_request_id": "lb-5"}


def test_the_worker_logs_a_task_under_the_request_id_it_was_sent_with(json_log):
    task = sweep_reminders
    log = logging.getLogger("jiedai.test")
    task.push_request(id="t-1", x_request_id="lb-9")
    try:
        task_prerun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={})
        log.warning("in the task")
        task_postrun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={}, retval=None)
        log.warning("after the task")
    finally:
        task.pop_request()
    assert [line["request_id"] for line in json_log()[-2:]] == ["lb-9", "-"]


def manage_shell(code, **env):
    unset = {"DJANGO_ALLOW_ASYNC_UNSAFE", "LOG_FORMAT", "SENTRY_DSN"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT,
        env=base | {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_log_format_json_makes_the_console_write_json_lines():
    result = manage_shell(
        "import logging; logging.getLogger('jiedai.x').warning('接待')", LOG_FORMAT="json"
    )
    [line] = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert (line["message"], line["request_id"]) == ("接待", "-")


DSNS = ["", "https://public@sentry.example.invalid/1"]


@pytest.fixture(scope="module")
def sentry_after_settings():
    """Sentry's client after the settings are read without a DSN, then with one: one process
    for both cases (Sentry starts at import, so not in the test process), in that order."""
    code = (
        "import os, runpy, sentry_sdk\n"
        f"for dsn in {DSNS!r}:\n"
        "    os.environ['SENTRY_DSN'] = dsn\n"
        "    runpy.run_path('config/settings.py')\n"
        "    c = sentry_sdk.get_client()\n"
        "    print(c.is_active(), 'django' in c.integrations, 'celery' in c.integrations)\n"
    )
    unset = {"DJANGO_ALLOW_ASYNC_UNSAFE", "LOG_FORMAT", "SENTRY_DSN"}
    env = {k: v for k, v in os.environ.items() if k not in unset} | {"DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return dict(zip(DSNS, result.stdout.splitlines(), strict=True))


@pytest.mark.parametrize(("dsn", "active"), [(DSNS[0], False), (DSNS[1], True)])
def test_sentry_starts_only_with_a_dsn_with_the_django_and_celery_integrations(
    sentry_after_settings, dsn, active
):
    assert sentry_after_settings[dsn].split() == [str(active)] * 3
