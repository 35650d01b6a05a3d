"""Serving in production: gunicorn takes its sizes from the environment (gunicorn.conf.py) and
serves the app with DEBUG off, /health/ for the load balancer and JSON logs with request ids."""

import gc
import json
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def test_gunicorn_takes_workers_threads_port_and_timeout_from_the_environment(monkeypatch):
    for name, value in {
        "WEB_CONCURRENCY": "3",
        "GUNICORN_THREADS": "8",
        "PORT": "9123",
        "GUNICORN_TIMEOUT": "45",
    }.items():
        monkeypatch.setenv(name, value)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (3, 8, "gthread")
    assert (conf["bind"], conf["timeout"]) == ("0.0.0.0:9123", 45)


def test_gunicorn_serves_with_one_thread_per_worker_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (conf["threads"], conf["worker_class"]) == (1, "sync")


def test_a_gunicorn_worker_freezes_what_the_loaded_app_holds_out_of_the_collectors_sight():
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    before = gc.get_threshold()
    try:
        conf["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] > before[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, **headers):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "k3Q9-prod-like-secret-key-for-the-gunicorn-test-4f8a1c9e7b2d6a0f5e3c",
        "ALLOWED_HOSTS": "jiedai.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "LOG_FORMAT": "json",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        # The PDF warm-up (seconds per worker) has its own test; these probes need no PDF.
        "WARM_UP_DOCUMENTS": "0",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "config.wsgi"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_answers_the_load_balancers_health_probe_with_debug_off(gunicorn):
    base, _log = gunicorn
    status, _headers, body = get(f"{base}/health/", Host="10.0.0.7")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_gunicorn_logs_each_request_as_json_with_the_proxys_request_id(gunicorn):
    base, log = gunicorn
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(
        f"{base}/visits/",
        headers={
            "Host": "jiedai.example.com",
            "X-Forwarded-Proto": "https",
            "X-Request-ID": "lb-smoke-1",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as redirect:  # to the login page
        opener.open(request, timeout=5)
    assert redirect.value.code == 302
    assert redirect.value.headers["X-Request-ID"] == "lb-smoke-1"
    for _ in range(50):
        lines = [json.loads(s) for s in log.read_text().splitlines() if s.startswith("{")]
        mine = [line for line in lines if line.get("request_id") == "lb-smoke-1"]
        if mine:
            break
        time.sleep(0.1)
    assert [(m["logger"], m["path"], m["status"]) for m in mine] == [
        ("jiedai.requests", "/visits/", 302)
    ]


def test_collectstatic_with_debug_off_collects_every_file_the_manifest_storage_reads(tmp_path):
    """The production recipe (`make serve`, the Dockerfile) runs collectstatic with WhiteNoise's
    manifest storage, which follows every url() and sourceMappingURL in the static files: a
    vendored file that names a missing .map made the whole command fail."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "k3Q9-prod-like-secret-key-for-the-collectstatic-test-4f8a1c9e7b2d6a0f5e3c",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert "vendor/tom-select/tom-select.complete.min.js" in manifest["paths"]
