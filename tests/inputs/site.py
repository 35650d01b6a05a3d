"""The demo company as its users see it: for each demo role, the pages they reach from the
URLconf's pages and the links on them, and the forms those pages render.

`walk()` opens pages as one user (breadth first, a few pages per URL name); `submit()` sends a
request inside a savepoint that is rolled back, so every submission starts from the same data,
and returns the status, or the exception that escaped the view."""

from __future__ import annotations

import traceback
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from approvals import selectors as approval_selectors
from visits import selectors

from .html_forms import Form, Page, local, parse

# Not opened or posted: leaving the session, the admin (Django's own), PDFs (slow, no forms),
# calendar files (their token is the only input, opened without a session).
SKIPPED_URL_NAMES = {
    "logout",
    "visits:list_export",  # exports: no forms; their filters are fuzzed (test_fuzz.py)
    "visits:report_export",
    "visits:visitor_log_export",
    "health",
    "visits:visitor_information_pdf",
    "visits:application_form_pdf",
    "visits:calendar_ics",
    "visits:calendar_arrivals_ics",
}
SKIPPED_NAMESPACES = {"admin", "api-v1"}  # the API: tests/api
PAGES_PER_URL_NAME = 2
PROJECT_APPS = ("reception", "approvals", "visits", "config")
MAX_PAGES = 60


def url_name(path: str) -> str | None:
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return None
    if set(match.namespaces) & SKIPPED_NAMESPACES:
        return None
    return match.view_name


def all_url_names() -> set[str]:
    """Every named page of the project's URLconf (the admin's aside)."""
    names = set()

    def collect(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in SKIPPED_NAMESPACES:
                    continue
                collect(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern) and p.name:
                names.add(prefix + p.name)

    collect(get_resolver().url_patterns, "")
    return names


def parameterless_pages() -> list[str]:
    from django.urls import NoReverseMatch, reverse

    pages = []
    for name in sorted(all_url_names() - SKIPPED_URL_NAMES):
        try:
            pages.append(reverse(name))
        except NoReverseMatch:
            continue
    return pages


@dataclass
class Outcome:
    status: int
    error: str = ""  # the exception that escaped the view, with where it was raised
    cause: str = ""  # its type and where it was raised: the same bug for every input

    @property
    def server_error(self) -> bool:
        return self.status >= 500


@dataclass
class Walk:
    username: str
    pages: list[Page] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def forms(self, per_signature: int = 2) -> list[Form]:
        """The pages' forms, a few of each kind (same action URL name and field names)."""
        seen: Counter = Counter()
        kept = []
        for page in self.pages:
            for form in page.forms:
                name = url_name(form.action)
                if name is None or name in SKIPPED_URL_NAMES:
                    continue
                key = (form.method, name, signature(form))
                seen[key] += 1
                if seen[key] <= per_signature:
                    kept.append(form)
        return kept


def signature(form: Form) -> frozenset[str]:
    return frozenset("".join("#" if c.isdigit() else c for c in f.name) for f in form.fields)


def where(error: BaseException) -> tuple[str, str]:
    """The exception with its message, and its type, each with the last frame of the
    project's own code it passed."""
    root = Path(settings.BASE_DIR)
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if Path(f.filename).is_relative_to(root)
        and Path(f.filename).relative_to(root).parts[0] in PROJECT_APPS
    ]
    place = ""
    if frames:
        place = f" at {Path(frames[-1].filename).relative_to(root)}:{frames[-1].lineno}"
    return f"{type(error).__name__}: {str(error)[:200]}{place}", f"{type(error).__name__}{place}"


def forget_kept_answers():
    """A rolled-back request may have changed what the caches hold about a user."""
    cache.clear()
    selectors._SCOPES.clear()
    approval_selectors._QUEUES.clear()


def submit(client: Client, method: str, path: str, data=None, *, htmx=False) -> Outcome:
    """GET or POST inside a savepoint that is rolled back; cookies a request set that would
    change the next ones (messages, language) are dropped."""
    headers = {"HX-Request": "true"} if htmx else {}
    try:
        with transaction.atomic():
            if method == "post":
                response = client.post(path, data or {}, headers=headers)
            else:
                response = client.get(path, data or {}, headers=headers)
            transaction.set_rollback(True)
    except Exception as error:  # an exception escaped the view: the server answers 500
        outcome = Outcome(500, *where(error))
    else:
        outcome = Outcome(response.status_code)
    for cookie in ("messages", "django_language"):
        client.cookies.pop(cookie, None)
    if method != "get":
        forget_kept_answers()
    return outcome


def walk(client: Client, username: str, seeds: list[str]) -> Walk:
    """Open the seeds and the pages they link to, breadth first, at most PAGES_PER_URL_NAME
    pages of one URL name (seeds always) and MAX_PAGES in all."""
    result = Walk(username)
    queue = deque((s, True) for s in seeds)
    seen: set[str] = set()
    per_name: Counter = Counter()
    while queue and len(result.pages) < MAX_PAGES:
        path, is_seed = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        name = url_name(path)
        if name is None or name in SKIPPED_URL_NAMES:
            continue
        if not is_seed and per_name[name] >= PAGES_PER_URL_NAME:
            continue
        per_name[name] += 1
        response = None
        try:
            with transaction.atomic():
                response = client.get(path)
                transaction.set_rollback(True)
        except Exception as error:
            result.failures.append(f"{username}: GET {path} -> 500 {where(error)[0]}")
        if response is None:
            continue
        if response.status_code >= 500:
            result.failures.append(f"{username}: GET {path} -> {response.status_code}")
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = parse(f"http://testserver{path}", response.content.decode())
        result.pages.append(page)
        for link in page.links:
            target = local(link)
            if target and target not in seen:
                queue.append((target, False))
    return result
