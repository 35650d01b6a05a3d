"""The API, version 1, mounted at /api/v1/ (config/urls.py). Every endpoint needs a token
(`Authorization: Bearer …`); the schema and the docs page need a token or a logged-in user."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from reception.api_tokens import services as tokens

from . import desk, organisation, passes, tasks, visits
from .common import BadInput, RateLimited, TokenAuth

VERSION = "1"


def token_or_login(view):
    """The schema and the docs: for a logged-in user or a token; else 401 (the docs page:
    the login page)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else ""
        if request.user.is_authenticated or (token and tokens.authenticate(token)):
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": _("Authentication required.")}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapped


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # names as they are written: 陈国华


api = NinjaAPI(
    renderer=Renderer(),
    title="Jiedai API",
    version=VERSION,
    description="Visits, the desk, preparation tasks, clients and staff (docs/api.md).",
    auth=TokenAuth(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=token_or_login,
)
api.add_router("", visits.router)
api.add_router("", desk.router)
api.add_router("", tasks.router)
api.add_router("", organisation.router)
api.add_router("", passes.router)


def root(request):
    return redirect("api-v1:openapi-view")


def _error(status: int, detail, errors=None) -> JsonResponse:
    body = {"detail": str(detail), "errors": errors or {}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@api.exception_handler(BadInput)
def bad_input(request, exc: BadInput):
    return _error(400, exc.detail or _("Please correct the errors below."), exc.errors)


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    """Pydantic's complaints, said in the reader's language (Django's own catalogue)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        where = [str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query")]
        field = ".".join(where) or "__all__"
        text = (
            _("This field is required.")
            if error.get("type") == "missing"
            else _("Enter a valid value.")
        )
        errors.setdefault(field, []).append(text)
    return _error(400, _("Please correct the errors below."), errors)


@api.exception_handler(AuthenticationError)
def unauthorised(request, exc):
    response = _error(401, _("Authentication required."))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(RateLimited)
def rate_limited(request, exc):
    response = _error(429, _("Too many requests: wait a minute."))
    response["Retry-After"] = "60"
    return response


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return _error(exc.status_code, exc.message)


def urls():
    """The API's URL patterns for config/urls.py: tokens, not logins, so Django's
    LoginRequiredMiddleware lets them through (an anonymous call answers 401 here)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.name == "api-root":  # /api/v1/ sends to the docs page, like it a page
            pattern.callback = token_or_login(root)
        pattern.callback.login_required = False  # what @login_not_required sets
    return patterns, app_name, namespace
