"""Request ids and structured logs (docs/operations.md, "Logs and request ids").

`RequestIdMiddleware` gives every request an id: the `X-Request-ID` header the load balancer or
proxy sent when it is a sane one, otherwise a new one. The response carries it back, every log
record written while the request runs has it (`RequestIdFilter`, on the console handler), Sentry
tags its events with it, and one line per request records method, path, status and duration
(logger `jiedai.requests`). A Celery task sent while the request runs carries the id in a
message header, and the worker logs the task's records with it (config/celery.py connects the
three task signal handlers below). With `LOG_FORMAT=json` the console handler writes
`JsonFormatter` lines: one JSON object per record, with the record's extra fields.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar, Token

import sentry_sdk
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a little punctuation, at most 128: an incoming id can neither forge a log
# line (no spaces, quotes or newlines) nor grow it without bound. Anything else is replaced.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
NO_REQUEST = "-"
TASK_HEADER = "x_request_id"  # the Celery message header that carries it to the worker

request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)
request_logger = logging.getLogger("jiedai.requests")


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that everything after it logs with the request's id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _SANE_ID.fullmatch(incoming) else new_request_id()
        token = request_id.set(rid)
        request.request_id = rid
        sentry_sdk.set_tag("request_id", rid)  # a no-op unless SENTRY_DSN initialised Sentry
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = rid
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            path = logged_path(request)
            request_logger.info(
                "%s %s %s %sms",
                request.method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id.reset(token)


# URL arguments that are secrets (calendar feeds, welcome screens, invitations, password reset
# links, sign-in callbacks): the request log keeps their first characters only.
SECRET_URL_ARGUMENTS = {"token", "uidb64", "signed", "key", "secret", "code", "state"}
KEPT = 4


def redact(value: str) -> str:
    return value[:KEPT] + "…" if len(value) > KEPT else "…"


def logged_path(request) -> str:
    """The path as the request log writes it: secret URL arguments cut to their first
    characters, so that the log never holds a link that opens a feed or a screen."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name, value in match.kwargs.items() if match else ():
        if name in SECRET_URL_ARGUMENTS and isinstance(value, str) and value:
            path = path.replace(value, redact(value))
    return path


class SecretPathFilter(logging.Filter):
    """On django.request's records ("Not Found: /welcome/<token>/"): the path as logged_path()
    writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and isinstance(record.args, tuple):
            path, safe = getattr(request, "path", None), None
            if path:
                safe = logged_path(request)
            if safe and safe != path:
                record.args = tuple(safe if arg == path else arg for arg in record.args)
        return True


def send_request_id_with_task(headers=None, **kwargs):
    """before_task_publish: a task sent during a request takes the request's id along."""
    rid = request_id.get()
    if headers is not None and rid != NO_REQUEST:
        headers.setdefault(TASK_HEADER, rid)


_task_tokens: dict[str, Token] = {}


def adopt_request_id(task_id=None, task=None, **kwargs):
    """task_prerun: the worker logs the task under the id of the request that sent it."""
    rid = getattr(task.request, TASK_HEADER, None) if task is not None else None
    if isinstance(rid, str) and _SANE_ID.fullmatch(rid):
        _task_tokens[task_id] = request_id.set(rid)


def drop_request_id(task_id=None, **kwargs):
    """task_postrun: back to no id once the task is done."""
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (`-` outside a request: commands, Celery, start-up)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, request_id,
    then the record's extra fields (`exc_info` as text when there is a traceback)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s %(request_id)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("json_ensure_ascii", False)  # Chinese stays readable
        super().__init__(*args, **kwargs)
