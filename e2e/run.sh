#!/usr/bin/env bash
# Runs the browser journeys against fresh databases: `./run.sh` on SQLite, `./run.sh postgres` on PostgreSQL,
# `./run.sh moved` on PostgreSQL holding the demo install seeded on SQLite and moved there by `kaeru move`
# (then name the journeys to run after it, e.g. `./run.sh moved tests/demo.spec.js`).
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
if [ "$backend" = postgres ] || [ "$backend" = moved ]; then
  pg=${KAERU_E2E_PG:-postgres://postgres@127.0.0.1:5432}
  for db in kaeru_e2e_fresh kaeru_e2e_demo; do
    psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  done
  export KAERU_E2E_FRESH_URL=$pg/kaeru_e2e_fresh KAERU_E2E_DEMO_URL=$pg/kaeru_e2e_demo
fi
if [ "$backend" = moved ]; then
  # The demo seeded on SQLite, then moved: the server's --demo finds the company there and seeds nothing.
  env -u KAERU_DATABASE_URL "$KAERU_BIN" demo --data-dir "$root/sqlite-demo" > "$root/demo.log"
  env -u KAERU_DATABASE_URL "$KAERU_BIN" move --data-dir "$root/sqlite-demo" --to "$KAERU_E2E_DEMO_URL" | tail -3
fi
[ -d node_modules/@playwright/test ] || npm ci --no-audit --no-fund
# A real SMTP server on loopback receives what the servers send; the journeys read the messages it keeps.
# pdfminer.six reads the letters back (tools/pdf_text.py).
python3 -c "import aiosmtpd, pdfminer" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check aiosmtpd pdfminer.six
export KAERU_E2E_MAIL_DIR=$root/mail
python3 ../tools/smtp_sink.py 0 "$KAERU_E2E_MAIL_DIR" > "$root/smtp.log" 2>&1 &
smtp_pid=$!
trap 'kill $smtp_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^ready ' "$root/smtp.log" 2>/dev/null && break; sleep 0.1; done
KAERU_E2E_SMTP_PORT=$(sed -n 's/^ready //p' "$root/smtp.log")
[ -n "$KAERU_E2E_SMTP_PORT" ] || { echo "the SMTP test server did not start:"; cat "$root/smtp.log"; exit 1; }
export KAERU_E2E_SMTP_PORT
echo "SMTP test server on 127.0.0.1:$KAERU_E2E_SMTP_PORT"
# The fake LINE Messaging API: checks what Kaeru sends, signs the webhooks it sends Kaeru.
export KAERU_E2E_LINE_TOKEN=e2e-access-token KAERU_E2E_LINE_SECRET=e2e-channel-secret
python3 ../tools/fake_line.py 0 "$KAERU_E2E_LINE_TOKEN" "$KAERU_E2E_LINE_SECRET" > "$root/line.log" 2>&1 &
line_pid=$!
trap 'kill $smtp_pid $line_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^ready ' "$root/line.log" 2>/dev/null && break; sleep 0.1; done
KAERU_E2E_LINE_URL="http://127.0.0.1:$(sed -n 's/^ready //p' "$root/line.log")"
export KAERU_E2E_LINE_URL
echo "Fake LINE API on $KAERU_E2E_LINE_URL"
echo "Browser journeys on $backend"
set +e
npx playwright test "${@:2}"
status=$?
set -e
rm -rf "$root"
exit $status
