"""docs/access-control.md's example, run: scripts/turnstile_example.py's main() against the
API through the test client (so the page and the script cannot drift from the API)."""

import importlib.util
import io
from pathlib import Path

import pytest

from visits.models import EventKind, VisitEvent

from .test_passes import code, desk, visit  # noqa: F401  # the fixtures

pytestmark = pytest.mark.django_db
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "turnstile_example.py"


def load():
    spec = importlib.util.spec_from_file_location("turnstile_example", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def transport(client):
    def send(url, body, headers):
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        sent = {k: v for k, v in headers.items() if k != "Content-Type"}
        answer = client.post(path, body, content_type="application/json", headers=sent)
        return answer.status_code, answer.content

    return send


def run(transport, *argv):
    out = io.StringIO()
    status = load().main(list(argv), transport=transport, out=out)
    return status, out.getvalue()


def test_the_turnstile_checks_opens_and_reports(visit, desk, code, token_for, transport):  # noqa: F811
    token = token_for(desk, "passes")
    args = ["--token", token, "--site", visit.site.code, "--gate", "South gate 2"]
    status, printed = run(transport, *args, f"JDPASS:{code}")
    assert status == 0, printed
    assert "check: valid" in printed and "gate open" in printed
    assert "passage: checked_in" in printed and visit.reference in printed
    assert VisitEvent.objects.filter(visit=visit, kind=EventKind.CHECK_IN).count() == 1
    # the same pass again: still opens (already in), checked in once
    status, printed = run(transport, *args, code)
    assert status == 0 and "check: already_in" in printed
    assert VisitEvent.objects.filter(visit=visit, kind=EventKind.CHECK_IN).count() == 1


def test_the_turnstile_stays_shut_for_a_bad_code_or_token(visit, desk, token_for, transport):  # noqa: F811
    token = token_for(desk, "passes")
    status, printed = run(transport, "--token", token, "--site", visit.site.code, "ZZZZ2222")
    assert status == 1 and "check: unknown" in printed and "gate open" not in printed
    status, printed = run(transport, "--token", "jd_forged", "--site", visit.site.code, "X")
    assert status == 2 and "401" in printed
