#!/usr/bin/env bash
# Runs the browser journeys against fresh databases: `./run.sh` on SQLite, `./run.sh postgres` on PostgreSQL.
# KAERU_BIN names the binary (default ../target/debug/kaeru); KAERU_E2E_PG is the PostgreSQL server URL
# without a database name (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")"
backend=${1:-sqlite}
export KAERU_BIN=${KAERU_BIN:-$(cd .. && pwd)/target/debug/kaeru}
root=$(mktemp -d /tmp/kaeru-e2e.XXXXXX)
export KAERU_E2E_FRESH_DIR=$root/fresh KAERU_E2E_DEMO_DIR=$root/demo KAERU_E2E_DIR=$root
mkdir -p "$KAERU_E2E_FRESH_DIR" "$KAERU_E2E_DEMO_DIR"
unset KAERU_E2E_FRESH_URL KAERU_E2E_DEMO_URL
if [ "$backend" = postgres ]; then
  pg=${KAERU_E2E_PG:-postgres://postgres@127.0.0.1:5432}
  for db in kaeru_e2e_fresh kaeru_e2e_demo; do
    psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  done
  export KAERU_E2E_FRESH_URL=$pg/kaeru_e2e_fresh KAERU_E2E_DEMO_URL=$pg/kaeru_e2e_demo
fi
[ -d node_modules/@playwright/test ] || npm ci --no-audit --no-fund
echo "Browser journeys on $backend"
npx playwright test "${@:2}"
status=$?
rm -rf "$root"
exit $status
