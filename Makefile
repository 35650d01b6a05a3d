# Jiedai — the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Local defaults for `make run`: SQLite, eager Celery, email on the console.
# `make run PORT=8010` serves on another port; links in emails and the welcome-screen URL
# follow it (SITE_URL), unless SITE_URL is set in the environment.
PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)
RUN_ENV := DEBUG=1 SITE_URL=$(SITE_URL)

.PHONY: run serve test os-deps os-deps-test lint fmt typecheck hooks messages worker beat reminders bench clean

run: os-deps $(VENV)/.installed
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) load_policy four-tier
	$(RUN_ENV) $(MANAGE) demo
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

# Production (docs/operations.md, "Running in production"): DEBUG off, so SECRET_KEY and
# ALLOWED_HOSTS must be set. Migrates, collects the static files and serves with gunicorn;
# workers, threads, port and timeout come from WEB_CONCURRENCY, GUNICORN_THREADS, PORT and
# GUNICORN_TIMEOUT (gunicorn.conf.py). Under systemd or in a container, run the commands
# themselves instead.
serve: os-deps $(VENV)/.installed
	@test -n "$$SECRET_KEY" || { echo "Set SECRET_KEY (and ALLOWED_HOSTS, DATABASE_URL): see docs/operations.md"; exit 1; }
	DEBUG=0 $(MANAGE) migrate --noinput
	DEBUG=0 $(MANAGE) collectstatic --noinput -v0
	DEBUG=0 exec $(VENV)/bin/gunicorn config.wsgi

test: os-deps-test $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	PYTHONPATH=. $(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) -m pytest $(PYTEST_ARGS)

os-deps:
	@scripts/install-os-deps.sh run

os-deps-test:
	@scripts/install-os-deps.sh test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $@ $(VENV)/.installed

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# mypy alone (`make test` runs it too); settings in pyproject.toml, [tool.mypy].
typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy

# The git hooks of .pre-commit-config.yaml: ruff, ruff format, lint-imports and mypy before
# every commit (docs/development.md).
hooks: $(VENV)/.installed-dev
	$(VENV)/bin/pre-commit install

# Seed a throw-away database with a company's history (PostgreSQL when DATABASE_URL points at
# it, SQLite otherwise, with a warning), serve it with gunicorn and drive every main page with
# wrk; then the PDFs' cold and warm render times and a reminder sweep. BENCH_ARGS go to
# seed_company (default 100,000 visits; BENCH_ARGS=--small: 2,000), BENCH_SECONDS per page.
bench: $(VENV)/.installed
	@scripts/install-os-deps.sh bench
	PY=$(PY) BENCH_ARGS="$(BENCH_ARGS)" scripts/bench.sh

# Production-style background processes against a real broker (see docs/reminders.md).
BEAT_SCHEDULE ?= tmp/celerybeat-schedule
define need_broker
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL, e.g. CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make $@"; exit 1; }
endef

worker: $(VENV)/.installed
	$(need_broker)
	$(VENV)/bin/celery -A config worker -l info

beat: $(VENV)/.installed
	$(need_broker)
	@mkdir -p $(dir $(BEAT_SCHEDULE))
	$(VENV)/bin/celery -A config beat -l info -s $(BEAT_SCHEDULE)

# Without Celery (make run): send what is due by hand, or from cron every 5 minutes.
reminders: $(VENV)/.installed
	$(RUN_ENV) $(MANAGE) send_due_reminders

# Re-extract strings after changing code or templates, translate locale/zh_Hans, then compile.
# The Chinese catalogue's ASCII , ; : ? ! ( ) next to Chinese become full-width (，；：？！（）).
messages: $(VENV)/.installed-dev
	$(RUN_ENV) $(MANAGE) makemessages -l zh_Hans -l en --no-obsolete --no-location --ignore=.venv --ignore=tests
	$(PY) scripts/fill_en_catalogue.py
	$(PY) scripts/fullwidth_catalogue.py
	$(RUN_ENV) $(MANAGE) compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
