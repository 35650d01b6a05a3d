# Jiedai's image: Debian bookworm (like the CI machine), the Debian packages the app needs
# (scripts/install-os-deps.sh: WeasyPrint's Pango and HarfBuzz, the CJK fonts, gettext) and the
# project in a virtualenv at /app/.venv. One image for web, worker and beat (compose.yaml).
FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/app/.venv/bin:$PATH

RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY scripts/install-os-deps.sh scripts/
RUN scripts/install-os-deps.sh run && rm -rf /var/lib/apt/lists/*

# The dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN python3 -m venv .venv \
 && .venv/bin/pip install --no-cache-dir -q --upgrade pip \
 && .venv/bin/pip install --no-cache-dir -q .

COPY . .
# Static files are part of the image (WhiteNoise serves them); nothing here needs a database.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-real-key ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v0

RUN useradd --system --uid 1000 --home-dir /var/lib/jiedai --shell /usr/sbin/nologin jiedai \
 && mkdir -p /app/media /var/lib/jiedai \
 && chown jiedai /app/media /var/lib/jiedai
USER jiedai
ENV MEDIA_ROOT=/app/media PORT=8000
EXPOSE 8000
# gunicorn reads /app/gunicorn.conf.py: WEB_CONCURRENCY, GUNICORN_THREADS, PORT, GUNICORN_TIMEOUT.
CMD ["gunicorn", "config.wsgi"]
