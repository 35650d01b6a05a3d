"""Drive every main page with wrk against gunicorn and print req/s, p50, p95, SQL queries per
request, one warm request's CPU against the page's budget and the share of the ceiling (a bare
authenticated view, for reference), then time a reminder sweep.
Run by `make bench` on a seeded throw-away database (settings: config.bench_settings)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils import timezone
from django.utils.crypto import get_random_string

from demo.benchmark import (
    BUDGET_LAYOUT_MS,
    EXPORTS,
    FEEDS,
    PAGES,
    Page,
    cpu_per_request,
    natural_user,
    page_url,
    queries_per_request,
    time_export,
)
from reception.accounts.roles import Role
from reception.models import User
from visits.models import Reminder, ReminderKind, ReminderRule, ReminderStatus, VisitRequest
from visits.models import VisitStatus as S
from visits.reminders import sweep

# wrk prints one JSON line at the end: requests, seconds, latency percentiles in µs, errors.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "us": %d, "p50": %d, "p95": %d, "errors": %d, "bytes": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    errors, summary.bytes))
end
"""
# A page meets its target when one warm request's CPU is within its budget (Page.budget_ms)
# and its p95 under load is within TARGET_P95_MS. The share of the ceiling is printed for
# reference only (issue 25 replaced it by the budgets).
TARGET_P95_MS = 150
CEILING_SECONDS = 2
TARGET_SWEEP_SECONDS = 60
MAX_SWEEPS = 30  # at the 5-minute beat, two and a half hours
# An empty page in the layout, what any page costs before its own content
# (config/bench_urls.py); its budget is the layout's.
LAYOUT = Page("empty page in the layout", Role.SALES, "bench_layout", budget_ms=BUDGET_LAYOUT_MS)


def browser_cookies(user: User) -> str:
    """The Cookie header of a browser logged in as `user`: its session, and the CSRF cookie a
    browser keeps from its first page. Without the latter every request would get a new CSRF
    secret, as no browser does, and the fragments kept per browser (rows holding a form: the
    queue's cards, the task rows, the board's rows, the user's menu) would never be found
    again: measured 2026-12-07, the task board then served 44 requests a second, p95 205 ms."""
    secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return (
        f"{settings.SESSION_COOKIE_NAME}={session_cookie(user)}; "
        f"{settings.CSRF_COOKIE_NAME}={secret}"
    )


