"""PostgreSQL stops what a web request no longer waits for.

Gunicorn kills a worker that is silent for GUNICORN_TIMEOUT seconds (30), but the query the
worker was waiting on runs on in PostgreSQL, for minutes, holding a connection and a core. So
every database session of a web process (config/wsgi.py calls limit_web_sessions) is opened
with:

- statement_timeout = DB_STATEMENT_TIMEOUT_MS (20 s): a statement running longer is cancelled
  and the request answers with the error page, before gunicorn's timeout;
- idle_in_transaction_session_timeout = DB_IDLE_IN_TRANSACTION_TIMEOUT_MS (20 s): a session
  left idle inside a transaction (a worker killed between two statements) is ended, its locks
  released;
- client_connection_check_interval = DB_CLIENT_CHECK_INTERVAL_MS (5 s, PostgreSQL 14 and
  later): a running statement whose client has gone away (the killed worker) is stopped.

Only web processes: Celery workers, migrations and management commands (manage.py, the
exports that run as jobs) never call limit_web_sessions, so their sessions keep PostgreSQL's
defaults (no limits). 0 turns a limit off. Nothing happens on SQLite.
"""

from django.conf import settings
from django.db.backends.signals import connection_created


def _limit_session(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    limits = {
        "statement_timeout": settings.DB_STATEMENT_TIMEOUT_MS,
        "idle_in_transaction_session_timeout": settings.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    }
    if connection.pg_version >= 140000:
        limits["client_connection_check_interval"] = settings.DB_CLIENT_CHECK_INTERVAL_MS
    # One round trip when a connection opens (they are kept for DB_CONN_MAX_AGE seconds).
    sql = "SELECT " + ", ".join("set_config(%s, %s, false)" for _ in limits)
    params = [value for name, ms in limits.items() for value in (name, f"{int(ms)}ms")]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def limit_web_sessions() -> None:
    """Give this process's database sessions the web limits (config/wsgi.py)."""
    connection_created.connect(_limit_session, dispatch_uid="jiedai-web-session-limits")


def unlimit_web_sessions() -> None:
    """Undo limit_web_sessions (for tests); sessions already open keep their limits."""
    connection_created.disconnect(dispatch_uid="jiedai-web-session-limits")
