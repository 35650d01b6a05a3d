import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Web processes only: PostgreSQL cancels a request's statement before gunicorn's timeout
# (config/db_sessions.py). Workers and management commands never import this module.
from config.db_sessions import limit_web_sessions  # noqa: E402

limit_web_sessions()
