#!/usr/bin/env bash
# people_ab.sh BIN... : `/healthz` and `/people` for each build in turn on one 100,000-person SQLite file, two
# rounds, so that builds are compared on the same data in the same minutes (docs/PERFORMANCE.md, seventh pass).
# The data folder (KAERU_AB_DIR, default /tmp/kaeru-ab) is seeded once by the first build and kept.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BIN [BIN...]"; exit 2; }
dir=${KAERU_AB_DIR:-/tmp/kaeru-ab}
export KAERU_DATA_DIR=$dir
unset KAERU_DATABASE_URL
if [ ! -f "$dir/kaeru.db" ]; then mkdir -p "$dir"; "$1" demo --people 100000 >/dev/null; fi
port=18401 base=http://127.0.0.1:18401 jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
for round in 1 2; do
  for bin in "$@"; do
    RUST_LOG=warn KAERU_LISTEN=127.0.0.1:$port "$bin" serve >"$dir/node.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
    rm -f "$jar"
    csrf=$(curl -s -c "$jar" "$base/login" | grep -o 'name="_csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//; s/"//')
    curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "_csrf=$csrf" \
      --data-urlencode "email=owner@synthetic-100000.example" --data-urlencode "password=kaeru-demo-2026" "$base/login"
    cookie=$(awk '$6 == "kaeru_session" {print $7}' "$jar")
    curl -s -o /dev/null -H "Cookie: kaeru_session=$cookie" "$base/people"
    echo "== $bin, round $round"
    echo -n "/healthz: "; wrk -t2 -c64 -d8s --latency "$base/healthz" | grep -E "Requests/sec|99%" | tr -s ' \n' ' '; echo
    echo -n "/people:  "; wrk -t2 -c64 -d8s --latency -H "Cookie: kaeru_session=$cookie" "$base/people" | grep -E "Requests/sec|99%|Non-2xx" | tr -s ' \n' ' '; echo
    curl -s "$base/metrics" | grep '^kaeru_session_reads_total' || true
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
