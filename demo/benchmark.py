"""The main pages, each opened by its natural role: what `make bench` drives and what the
query-budget tests pin. One list, two readers."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Count, Q
from django.test import Client as TestClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import User
from visits.models import VisitRequest, VisitStatus

# Warm CPU budgets per kind of page (issue 25): one warm request's CPU, the least of 15, on the
# 100,000-visit company. Lists, the board, the queue, the task board and home share one.
BUDGET_LAYOUT_MS = 3.0
BUDGET_LIST_MS = 15.0
BUDGET_VISIT_PAGE_MS = 20.0


# A calendar feed: what a calendar app fetches when its copy is out of date (a poll with the
# feed's ETag answers 304 without building it). Flat across sizes: bounded by its window.
BUDGET_FEED_MS = 60.0


@dataclass(frozen=True)
class Page:
    name: str
    role: str
    url: str = ""  # a URL name; empty for the visit page (see page_url)
    budget_ms: float = BUDGET_LIST_MS
    link: Callable[[User], str] | None = None  # the URL for the user, when not a URL name


PAGES = [
    Page("/visits/ (sales)", Role.SALES, "visits:list"),
    Page("/visits/ (receptionist)", Role.RECEPTIONIST, "visits:list"),
    Page("/visits/ (gm)", Role.GENERAL_MANAGER, "visits:list"),
    Page("/visits/ (admin)", Role.ADMINISTRATOR, "visits:list"),
    Page("/preparation/ (receptionist)", Role.RECEPTIONIST, "visits:preparation"),
    Page("/desk/ (receptionist)", Role.RECEPTIONIST, "visits:board"),
    Page("/approvals/ (marketing)", Role.MARKETING, "approvals:queue"),
    Page("/notifications/ (sales)", Role.SALES, "notifications"),
    Page("visit page (sales)", Role.SALES, budget_ms=BUDGET_VISIT_PAGE_MS),
    Page("/tasks/ (office head)", Role.DEPARTMENT_HEAD, "visits:tasks"),
    Page("/clients/ (sales)", Role.SALES, "reception:client_list"),
    Page("/ (sales)", Role.SALES, "home"),
    Page("/reports/ (gm)", Role.GENERAL_MANAGER, "visits:reports"),
]


def personal_feed(user: User) -> str:
    from visits.services.calendar_feeds import feed_for

    return reverse("visits:calendar_ics", args=[feed_for(user).token])


def arrivals_feed(user: User) -> str:
    from visits.services.calendar_feeds import feed_for

    return reverse("visits:calendar_arrivals_ics", args=[feed_for(user).token])


# The calendar feeds, each fetched by the calendar app of its natural subscriber: a sales lead
# (their own visits and tasks), a department head (also their departments' tasks, one event
# per visit and day) and the front desk (the site's arrivals).
FEEDS = [
    Page("personal feed (sales)", Role.SALES, budget_ms=BUDGET_FEED_MS, link=personal_feed),
    Page(
        "personal feed (office head)",
        Role.DEPARTMENT_HEAD,
        budget_ms=BUDGET_FEED_MS,
        link=personal_feed,
    ),
    Page(
        "arrivals feed (receptionist)",
        Role.RECEPTIONIST,
        budget_ms=BUDGET_FEED_MS,
        link=arrivals_feed,
    ),
]


def natural_user(role: str) -> User:
    """The busiest holder of a role: the sales lead with the most requests, the office head."""
    users = User.objects.filter(groups__name=role, is_active=True)
    if role == Role.DEPARTMENT_HEAD:
        office = users.filter(headed_departments__code="office").order_by("pk").first()
        if office:
            return office
    if role in (Role.SALES, Role.PROJECT_ENGINEER):
        users = users.annotate(n=Count("visit_requests")).order_by("-n", "pk")
    else:
        users = users.order_by("pk")
    user = users.first()
    if user is None:
        raise LookupError(f"Nobody active holds the role {role}: seed a company first.")
    return user


def big_visit(user) -> VisitRequest | None:
    """The user's approved (upcoming) visit with the most preparation tasks."""
    return (
        VisitRequest.objects.filter(
            applicant=user,
            status=VisitStatus.APPROVED,
        )
        .annotate(n=Count("prep_tasks", filter=~Q(prep_tasks__status="cancelled")))
        .order_by("-n", "-pk")
        .first()
    )


def page_url(page: Page, user) -> str:
    if page.link:
        return page.link(user)
    if page.url:
        return reverse(page.url)
    visit = big_visit(user) or VisitRequest.objects.filter(applicant=user).order_by("-pk").first()
    if visit is None:
        raise LookupError(f"{user} has filed no visit request to open")
    return reverse("visits:detail", args=[visit.pk])


def queries_per_request(page: Page) -> tuple[int, int]:
    """(SQL queries, response bytes) of one warm request to the page as its natural role."""
    user = natural_user(page.role)
    client = TestClient()
    client.force_login(user)
    url = page_url(page, user)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"{page.name}: {url} answered {response.status_code}")
    return len(ctx.captured_queries), len(response.content)


def cpu_per_request(page: Page, repeat: int = 15) -> float:
    """Milliseconds of this process's CPU for one warm request to the page as its natural role
    (the least of `repeat`): what the page costs in Python, steadier than a load test on a
    shared machine."""
    user = natural_user(page.role)
    client = TestClient()
    client.force_login(user)
    url = page_url(page, user)
    client.get(url)
    times = []
    for _ in range(repeat):
        started = time.process_time()
        client.get(url)
        times.append(time.process_time() - started)
    return min(times) * 1000


# ---- exports ---------------------------------------------------------------------------------

# The web request of an export: the file at once up to EXPORT_JOB_THRESHOLD_ROWS rows, else
# the redirect to an export job (the rows counted, the job queued). Either way far inside the
# web timeout; a job's own time is printed beside it and meets no web timeout.
BUDGET_EXPORT_REQUEST_MS = 1000.0


def _period_query(days: int) -> str:
    from django.utils import timezone

    today = timezone.localdate()
    return f"?start={(today - timedelta(days=days)).isoformat()}&end={today.isoformat()}"


EXPORTS = [
    Page(
        "visit list .csv (sales)",
        Role.SALES,
        budget_ms=BUDGET_EXPORT_REQUEST_MS,
        link=lambda user: reverse("visits:list_export", kwargs={"fmt": "csv"}),
    ),
    Page(
        "visitor log .csv, a month (receptionist)",
        Role.RECEPTIONIST,
        budget_ms=BUDGET_EXPORT_REQUEST_MS,
        link=lambda user: (
            reverse("visits:visitor_log_export", kwargs={"fmt": "csv"}) + _period_query(30)
        ),
    ),
    Page(
        "visitor log .xlsx, 19 months (receptionist)",
        Role.RECEPTIONIST,
        budget_ms=BUDGET_EXPORT_REQUEST_MS,
        link=lambda user: (
            reverse("visits:visitor_log_export", kwargs={"fmt": "xlsx"}) + _period_query(19 * 30)
        ),
    ),
]


@dataclass
class ExportTiming:
    status: int  # 200: the file at once; 302: an export job
    request_cpu_ms: float  # the web request, the least of `repeat`
    queries: int
    rows: int  # of the job, or 0
    job_seconds: float  # the job's own wall time, or 0
    job_cpu_seconds: float


def time_export(page: Page, repeat: int = 3) -> ExportTiming:
    """One export as its natural role: the web request's CPU (the file streamed in full, or the
    redirect to its job), then, for a job, the job itself run here as the worker would."""
    from visits.models import ExportJob
    from visits.services import exports as export_service
    from visits.services.exports import run_export_job

    user = natural_user(page.role)
    client = TestClient()
    client.force_login(user)
    url = page_url(page, user)
    queued: list[int] = []
    original = export_service.enqueue_export
    export_service.enqueue_export = queued.append  # type: ignore[assignment]  # run below
    try:
        times, status, queries = [], 0, 0
        for _ in range(repeat):
            ExportJob.objects.filter(owner=user).delete()  # each request queues afresh
            started = time.process_time()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)  # type: ignore[attr-defined]
            times.append(time.process_time() - started)
            status, queries = response.status_code, len(ctx.captured_queries)
    finally:
        export_service.enqueue_export = original
    if status not in (200, 302):
        raise AssertionError(f"{page.name}: {url} answered {status}")
    rows = job_seconds = job_cpu = 0.0
    if status == 302 and queued:
        wall, cpu = time.monotonic(), time.process_time()
        job = run_export_job(job_id=queued[-1])
        job_seconds, job_cpu = time.monotonic() - wall, time.process_time() - cpu
        rows = job.rows_done if job is not None else 0
    return ExportTiming(status, min(times) * 1000, queries, int(rows), job_seconds, job_cpu)
