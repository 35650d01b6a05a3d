"""Production settings: refuse to start without a secret key, and pass Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.settings_probe import settings_under

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3Q9-prod-like-secret-key-for-the-deploy-check-4f8a1c9e7b2d6a0f5e3c",
    "ALLOWED_HOSTS": "jiedai.example.com",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def manage(*args, env):
    unset = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_at_warning_level():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_with_debug_off_the_app_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        settings_under(env)
    assert settings_under(PRODUCTION_ENV)["SECRET_KEY"] == PRODUCTION_ENV["SECRET_KEY"]


def test_demo_data_is_refused_with_debug_off():
    result = manage("demo", env=PRODUCTION_ENV | {"DATABASE_URL": "sqlite:///:memory:"})
    assert result.returncode != 0
    assert "Refusing to load demo data" in result.stderr
    assert "--i-know-this-creates-demo-logins" in result.stderr


def test_ci_runs_on_the_database_it_was_given():
    """In CI a PostgreSQL DATABASE_URL must really be used (an unreachable one fails the run)."""
    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"
    assert connection.vendor == expected
