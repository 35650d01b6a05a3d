"""PostgreSQL stops what a web request no longer waits for (config/db_sessions.py): a web
process's statements are cancelled past DB_STATEMENT_TIMEOUT_MS and the request answers with
the error page; a management command's session has no limit. PostgreSQL only."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path

from config.db_sessions import limit_web_sessions, unlimit_web_sessions

# the killed worker is another process, on the real clock: so is this test
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.real_clock,
]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("statement timeouts are PostgreSQL's (DATABASE_URL); CI runs them there")


@login_not_required
def slow_page(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(1)")
    return HttpResponse("finished")


urlpatterns = [path("slow/", slow_page), path("", include("config.urls"))]


@pytest.fixture
def web_limits(settings):
    settings.DB_STATEMENT_TIMEOUT_MS = 50
    connection.close()  # the next connection opens with the web limits
    limit_web_sessions()
    yield
    unlimit_web_sessions()
    connection.close()


@pytest.mark.urls(__name__)
def test_a_web_requests_statement_is_cancelled_past_the_timeout_with_the_error_page(web_limits):
    response = Client(raise_request_exception=False).get("/slow/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"finished" not in response.content


def test_a_web_session_has_the_limits(web_limits):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "50ms"
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone()[0] != "0"


SHOW_TIMEOUT = (
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('SHOW statement_timeout'); a = c.fetchone()[0]\n"
    "    c.execute('SHOW idle_in_transaction_session_timeout'); b = c.fetchone()[0]\n"
    "print(a, b)\n"
)


def _run(args: list[str]) -> str:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "test-only-secret-key-not-for-production-0123456789abcdef",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
    }
    env.pop("DB_STATEMENT_TIMEOUT_MS", None)
    out = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return " ".join(out.stdout.split()[-2:])  # the last line: the two settings


def test_a_management_commands_session_has_no_timeout():
    assert _run(["manage.py", "shell", "-c", SHOW_TIMEOUT]) == "0 0"


def test_the_wsgi_application_gives_its_sessions_the_limits_below_gunicorns_timeout():
    assert _run(["-c", "import config.wsgi\n" + SHOW_TIMEOUT]) == "20s 20s"
