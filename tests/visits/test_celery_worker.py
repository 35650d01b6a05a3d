"""A real Celery worker, started from the virtualenv against Redis, runs the sweep and
delivers a due reminder; the same sweep enqueued twice still delivers it once. It also writes
an export job's file into the private folder of MEDIA_ROOT, once, however often it is sent.

Redis: REDIS_URL, or redis://127.0.0.1:6379/15. Outside CI the test is skipped when Redis is
not there; with CI set it fails instead. The worker is another process, so the test commits
its rows (transaction=True) and the worker opens the same database: PostgreSQL's test
database, or on SQLite the test database file (see config/test_settings.py).
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone

from reception.models import Notification
from tests.conftest import celery_broker
from tests.factories import approve_fully, file_visit
from visits.models import (
    ExportJob,
    ExportKind,
    ExportStatus,
    Reminder,
    ReminderRule,
    ReminderStatus,
    VisitRequest,
)
from visits.services.notifications import Kind
from visits.tasks import sweep_reminders, write_export

# the worker is another process, on the real clock: so is this test (tests/conftest.py)
pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.real_clock,
]

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"CI runs the Celery integration test: {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_broker():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        _unavailable(f"no Redis at {REDIS_URL} ({error})")
    return REDIS_URL


def database_url() -> str:
    """The test database, as the worker process must reach it."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        if s["NAME"] == ":memory:" or "mode=memory" in str(s["NAME"]):
            _unavailable("the SQLite test database is in memory: another process cannot see it")
        return f"sqlite:///{s['NAME']}"
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    _unavailable(f"no worker set-up for {connection.vendor}")


@pytest.fixture
def worker(redis_broker, tmp_path, transactional_db):
    """`celery -A config worker` on a queue of its own, writing emails to files."""
    queue = f"jiedai-test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": redis_broker,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    log = (tmp_path / "worker.log").open("w")
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--queues",
        queue,
        "--hostname",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "ready." not in (tmp_path / "worker.log").read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the worker did not start:\n" + (tmp_path / "worker.log").read_text())
            time.sleep(0.2)
        yield type(
            "Worker",
            (),
            {
                "queue": queue,
                "mail": tmp_path / "mail",
                "media": tmp_path / "media",
                "log": log.name,
            },
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        client = redis.Redis.from_url(redis_broker)
        leftovers = [key for key in client.scan_iter(f"*{queue}*")]
        if leftovers:  # the queue of this run and its bindings
            client.delete(*leftovers)


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_a_real_worker_runs_the_sweep_and_delivers_a_due_reminder_once(
    worker, four_tier, sales, staff
):
    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    # Make the hand-over fall due now: the guests come in two hours, the rule's time is 00:00.
    soon = timezone.now() + timedelta(hours=2)
    VisitRequest.objects.filter(pk=visit.pk).update(
        arrival_at=soon, departure_at=soon + timedelta(hours=8)
    )
    ReminderRule.objects.filter(code="handover-visitor-information").update(send_time=clock(0))

    with celery_broker(REDIS_URL):
        sweep_reminders.apply_async(queue=worker.queue)
        sweep_reminders.apply_async(queue=worker.queue)  # a duplicated task

    delivered = Reminder.objects.filter(
        rule__code="handover-visitor-information", status=ReminderStatus.SENT
    )
    assert wait_for(lambda: delivered.exists()), Path(worker.log).read_text()
    assert wait_for(lambda: Path(worker.log).read_text().count("succeeded") >= 2)
    reminder = delivered.get()
    assert reminder.recipient == staff.receptionist
    emails = "".join(p.read_text() for p in worker.mail.glob("*"))
    assert emails.count(f"/visits/{visit.pk}/") == 1  # one email, with the link


def test_a_real_worker_writes_an_export_job_once_into_the_private_folder(worker, four_tier, sales):
    for _ in range(3):
        file_visit(sales, four_tier["routine"])
    job = ExportJob.objects.create(
        owner=sales, kind=ExportKind.VISIT_LIST, fmt="xlsx", language="zh-hans", rows_total=3
    )
    with celery_broker(REDIS_URL):
        write_export.apply_async(args=[job.pk], queue=worker.queue)
        write_export.apply_async(args=[job.pk], queue=worker.queue)  # a duplicated task

    done = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.DONE)
    assert wait_for(lambda: done.exists()), Path(worker.log).read_text()
    assert wait_for(lambda: Path(worker.log).read_text().count("succeeded") >= 2)
    job.refresh_from_db()
    assert (job.rows_done, job.rows_total, job.filename) == (3, 3, "visits")
    written = worker.media / "private" / job.file.name
    assert written.read_bytes()[:2] == b"PK"  # an .xlsx (a zip)
    assert list((worker.media / "private" / "exports").iterdir()) == [written]
    assert Notification.objects.filter(recipient=sales, kind=Kind.EXPORT_READY).count() == 1
