#!/usr/bin/env bash
# Fails with a clear message when the PostgreSQL server for the tests is not
# reachable: the integration tests need it and must not be skipped silently.
set -euo pipefail

url="${1:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"

if ! command -v psql >/dev/null 2>&1; then
  echo "error: psql is not installed; install the PostgreSQL client (apt-get install postgresql-client)" >&2
  exit 1
fi
if ! psql "$url" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  echo "error: PostgreSQL is not reachable at TEST_DATABASE_URL=${url//:*@/:***@}" >&2
  echo "       start it (on Debian: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start)" >&2
  echo "       or point TEST_DATABASE_URL at a server where the user may create databases" >&2
  exit 1
fi
