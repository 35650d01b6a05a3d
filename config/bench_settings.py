"""Settings for `make bench`: production settings (DEBUG off) served by gunicorn on
127.0.0.1, plus one bare authenticated view, /bench/ceiling/, the ceiling every page is
compared with. Never use them to serve real users."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ["DEBUG"] = "0"

from .settings import *  # noqa: E402,F403

ROOT_URLCONF = "config.bench_urls"
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
# The pages' HTML is measured, not their static files: no collectstatic needed.
STORAGES = {
    **STORAGES,  # noqa: F405  (the private exports storage among them)
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# An empty folder of its own: WhiteNoise warns when STATIC_ROOT does not exist.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="jiedai-bench-static-"))
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = ""
LOGGING = {"version": 1, "disable_existing_loggers": False}
