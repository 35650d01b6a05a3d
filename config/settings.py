"""Jiedai settings, driven by environment variables.

Local defaults (DEBUG=1): SQLite, Celery tasks run eagerly, email printed to the console.
Production: set DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL and the
EMAIL_* variables. docs/operations.md lists them all.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only-key-do-not-use-in-production"

# Rotating the key: put the old one here (comma-separated) for as long as sessions and
# password-reset links signed with it should stay valid; see docs/security.md.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "reception.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "rules",
    "ninja",  # the REST API (visits/api): its docs page's vendored Swagger UI
    "simple_history",  # change history of the policy models, shown in the admin
    "csp",
    # django-axes, named in the reader's language in the admin
    "reception.accounts.axes_config.AxesConfig",
    "health_check",  # /health/ (config/health.py) and `manage.py health_check health`
    "reception",
    "approvals",
    "visits",
    "demo",  # demo data, seed_company and the benchmarks: commands only, never imported
]

MIDDLEWARE = [
    # First: the request runs in one chunk of CPython's frame stack (config/stack.py).
    "config.stack.StackHeadroomMiddleware",
    # Running in production: /health/ answers first, before host validation and the HTTPS
    # redirect (load balancers probe each instance by its address); then every request gets
    # its X-Request-ID. See config/health.py and config/observability.py.
    "config.health.HealthCheckMiddleware",
    "config.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "reception.middleware.AccessMiddleware",  # permissions and roles kept between requests
    "reception.middleware.UserLanguageMiddleware",
    # After the user and the language (its 404 is the app's page): no control character
    # reaches a view from the URL (reception/middleware.py).
    "reception.middleware.ControlCharactersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "reception.middleware.DownloadStartedMiddleware",  # a download link's spinner stops
    "simple_history.middleware.HistoryRequestMiddleware",  # who changed policy in the admin
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reception.context_processors.navigation",
                "visits.context_processors.choices",
                "reception.context_processors.fragments",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Web processes only (config/db_sessions.py): PostgreSQL cancels a statement of a web request
# after DB_STATEMENT_TIMEOUT_MS, below gunicorn's timeout (GUNICORN_TIMEOUT, 30 s), so a killed
# worker's query does not run on; ends a session idle inside a transaction after
# DB_IDLE_IN_TRANSACTION_TIMEOUT_MS; checks every DB_CLIENT_CHECK_INTERVAL_MS that the client of
# a running statement is still there. 0: no limit. Celery workers and manage.py have none.
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "20000"))
DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = int(
    os.environ.get("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", str(DB_STATEMENT_TIMEOUT_MS))
)
DB_CLIENT_CHECK_INTERVAL_MS = int(os.environ.get("DB_CLIENT_CHECK_INTERVAL_MS", "5000"))

AUTH_USER_MODEL = "reception.User"
# What approvals approves (its "subject"), named here as AUTH_USER_MODEL names the user: approvals
# reads it only through approvals.subject.Subject and never names the app that owns it.
APPROVALS_SUBJECT_MODEL = "visits.VisitRequest"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username + address first
    "django.contrib.auth.backends.ModelBackend",
    # django-rules' permission set (visits/permissions.py); reception.models.User.has_perm asks
    # it directly for the signed-in user, so that superusers meet the rules' state checks too.
    "rules.permissions.ObjectPermissionBackend",
]

# Directory login (LDAP / Active Directory), off unless LDAP_SERVER_URI is set. See
# docs/integrations.md, "Directory login (LDAP)", and reception/accounts/directory.py for the
# group -> role mapping.
LDAP_SERVER_URI = os.environ.get("LDAP_SERVER_URI", "")
LDAP_ROLE_GROUPS = os.environ.get("LDAP_ROLE_GROUPS", "")
if LDAP_SERVER_URI:
    import ldap
    from django_auth_ldap.config import (
        ActiveDirectoryGroupType,
        GroupOfNamesType,
        LDAPSearch,
        NestedActiveDirectoryGroupType,
        PosixGroupType,
    )

    _LDAP_GROUP_TYPES = {
        "active_directory": ActiveDirectoryGroupType,
        "nested_active_directory": NestedActiveDirectoryGroupType,
        "group_of_names": GroupOfNamesType,
        "posix": PosixGroupType,
    }
    AUTHENTICATION_BACKENDS.insert(1, "django_auth_ldap.backend.LDAPBackend")
    AUTH_LDAP_SERVER_URI = LDAP_SERVER_URI
    AUTH_LDAP_BIND_DN = os.environ.get("LDAP_BIND_DN", "")
    AUTH_LDAP_BIND_PASSWORD = os.environ.get("LDAP_BIND_PASSWORD", "")
    AUTH_LDAP_START_TLS = env_bool("LDAP_START_TLS", False)
    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        os.environ.get("LDAP_USER_SEARCH_BASE", ""),
        ldap.SCOPE_SUBTREE,
        os.environ.get("LDAP_USER_SEARCH_FILTER", "(sAMAccountName=%(user)s)"),
    )
    AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        os.environ.get("LDAP_GROUP_SEARCH_BASE", os.environ.get("LDAP_USER_SEARCH_BASE", "")),
        ldap.SCOPE_SUBTREE,
        os.environ.get("LDAP_GROUP_SEARCH_FILTER", "(objectClass=group)"),
    )
    AUTH_LDAP_GROUP_TYPE = _LDAP_GROUP_TYPES[
        os.environ.get("LDAP_GROUP_TYPE", "active_directory")
    ]()
    if os.environ.get("LDAP_REQUIRE_GROUP"):
        AUTH_LDAP_REQUIRE_GROUP = os.environ["LDAP_REQUIRE_GROUP"]
    AUTH_LDAP_USER_ATTR_MAP = {
        "full_name": os.environ.get("LDAP_ATTR_FULL_NAME", "displayName"),
        "email": os.environ.get("LDAP_ATTR_EMAIL", "mail"),
        "phone": os.environ.get("LDAP_ATTR_PHONE", "mobile"),
    }
    AUTH_LDAP_ALWAYS_UPDATE_USER = True
    AUTH_LDAP_FIND_GROUP_PERMS = False
    AUTH_LDAP_CACHE_TIMEOUT = 300
    AUTH_LDAP_CONNECTION_OPTIONS = {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 10}

# Company single sign-on (OpenID Connect, mozilla-django-oidc), off unless the client id and the
# provider's endpoints are set. See docs/im-sign-in.md, "Company single sign-on (OIDC)", and
# reception/accounts/oidc.py. Users are matched by employee number or email; none is created.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_EMPLOYEE_NUMBER_CLAIM = os.environ.get("OIDC_EMPLOYEE_NUMBER_CLAIM", "employee_number")
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", "10"))
OIDC_ENABLED = bool(
    OIDC_RP_CLIENT_ID
    and OIDC_OP_AUTHORIZATION_ENDPOINT
    and OIDC_OP_TOKEN_ENDPOINT
    and OIDC_OP_USER_ENDPOINT
    and (OIDC_OP_JWKS_ENDPOINT or OIDC_RP_SIGN_ALGO.startswith("HS"))
)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.insert(-1, "reception.accounts.oidc.CompanySignOnBackend")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Simplified Chinese first, English second.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    # The export jobs' files: MEDIA_ROOT/private/, which the web server must not serve (only the
    # download view hands a file to its owner). Web and worker share it, as they share the logo.
    "exports": {
        "BACKEND": "config.storage.PrivateStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "private"},
    },
}

# Widgets written in Python where Django would render a template per <option>
# (reception/form_renderer.py).
FORM_RENDERER = "reception.form_renderer.FastWidgetRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console locally, SMTP when EMAIL_HOST is set (or EMAIL_BACKEND names another backend).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if os.environ.get("EMAIL_FILE_PATH"):  # for EMAIL_BACKEND=django.core.mail.backends.filebased…
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jiedai@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: without a broker, tasks run eagerly in the web process.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A new worker process warms the PDF renderer before taking tasks (config/celery.py); give it
# longer than Celery's 4 seconds to report alive.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that accepts connections but never answers (a stuck Redis, a half-open firewall)
# must not hold a page: connecting, each read and write, and the whole publish are limited,
# with one quick retry at most (about 1 s in all). A failed publish leaves the notification
# unsent for the sweep, and the web process leaves the broker alone for
# BROKER_PAUSE_AFTER_FAILURE seconds (reception.notifications.notify), so a request waits once, not
# per email.
BROKER_TIMEOUT = float(os.environ.get("BROKER_TIMEOUT", "0.5"))
BROKER_PAUSE_AFTER_FAILURE = float(os.environ.get("BROKER_PAUSE_AFTER_FAILURE", "30"))
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "socket_connect_timeout": BROKER_TIMEOUT,
    "socket_timeout": BROKER_TIMEOUT,
    "retry_on_timeout": False,
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Beat (one process: `celery -A config beat`) starts the reminder sweep every 5 minutes. The
# sweep is safe to run twice at once; a sweep still queued after 4 minutes is dropped, since the
# next one does the same work. Reminders are rows in the database, never long ETA tasks.
CELERY_BEAT_SCHEDULE = {
    "sweep-reminders": {
        "task": "visits.sweep_reminders",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    # Personal data past the reception policy's retention period, anonymised once a day.
    "anonymise-personal-data": {
        "task": "visits.anonymise_personal_data",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 6 * 60 * 60},
    },
    # Export jobs: files past EXPORT_FILES_KEEP_DAYS deleted; a job the broker lost re-sent, one
    # whose worker died marked failed.
    "sweep-export-jobs": {
        "task": "visits.sweep_export_jobs",
        "schedule": 600.0,
        "options": {"expires": 540},
    },
}
# An export (the visitor log, the visit list) of more rows than this is written by a Celery
# task and offered on the user's "My exports" page; smaller ones are sent at once. The .xlsx
# visitor log costs about 14 s of CPU at 100,000 rows, too close to the 30 s web timeout.
EXPORT_JOB_THRESHOLD_ROWS = int(os.environ.get("EXPORT_JOB_THRESHOLD_ROWS", "2000"))
# The export jobs' files (and the jobs) are deleted this many days after they were requested.
EXPORT_FILES_KEEP_DAYS = int(os.environ.get("EXPORT_FILES_KEEP_DAYS", "7"))
# A sweep sends every due reminder, a batch at a time, until none is left or this many seconds
# are spent (checked between batches); what is left goes out in the next sweep. A bit under the
# 300-second beat interval, leaving time for the sweep's other work.
REMINDER_SWEEP_BUDGET_SECONDS = float(os.environ.get("REMINDER_SWEEP_BUDGET_SECONDS", "240"))
# A sweep holds the reminders it claimed this long, renewing it as it works through a batch; a
# sweep that died is replaced once its claim runs out (visits/reminders/delivery.py).
REMINDER_CLAIM_SECONDS = float(os.environ.get("REMINDER_CLAIM_SECONDS", "120"))

# The reports page's figures (aggregates over every visit of the period) are computed once per
# period and language and kept this many seconds in the cache; the page says when they were
# computed, and its exports use the same figures. 0 computes them on every request.
REPORTS_CACHE_SECONDS = int(os.environ.get("REPORTS_CACHE_SECONDS", "300"))
# Each gunicorn worker and Celery worker process renders a tiny document when it starts
# (visits/documents.py, warm_up), so that the first PDF a user asks for does not wait for
# WeasyPrint and the CJK fonts to load (7.5 s for the first sheet of a cold process, 3.8 s for
# the next, measured on the shared 2-core machine). It costs each worker about 70 MB and a few
# seconds at start: WARM_UP_DOCUMENTS=0 where memory is tight.
WARM_UP_DOCUMENTS = env_bool("WARM_UP_DOCUMENTS", True)
# A user's permissions, roles and departments are kept between requests for at most this long;
# any change to them takes effect at once anyway (reception/accounts/access.py). 0: read every
# request.
ACCESS_CACHE_SECONDS = int(os.environ.get("ACCESS_CACHE_SECONDS", "300"))

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is locked out for AXES_COOLOFF_MINUTES (a wrong password during
# the lock-out starts it again); a successful log-in clears the count. Administrators unlock
# in the admin (Axes → Access attempts: delete the row) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "reception.views.locked_out"  # registration/locked_out.html, 429
AXES_CLIENT_IP_CALLABLE = "reception.http.client_ip"
# Behind a reverse proxy, the number of proxies that append to X-Forwarded-For (0: none, the
# address is REMOTE_ADDR). Without it every user would share the proxy's address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Password-reset links are valid this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(60 * 60 * 24)))
# Password-reset emails: at most one per account every PASSWORD_RESET_ACCOUNT_MINUTES, and at
# most PASSWORD_RESET_PER_ADDRESS_HOUR reset requests per client address an hour (the page
# answers the same past either limit; 0 turns a limit off). Counted in the cache (CACHES).
PASSWORD_RESET_ACCOUNT_MINUTES = float(os.environ.get("PASSWORD_RESET_ACCOUNT_MINUTES", "15"))
PASSWORD_RESET_PER_ADDRESS_HOUR = int(os.environ.get("PASSWORD_RESET_PER_ADDRESS_HOUR", "10"))
# A cache shared by every worker (throttles, kept reports) when CACHE_URL names a Redis server,
# e.g. redis://127.0.0.1:6379/1; otherwise each process keeps its own (Django's local memory).
CACHES: dict[str, dict[str, Any]]
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
    }
    # Sessions are read from that shared cache, and from the database only when the cache has
    # lost one (every write goes to both): a query fewer on every page. Not with a cache of
    # each process's own, which would serve one process's stale copy of a session another
    # process has changed.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered rows of the main pages ({% cache %} in the templates; docs/performance.md): each
# fragment's key holds the row's version and every value it shows from elsewhere, the
# language and, where a row shows what the reader may do, the reader's access version, so
# a change is never served stale and nothing needs deleting. Rows are read far more often than
# written. They are kept in each process's own memory (a read costs no round trip; a process
# that has not rendered a row renders it once), at most FRAGMENT_CACHE_ENTRIES, each for
# FRAGMENT_CACHE_SECONDS (0 keeps nothing).
FRAGMENT_CACHE_SECONDS = int(os.environ.get("FRAGMENT_CACHE_SECONDS", str(60 * 60 * 12)))
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "jiedai-fragments",
    "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("FRAGMENT_CACHE_ENTRIES", "20000"))},
}

# Security: production values unless DEBUG is on.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): everything from this site only, no inline script or
# style, no eval, no plugins, no framing. Bootstrap, Bootstrap Icons and htmx are served from
# static/; htmx's own indicator <style> is turned off (base.html) and lives in jiedai.css.
# Bootstrap's form controls draw their arrows and ticks with data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading is hard to undo (browsers ship the list): only when the operator asks for it.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:  # the deploy check's "preload is off" is this decision
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Running in production: logs and Sentry (docs/operations.md) -----------------------
# Plain lines locally; LOG_FORMAT=json writes one JSON object per line (time, level, logger,
# message, request_id and the record's extra fields) for a log collector. One line per request
# (logger jiedai.requests) unless DEBUG, where runserver prints its own.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.observability.RequestIdFilter"},
        # Secret URL arguments (feed and welcome tokens…) cut short in "Not Found: …" lines.
        "secret_paths": {"()": "config.observability.SecretPathFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"level": "INFO"},
        "django.request": {"filters": ["secret_paths"]},
        "jiedai.requests": {"level": "WARNING" if DEBUG else "INFO"},
        # WeasyPrint logs seven progress lines per PDF at INFO; its warnings still show.
        "weasyprint.progress": {"level": "WARNING"},
        # django-axes logs every log-in and log-out at INFO; failures and lock-outs are warnings.
        "axes": {"level": "WARNING"},
    },
}
# Celery workers log through the LOGGING above (JSON too) instead of replacing its handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors and slow requests to Sentry, only when SENTRY_DSN is set (web, worker and beat alike).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,  # no user names, emails, cookies or request bodies
    )
# --- end of logs and Sentry -------------------------------------------------------------------

# Absolute links in emails point here.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Company messaging (reception/notifications/channels): the company's own apps on WeCom, DingTalk
# and Feishu, from the environment only (never in the database). An app with any value missing is
# off: its direct messages are not queued. Group robots are configured in the admin.
CHANNEL_APPS = {
    "wecom": {
        "corp_id": os.environ.get("WECOM_CORP_ID", ""),
        "secret": os.environ.get("WECOM_APP_SECRET", ""),
        "agent_id": os.environ.get("WECOM_AGENT_ID", ""),
        # Card button callbacks: the app's receive-message Token and EncodingAESKey.
        "callback_token": os.environ.get("WECOM_CALLBACK_TOKEN", ""),
        "encoding_aes_key": os.environ.get("WECOM_ENCODING_AES_KEY", ""),
    },
    "dingtalk": {
        "app_key": os.environ.get("DINGTALK_APP_KEY", ""),
        "app_secret": os.environ.get("DINGTALK_APP_SECRET", ""),
        "agent_id": os.environ.get("DINGTALK_AGENT_ID", ""),
        # Card callbacks over HTTP (事件与回调, HTTP 推送): the app's Token and aes_key.
        "callback_token": os.environ.get("DINGTALK_CALLBACK_TOKEN", ""),
        "callback_aes_key": os.environ.get("DINGTALK_CALLBACK_AES_KEY", ""),
    },
    "feishu": {
        "app_id": os.environ.get("FEISHU_APP_ID", ""),
        "app_secret": os.environ.get("FEISHU_APP_SECRET", ""),
        # Card action callbacks (deciding on the card): the app's Verification Token and, when
        # set, its Encrypt Key (docs/im-sign-in.md).
        "verification_token": os.environ.get("FEISHU_VERIFICATION_TOKEN", ""),
        "encrypt_key": os.environ.get("FEISHU_ENCRYPT_KEY", ""),
    },
}
# API addresses of the apps (a private deployment or Lark: set these).
CHANNEL_API_BASE = {
    "wecom": os.environ.get("WECOM_API_BASE", "https://qyapi.weixin.qq.com"),
    "dingtalk": os.environ.get("DINGTALK_API_BASE", "https://oapi.dingtalk.com"),
    "feishu": os.environ.get("FEISHU_API_BASE", "https://open.feishu.cn"),
}
CHANNEL_API_BASE["dingtalk_api"] = os.environ.get(
    "DINGTALK_NEW_API_BASE", "https://api.dingtalk.com"
)
# A card action callback older than this (seconds) is refused as a replay.
CHANNEL_CALLBACK_MAX_AGE = int(os.environ.get("CHANNEL_CALLBACK_MAX_AGE", "300"))
# Where staff are sent to sign in from the apps (免登; docs/im-sign-in.md).
CHANNEL_LOGIN_BASE = {
    "wecom": os.environ.get("WECOM_OAUTH_BASE", "https://open.weixin.qq.com"),
    "wecom_qr": os.environ.get("WECOM_QR_LOGIN_BASE", "https://login.work.weixin.qq.com"),
    "dingtalk": os.environ.get("DINGTALK_LOGIN_BASE", "https://login.dingtalk.com"),
    "feishu": os.environ.get("FEISHU_LOGIN_BASE", "https://accounts.feishu.cn"),
}
# Hosts a group robot's webhook may point to (https only); CHANNEL_EXTRA_WEBHOOK_HOSTS adds
# private deployments' hosts, comma-separated, for every platform.
_extra_hosts = [
    h.strip().lower()
    for h in os.environ.get("CHANNEL_EXTRA_WEBHOOK_HOSTS", "").split(",")
    if h.strip()
]
CHANNEL_WEBHOOK_HOSTS = {
    "wecom": ["qyapi.weixin.qq.com", *_extra_hosts],
    "dingtalk": ["oapi.dingtalk.com", *_extra_hosts],
    "feishu": ["open.feishu.cn", "open.larksuite.com", *_extra_hosts],
}
# One overall deadline per call to a platform (connect, wait, read the whole answer).
CHANNEL_HTTP_TIMEOUT = float(os.environ.get("CHANNEL_HTTP_TIMEOUT", "5"))
# A message is claimed for the deadline plus this margin: a slow answer that still comes in time
# is never sent again by a sweep; a sender that died is replaced once the claim runs out.
CHANNEL_CLAIM_MARGIN = float(os.environ.get("CHANNEL_CLAIM_MARGIN", "25"))
# Robot webhook addresses and secrets are encrypted with these Fernet keys (comma-separated, the
# first encrypts; docs/im-sign-in.md: rotation). Empty: a key derived from SECRET_KEY.
CHANNEL_SECRET_KEYS = [
    k.strip() for k in os.environ.get("CHANNEL_SECRET_KEYS", "").split(",") if k.strip()
]
# WeCom app messages: the platform drops a repeat of the same message within this many seconds.
WECOM_DUPLICATE_CHECK_SECONDS = int(os.environ.get("WECOM_DUPLICATE_CHECK_SECONDS", "1800"))
CHANNEL_ROBOT_PER_MINUTE = int(os.environ.get("CHANNEL_ROBOT_PER_MINUTE", "20"))
CHANNEL_MAX_ATTEMPTS = int(os.environ.get("CHANNEL_MAX_ATTEMPTS", "10"))
# Outgoing webhooks (reception/webhooks, docs/api.md): each call's time limit in seconds; how
# long an event is retried; how long a subscription may fail before it is paused.
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))
WEBHOOK_DEADLINE = timedelta(hours=int(os.environ.get("WEBHOOK_DEADLINE_HOURS", "24")))
WEBHOOK_PAUSE_AFTER = timedelta(hours=int(os.environ.get("WEBHOOK_PAUSE_AFTER_HOURS", "24")))