def session_cookie(user: User) -> str:
    """A logged-in session for `user`, made directly (no login form): its key."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    assert session.session_key is not None  # create() gave it one
    return session.session_key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def target_verdict(page: Page, cpu_ms: float, p95_ms: float) -> str:
    """ "ok", or what was missed: the page's CPU budget, the p95 under load, or both. The p95
    target is the pages' (issue 25, item 5). A calendar feed has its CPU budget and no p95
    target: its size is the person's window of events (item 1), a calendar app asks for it
    every few minutes and mostly gets a 304, and eight clients at once on two workers cannot
    answer a 40 ms build within 150 ms (8 × 40 / 2)."""
    missed = []
    if cpu_ms > page.budget_ms:
        missed.append(f"CPU over {page.budget_ms:g} ms")
    if p95_ms > TARGET_P95_MS and page not in FEEDS:
        missed.append(f"p95 over {TARGET_P95_MS} ms")
    return "MISSED: " + ", ".join(missed) if missed else "ok"


class Command(BaseCommand):
    help = "Load-test the main pages with wrk and gunicorn (make bench)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=5, help="load per page (default 5)")
        parser.add_argument("--connections", type=int, default=8, help="concurrency (default 8)")
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (cores)"
        )
        parser.add_argument(
            "--reminders", type=int, default=10_000, help="due reminders for the sweep timing"
        )

    def handle(self, *args, **options):
        for tool in ("wrk",):
            if not shutil.which(tool):
                raise CommandError("wrk is missing: scripts/install-os-deps.sh bench")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        if not gunicorn.exists():
            raise CommandError("gunicorn is missing: pip install -e .")
        self.seconds, self.connections = options["seconds"], options["connections"]
        rows = []
        for page in [LAYOUT, *PAGES, *FEEDS]:
            user = natural_user(page.role)
            queries, size = queries_per_request(page)
            cpu = cpu_per_request(page)
            rows.append(
                (page, user, page_url(page, user), queries, size, cpu, browser_cookies(user))
            )
        port = _free_port()
        server = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi:application",
                "--workers",
                str(options["workers"]),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                # No worker replaced mid-run (GUNICORN_MAX_REQUESTS, 2,000 in production):
                # under wrk a worker reaches 2,000 requests every few seconds, and each
                # replacement (loading the app, warming the PDF renderer) put seconds-long
                # answers into the p95 (the empty page: p95 1,236 ms, 16 ms without).
                "--max-requests",
                "0",
            ],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.bench_settings"},
        )
        try:
            self._wait(port)
            self.base = f"http://127.0.0.1:{port}"
            self.stdout.write(
                f"gunicorn: {options['workers']} workers (none replaced during the run); "
                f"wrk: {self.connections} connections, "
                f"{self.seconds} s per page, each beside {CEILING_SECONDS} s of the ceiling "
                "(a bare authenticated view) measured just before it; CPU ms: one warm request's "
                "Python with no load (the least of 15), steadier than req/s on a shared machine"
            )
            header = (
                f"{'page (role)':32} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'SQL':>4} "
                f"{'KB':>6} {'CPU ms':>6} {'budget':>6} {'ceiling':>7} {'share':>6}  target"
            )
            self.stdout.write(header)
            self.stdout.write("-" * len(header))
            for page, _user, url, queries, size, cpu, cookie in rows:
                self._wrk(url, cookie, seconds=1)  # warm-up: templates, connections
                ceiling = self._wrk("/bench/ceiling/", cookie, seconds=CEILING_SECONDS)
                result = self._wrk(url, cookie)
                share = result["rps"] / ceiling["rps"] if ceiling["rps"] else 0
                verdict = target_verdict(page, cpu, result["p95"])
                errors = f"  {result['errors']} errors" if result["errors"] else ""
                self.stdout.write(
                    f"{page.name:32} {result['rps']:7.0f} {result['p50']:7.1f} "
                    f"{result['p95']:7.1f} {queries:4d} {size / 1024:6.0f} {cpu:6.1f} "
                    f"{page.budget_ms:6.1f} {ceiling['rps']:7.0f} {share:6.3f}  {verdict}{errors}"
                )
            self.stdout.write(f"\nRSS of a gunicorn worker: {self._worker_rss(server.pid)}")
        finally:
            server.terminate()
            server.wait(timeout=30)
        self._exports()
        self._sweep(options["reminders"])

    def _exports(self) -> None:
        """Each export's web request (the file at once, or the redirect to its job: CPU, the
        least of 3) against its budget, and a job's own time, run here as the worker would."""
        header = (
            f"\n{'export (role)':44} {'answer':>6} {'SQL':>4} {'CPU ms':>7} {'budget':>7}  "
            f"{'target':8} job"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for page in EXPORTS:
            t = time_export(page)
            answer = "file" if t.status == 200 else "job"
            verdict = "ok" if t.request_cpu_ms <= page.budget_ms else "MISSED"
            job = (
                f"{t.rows:,} rows in {t.job_seconds:.1f} s ({t.job_cpu_seconds:.1f} s CPU)"
                if t.status == 302
                else "—"
            )
            self.stdout.write(
                f"{page.name:44} {answer:>6} {t.queries:4d} {t.request_cpu_ms:7.1f} "
                f"{page.budget_ms:7.0f}  {verdict:8} {job}"
            )

    def _wait(self, port: int) -> None:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not start")

    def _drain(self, cookie: str) -> None:
        """Wait until the workers have finished what wrk left queued (slow pages can leave
        seconds of work behind): two quick answers from the ceiling in a row."""
        request = urllib.request.Request(
            f"{self.base}/bench/ceiling/",
            headers={"Cookie": cookie},
        )
        quick, deadline = 0, time.monotonic() + 120
        while quick < 2 and time.monotonic() < deadline:
            started = time.monotonic()
            urllib.request.urlopen(request, timeout=120).read()
            quick = quick + 1 if time.monotonic() - started < 0.05 else 0

    def _wrk(self, path: str, cookie: str, seconds: int | None = None) -> dict:
        self._drain(cookie)
        url = self.base + path
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        try:
            out = subprocess.run(
                [
                    "wrk",
                    "-t",
                    "2",
                    "-c",
                    str(self.connections),
                    "-d",
                    f"{seconds or self.seconds}s",
                    "--timeout",
                    "30s",
                    "-s",
                    script.name,
                    "-H",
                    f"Cookie: {cookie}",
                    url,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        finally:
            os.unlink(script.name)
        data = json.loads(out.strip().splitlines()[-1])
        return {
            "rps": data["requests"] / (data["us"] / 1e6),
            "p50": data["p50"] / 1000,
            "p95": data["p95"] / 1000,
            "errors": data["errors"],
        }

    def _worker_rss(self, master: int) -> str:
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(master) and "VmRSS" in fields:
                sizes.append(int(fields["VmRSS"].split()[0]) // 1024)
        return ", ".join(f"{mb} MB" for mb in sizes) or "unknown"

    def _sweep(self, wanted: int) -> None:
        """Make `wanted` reminders due (open-task lists of upcoming visits), then time the whole
        set going out: sweeps one after the other (as beat would start them) until none is due.
        One sweep should do it, within REMINDER_SWEEP_BUDGET_SECONDS."""
        rule = ReminderRule.objects.filter(kind=ReminderKind.OPEN_TASKS).first()
        if rule is None or wanted <= 0:
            return
        now = timezone.now()
        visits = list(
            VisitRequest.objects.filter(status=S.APPROVED, arrival_at__gte=now).values_list(
                "pk", flat=True
            )
        )
        users = list(User.objects.filter(is_active=True).values_list("pk", flat=True))
        taken = set(
            Reminder.objects.filter(rule=rule, visit_id__in=visits).values_list(
                "visit_id", "recipient_id"
            )
        )
        rows: list[Reminder] = []
        for visit_id in visits:
            for user_id in users:
                if len(rows) >= wanted:
                    break
                if (visit_id, user_id) not in taken:
                    rows.append(
                        Reminder(
                            rule=rule,
                            visit_id=visit_id,
                            recipient_id=user_id,
                            due_at=now - timedelta(minutes=1),
                            status=ReminderStatus.PENDING,
                        )
                    )
        Reminder.objects.bulk_create(rows, batch_size=5000)
        due = Reminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now)
        count = due.count()
        outcomes: Counter = Counter()
        sweeps, started, cpu = 0, time.monotonic(), time.process_time()
        while sweeps < MAX_SWEEPS:
            outcomes += sweep().reminders
            sweeps += 1
            if not due.exists():
                break
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
        left = due.count()
        # Reminders of the seeded company can come due while the sweep runs (the morning's
        # desk lists at 09:00, say): the time is judged per 10,000 handled, not per `count`.
        handled = outcomes["sent"] + outcomes["skipped"] + outcomes["failed"]
        per_10k = seconds * 10_000 / handled if handled else 0.0
        ok = left == 0 and per_10k <= TARGET_SWEEP_SECONDS
        more = f" (and {handled - count:,} that came due meanwhile)" if handled > count else ""
        self.stdout.write(
            f"reminder sweep: {count:,} due{more}; {sweeps} sweep(s) took {seconds:.1f} s "
            f"({cpu:.1f} s CPU in this process): {outcomes['sent']:,} sent, "
            f"{outcomes['skipped']:,} no longer applied, {outcomes['failed']:,} failed; "
            f"{left:,} still due; {per_10k:.1f} s per 10,000, target ≤ {TARGET_SWEEP_SECONDS} s: "
            f"{'ok' if ok else 'MISSED'}"
        )
