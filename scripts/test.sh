#!/usr/bin/env bash
# Run the whole test suite on PostgreSQL, a real Redis and headless Chromium.
# Installs what is missing and starts the services when they are down.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

apt_install chromium fonts-wqy-microhei postgresql redis-server

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  log "启动 PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "启动 Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

# An application role with a password and CREATEDB works under trust and scram alike.
(cd / && runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'county') THEN
    CREATE ROLE county LOGIN PASSWORD 'county' CREATEDB;
  END IF;
END $$;
SQL
)

ensure_venv
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://county:county@127.0.0.1:5432/county}"
export CELERY_BROKER_URL="${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/15}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true

log "ruff"
.venv/bin/ruff check -q .
.venv/bin/ruff format --check -q .
log "pytest"
exec .venv/bin/pytest "$@"
