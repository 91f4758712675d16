#!/usr/bin/env bash
# Scale figures side by side in one run (issue 19; docs/PERFORMANCE.md): a synthetic company of PEOPLE people,
# `/healthz` and `/people` under wrk at 64 connections, the first search and opening ranking after each of 20
# writes (on PostgreSQL written on one node and read on a second), and resident memory sampled every 5 s.
#
# Usage: tools/scale_bench.sh sqlite|postgres BIN [PEOPLE] [LOAD_SECONDS]
#   BIN: a release build (target/release/kaeru). PostgreSQL: a fresh database kaeru_bench at 127.0.0.1:5432.
#   LOAD_SECONDS (default 0): after the figures, that many seconds of mixed reads and writes at 64
#   connections (wrk on /people and /search, a write every 0.5 s) with the resident memory printed every 5 s.
set -euo pipefail
mode=$1
bin=$(realpath "$2")
people=${3:-100000}
load=${4:-0}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
port_a=18301
port_b=18302
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

unset KAERU_DATABASE_URL KAERU_DATA_DIR
if [ "$mode" = postgres ]; then
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS kaeru_bench" -c "CREATE DATABASE kaeru_bench"
  export KAERU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaeru_bench
else
  export KAERU_DATA_DIR=$work
fi
echo "== seeding $people people ($mode)"
/usr/bin/time -f "seeded in %e s" "$bin" demo --people "$people" >/dev/null
token=$("$bin" token create --scope write --name "scale bench" 2>/dev/null | tail -1)

start() {
  RUST_LOG=warn KAERU_LISTEN=127.0.0.1:$1 "$bin" serve >"$work/node-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.2; done
  echo "node on $1 did not start"; cat "$work/node-$1.log"; exit 1
}
start $port_a
pid_a=${pids[0]}
read_base=http://127.0.0.1:$port_a
if [ "$mode" = postgres ]; then
  start $port_b
  read_base=http://127.0.0.1:$port_b
fi
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$1/status"; }
echo "== resident memory before any request: $(rss "$pid_a")"

# A signed-in owner's cookie for the pages.
jar=$work/jar
base=http://127.0.0.1:$port_a
csrf=$(curl -s -c "$jar" "$base/login" | grep -o 'name="_csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//; s/"//')
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "_csrf=$csrf" \
  --data-urlencode "email=owner@synthetic-$people.example" --data-urlencode "password=kaeru-demo-2026" "$base/login"
cookie=$(awk '$6 == "kaeru_session" {print $7}' "$jar")
[ -n "$cookie" ] || { echo "sign-in failed"; exit 1; }

curl -s -o /dev/null -H "Cookie: kaeru_session=$cookie" "$base/people"
curl -s -o /dev/null -H "Cookie: kaeru_session=$cookie" "$base/search?q=%E5%B1%B1"
echo "== /healthz, wrk -t2 -c64 -d10s"
wrk -t2 -c64 -d10s --latency "$base/healthz" | grep -E "Requests/sec|99%|50%"
echo "== /people (50 rows, signed in), wrk -t2 -c64 -d10s"
wrk -t2 -c64 -d10s --latency -H "Cookie: kaeru_session=$cookie" "$base/people" | grep -E "Requests/sec|99%|50%|Non-2xx"
for page in "/people?page=1500" "/offers" "/engagements" "/engagements?status=ended&page=10" "/reconnect" "/network" "/search?q=%E5%B1%B1%E7%94%B0" "/" "/skills"; do
  echo "== $page, wrk -t2 -c64 -d5s"
  curl -s -o /dev/null -H "Cookie: kaeru_session=$cookie" "$base$page"
  wrk -t2 -c64 -d5s --latency -H "Cookie: kaeru_session=$cookie" "$base$page" | grep -E "Requests/sec|99%|50%|Non-2xx"
done
for path in "/api/v1/people" "/api/v1/people?page=1500" "/api/v1/offers"; do
  echo "== $path (API token), wrk -t2 -c64 -d5s"
  wrk -t2 -c64 -d5s --latency -H "Authorization: Bearer $token" "$base$path" | grep -E "Requests/sec|99%|50%|Non-2xx"
done
echo "== resident memory with both indexes warm: $(rss "$pid_a")"
echo "== 20 writes, each followed by a search and by an opening's ranking (write on :$port_a, read on ${read_base##*:})"
python3 "$here/scale_bench.py" "$base" "$read_base" "$token" 20
echo "== resident memory after the writes: $(rss "$pid_a")"

if [ "$load" -gt 0 ]; then
  echo "== $load s of mixed load at 64 connections; resident memory every 5 s"
  wrk -t2 -c48 -d"${load}s" -H "Cookie: kaeru_session=$cookie" "$base/people" >"$work/wrk-people" &
  w1=$!
  wrk -t1 -c16 -d"${load}s" -H "Cookie: kaeru_session=$cookie" "$base/search?q=%E5%B1%B1%E7%94%B0" >"$work/wrk-search" &
  w2=$!
  ids=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/people?per_page=100" | python3 -c 'import json,sys; print(" ".join(p["id"] for p in json.load(sys.stdin)["items"]))')
  end=$((SECONDS + load))
  n=0
  errors=0
  next_sample=$SECONDS
  while [ $SECONDS -lt $end ]; do
    for id in $ids; do
      [ $SECONDS -lt $end ] || break
      code=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"notes\":\"負荷試験 $n\"}" "$base/api/v1/people/$id")
      [ "$code" = 200 ] || errors=$((errors + 1))
      n=$((n + 1))
      if [ $SECONDS -ge $next_sample ]; then echo "t=$((SECONDS - end + load))s rss=$(rss "$pid_a")"; next_sample=$((SECONDS + 5)); fi
      sleep 0.5
    done
  done
  wait $w1 $w2
  echo "writes: $n, failed: $errors"
  grep -E "Requests/sec|Non-2xx|Socket errors" "$work/wrk-people" "$work/wrk-search" || true
  echo "== resident memory at the end: $(rss "$pid_a")"
fi
