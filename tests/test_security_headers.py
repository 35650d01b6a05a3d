"""Every page carries a Content-Security-Policy with no inline script or style, next to the
security headers Django sets; HSTS preload is the operator's choice."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.settings_probe import settings_under
from tests.test_production_settings import PRODUCTION_ENV, manage

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.fixture
def page(client, sales):
    client.force_login(sales)
    return client.get(reverse("home"))


def test_pages_forbid_inline_scripts_eval_and_other_origins(page):
    policy = directives(page)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_the_login_page_carries_the_policy_too(client):
    assert directives(client.get(reverse("login")))["script-src"] == ["'self'"]


def test_the_existing_security_headers_are_still_sent(page):
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"


def test_htmx_is_told_not_to_inject_its_indicator_style(page):
    html = page.content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>""" in html


def test_no_template_has_inline_script_style_or_event_handlers():
    """What the policy would block: <script> without src, <style>, style="…", onclick=…
    (the PDF templates are rendered by WeasyPrint, never served as HTML)."""
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=\s*[\"']", re.IGNORECASE
    )
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        if "documents" not in path.parts
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def production_setting(name: str, **env) -> str:
    return str(settings_under({"PATH": "/usr/bin:/bin", **PRODUCTION_ENV, **env})[name])


def test_hsts_preload_is_off_unless_the_operator_turns_it_on():
    assert production_setting("SECURE_HSTS_PRELOAD") == "False"
    assert production_setting("SECURE_HSTS_PRELOAD", SECURE_HSTS_PRELOAD="1") == "True"


def test_the_deploy_check_stays_clean_with_preload_on():
    env = PRODUCTION_ENV | {"SECURE_HSTS_PRELOAD": "1"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hsts_is_sent_over_https_in_production(client, sales, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    client.force_login(sales)
    response = client.get(reverse("home"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
