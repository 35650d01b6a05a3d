"""Walk the whole URLconf: every page but the public ones sends an anonymous visitor to log in.

A URL the walk cannot build arguments for fails the test, so a new page cannot slip through:
add a sample value to SAMPLE_KWARGS (or, for a deliberately public page, to PUBLIC).
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

pytestmark = pytest.mark.django_db

SAMPLE_KWARGS = {
    "pk": "1",
    "line": "1",
    "id": "1",
    "object_id": "1",
    "app_label": "reception",
    "content_type_id": "1",
    "action": "done",
    "direction": "in",
    "token": "not-a-real-display-secret",
    "uidb64": "MQ",
    "fmt": "csv",
    "key": "visits-by-grade",
    "event": "1",
    # the API (visits/api)
    "visit_id": "1",
    "task_id": "1",
    "external_id": "crm-1",
    "employee_number": "E001",
    "platform": "wecom",
}

# The API answers with a token, never a login page: an anonymous call gets 401 (its docs page
# and its root are pages, and send to the login page like every other).
API = "/api/"
API_PAGES = {"/api/v1/docs", "/api/v1/"}

# Public by design: logging in, resetting a forgotten password by email, and choosing the
# language (the login page offers them all), the lobby welcome screen, which opens with its
# display's secret (404 for any other value), the calendar feeds, which open with their
# owner's secret the same way, and the health endpoint for load balancers, which says only
# "ok" or "failing" per check.
PUBLIC = {
    "/health/",
    # Signing in from WeCom, DingTalk, Feishu: to the platform's OAuth page and back.
    "/im/wecom/",
    "/im/wecom/callback/",
    # Card action callbacks: the platform calls them, verified by its signature (POST only).
    "/im/wecom/card/",
    # Company single sign-on (OIDC): to the provider and back; 404 while it is not configured.
    "/oidc/authenticate/",
    "/oidc/callback/",
    "/accounts/login/",
    "/accounts/password-reset/",
    "/accounts/password-reset/sent/",
    "/accounts/reset/MQ/not-a-real-display-secret/",
    "/accounts/reset/done/",
    "/i18n/setlang/",
    "/admin/login/",
    "/welcome/not-a-real-display-secret/",
    "/calendar/not-a-real-display-secret.ics",
    "/calendar/not-a-real-display-secret/arrivals.ics",
}

# The guest's signed links (docs/guests.md): public, but they open only with a valid signed
# token (an invitation) or a kiosk's secret; anything else answers 404 with one sentence.
SIGNED = {
    "/guest/not-a-real-display-secret/",
    "/guest/not-a-real-display-secret/accept/",
    "/kiosk/not-a-real-display-secret/",
}
PUBLIC |= SIGNED

# Regex patterns without a name cannot be built or reversed: a concrete URL to try instead.
UNNAMED_REGEX = {
    "django.contrib.admin.sites.AdminSite.catch_all_view": "/admin/no-such-page/",
}

LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def walk(resolver=None, namespace="", chain=()):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        here = (*chain, entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            child_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(entry, child_ns, here)
        elif isinstance(entry, URLPattern):
            yield entry, namespace, here


def build(entry, namespace, chain) -> str:
    """The URL of one pattern, with sample arguments. Raises LookupError when it cannot."""
    callback = f"{entry.callback.__module__}.{entry.callback.__qualname__}"
    if not entry.name and callback in UNNAMED_REGEX:
        return UNNAMED_REGEX[callback]
    names = [n for p in chain for n in p.regex.groupindex]
    missing = [n for n in names if n not in SAMPLE_KWARGS]
    if missing:
        raise LookupError(f"no sample value for {missing}: add it to SAMPLE_KWARGS")
    if all(isinstance(p, RoutePattern) for p in chain):
        route = "".join(str(p) for p in chain)
        return "/" + ROUTE_PARAM.sub(lambda m: SAMPLE_KWARGS[m["name"]], route)
    if entry.name:
        name = f"{namespace}:{entry.name}" if namespace else entry.name
        positional = sum(p.regex.groups - len(p.regex.groupindex) for p in chain)
        if positional and not names:  # e.g. simple-history's object/history/<version>/
            return reverse(name, args=["1"] * positional)
        return reverse(name, kwargs={n: SAMPLE_KWARGS[n] for n in names})
    raise LookupError(f"unnamed regex pattern ({callback}): name it or add to UNNAMED_REGEX")


def all_urls():
    urls, problems = set(), []
    for entry, namespace, chain in walk():
        try:
            urls.add(build(entry, namespace, chain))
        except LookupError as error:
            problems.append(f"{''.join(str(p) for p in chain)}: {error}")
    return urls, problems


def test_the_walk_can_build_every_url():
    urls, problems = all_urls()
    assert not problems, "\n".join(problems)
    assert len(urls) > 20  # the admin alone has dozens; a broken walk finds few


def test_every_page_but_login_redirects_an_anonymous_visitor_to_login(client):
    urls, _problems = all_urls()
    failures = []
    for url in sorted(urls - PUBLIC):
        if url.startswith(API) and url not in API_PAGES:
            continue  # test_every_api_url_answers_401_without_a_token
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.startswith(LOGIN_PAGES):
                failures.append(f"{method.upper()} {url} -> {response.status_code} {location}")
    assert not failures, "\n".join(failures)


def test_public_pages_answer_without_login(client):
    urls, _problems = all_urls()
    assert urls >= PUBLIC, "a PUBLIC page no longer exists"
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/admin/login/").status_code == 200
    for url in PUBLIC:
        if url.startswith("/accounts/"):
            assert client.get(url).status_code == 200, url
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/welcome/not-a-real-display-secret/").status_code == 404
    for url in SIGNED:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url).status_code == 404, url
    assert client.get("/health/").status_code == 200
    assert client.get("/im/wecom/card/").status_code == 405
    assert client.post("/im/wecom/card/").status_code == 404  # WeCom's callback: not yet
    assert client.get("/oidc/authenticate/").status_code == 404  # company sign-on: off
    assert client.get("/oidc/callback/").status_code == 404


def test_every_api_url_answers_401_without_a_token(client):
    urls, _problems = all_urls()
    api_urls = sorted(u for u in urls if u.startswith(API) and u not in API_PAGES)
    assert len(api_urls) > 8
    failures = []
    for url in api_urls:
        for method in ("get", "post", "put"):
            response = getattr(client, method)(url)
            if response.status_code not in (401, 405):  # 405: no such method on that URL
                failures.append(f"{method.upper()} {url} -> {response.status_code}")
            if method == "get" and url.endswith("openapi.json"):
                assert response.status_code == 401
    assert not failures, "\n".join(failures)
