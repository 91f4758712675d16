#!/usr/bin/env bash
# The analytics recomputed outside Kaeru: a demo company (or `--people N` synthetic one) on a fresh database
# (SQLite, or PostgreSQL), its stints exported with `kaeru export stints`, the API's figures fetched with a
# read token, and tools/check_analytics.py recomputing turnover, returns and survival from the CSV alone.
#
#   tools/analytics_check.sh [sqlite|postgres] [path/to/kaeru] [demo arguments…]
set -euo pipefail
backend=${1:-sqlite}
bin=${2:-$(cd "$(dirname "$0")/.." && pwd)/target/debug/kaeru}
shift $(( $# > 2 ? 2 : $# )) || true
tools=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/kaeru-analytics.XXXXXX)
unset KAERU_DATABASE_URL
if [ "$backend" = postgres ]; then
  pg=${KAERU_E2E_PG:-postgres://postgres@127.0.0.1:5432}
  psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS kaeru_analytics WITH (FORCE)" -c "CREATE DATABASE kaeru_analytics"
  export KAERU_DATABASE_URL=$pg/kaeru_analytics
fi
cd "$dir"
"$bin" demo "$@" > demo.log 2>&1
# A fresh database holds one company, the demo's or the synthetic one.
"$bin" export stints --out stints.csv
token=$("$bin" token create --scope read --name analytics-check 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" > serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
for what in turnover returns retention; do
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/analytics/$what" -o "$what.json"
done
python3 "$tools/check_analytics.py" stints.csv turnover.json returns.json retention.json
