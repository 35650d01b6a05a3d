"""Gunicorn settings from the environment. Gunicorn reads this file from the working directory
by itself: `cd /srv/jiedai && .venv/bin/gunicorn config.wsgi` (what `make serve` runs).

| variable | default | |
|---|---|---|
| PORT, HOST | 8000, 0.0.0.0 | where to listen (GUNICORN_BIND, e.g. unix:/run/jiedai.sock, wins) |
| WEB_CONCURRENCY | number of CPU cores | worker processes |
| GUNICORN_THREADS | 1 | threads per worker (gthread workers when more than 1; see below) |
| GUNICORN_TIMEOUT | 30 | seconds before a silent worker is killed and replaced |
| GUNICORN_MAX_REQUESTS | 2000 | a worker is replaced after this many requests (0: never) |
| FORWARDED_ALLOW_IPS | 127.0.0.1,::1 | proxies trusted for X-Forwarded-* (the balancer's IPs) |
| LOG_FORMAT | plain | json: gunicorn's own lines as JSON too |
| WARM_UP_DOCUMENTS | 1 | 0: a worker does not load the PDF renderer before serving (settings) |

There is no access log here: Django writes one line per request with its request id
(config/observability.py).
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND") or (
    f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
)
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
# One thread per worker: the pages are CPU-bound Python, and threads in one process share one
# interpreter lock: with threads the visit list served half the requests a second
# (`make bench`; the figures are in docs/performance.md).
# Put a buffering proxy (nginx, a load balancer) in front so slow clients do not hold a worker.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = timeout
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "jiedai-web"


def post_worker_init(worker):
    """The application is loaded. First render a tiny PDF, so that the worker's first document
    does not wait seconds for WeasyPrint and the fonts (visits/documents.py, warm_up; in the
    worker, in the thread a sync worker serves from). Then move what it has built so far
    (modules, URLconf, settings, the renderer) out of the garbage collector's sight, and
    collect the young generation less often. Django builds many short-lived objects per
    request; with the defaults a collection ran every few hundred allocations and took a
    noticeable share of a page."""
    from visits import documents  # the app is loaded by now

    documents.warm_up()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


if os.environ.get("LOG_FORMAT", "plain").strip().lower() == "json":
    # Replaces gunicorn's default logging config section by section: give them all.
    _json_to_stderr = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stderr",
    }
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.observability.JsonFormatter"}},
        "handlers": {"console": _json_to_stderr, "error_console": _json_to_stderr},
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {
                "level": loglevel.upper(),
                "handlers": ["error_console"],
                "propagate": False,
            },
            # Django logs each request with its id (jiedai.requests): no second access line.
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }
