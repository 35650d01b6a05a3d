#!/usr/bin/env bash
# make bench: seed a throw-away database with seed_company, serve it with gunicorn and drive
# every main page with wrk (manage.py bench_pages), then time the PDFs and the reminder sweep.
#   BENCH_ARGS   arguments of seed_company (default: the 100,000-visit company; --small: 2,000)
#   BENCH_SECONDS  seconds of load per page (default 5; 2 with --small, which must finish in
#                  under 3 minutes: its pages are quick, and its PDFs are timed once, not thrice)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
url="${DATABASE_URL:-}"
if [[ "$url" == postgres* ]]; then
  bench_url=$($PY scripts/bench_db.py create "$url")
  trap '$PY scripts/bench_db.py drop "$url" >/dev/null' EXIT
  echo "bench: PostgreSQL, throw-away database ${bench_url##*/}"
else
  db=$(mktemp --suffix=.sqlite3)
  bench_url="sqlite:///$db"
  trap 'rm -f "$db"' EXIT
  echo "bench: WARNING: DATABASE_URL is not PostgreSQL, measuring on SQLite ($db)." >&2
  echo "bench: WARNING: SQLite serialises writes and plans differently; the targets are for PostgreSQL." >&2
fi
export DATABASE_URL="$bench_url" DJANGO_SETTINGS_MODULE=config.bench_settings
$PY manage.py migrate --noinput -v0
$PY manage.py load_policy four-tier >/dev/null
# shellcheck disable=SC2086
$PY manage.py seed_company ${BENCH_ARGS:-}
seconds=5 repeat=3
if [[ " ${BENCH_ARGS:-} " == *" --small "* ]]; then
  seconds=2 repeat=1
fi
$PY manage.py bench_pages --seconds "${BENCH_SECONDS:-$seconds}"
$PY manage.py bench_documents --repeat "$repeat"
