#!/usr/bin/env bash
# Index memory by company size (docs/SCALING.md): for each size, a synthetic company on SQLite, both indexes
# warmed through the API (a search, an opening's ranking), then /metrics' heap estimate of each index and the
# node's resident memory.
#
# Usage: tools/index_memory.sh BIN [SIZES...]   (default sizes: 1000 10000 100000)
set -euo pipefail
bin=$(realpath "$1")
shift
sizes=${*:-1000 10000 100000}
port=18311
echo "| People | Search index | Matching index | Resident memory, both warm |"
echo "|---|---|---|---|"
for n in $sizes; do
  work=$(mktemp -d)
  unset KAERU_DATABASE_URL
  export KAERU_DATA_DIR=$work
  "$bin" demo --people "$n" >/dev/null 2>&1
  token=$("$bin" token create --scope write --name memory 2>/dev/null | tail -1)
  RUST_LOG=warn KAERU_LISTEN=127.0.0.1:$port "$bin" serve >"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  base=http://127.0.0.1:$port
  auth="Authorization: Bearer $token"
  skill=$(curl -s -H "$auth" "$base/api/v1/skills" | python3 -c 'import json,sys; d=json.load(sys.stdin); print((d["items"] if isinstance(d, dict) else d)[0]["id"])')
  opening=$(curl -s -H "$auth" -H 'Content-Type: application/json' -d "{\"title\":\"memory\",\"work_style\":\"full_time\",\"required\":[{\"skill_id\":\"$skill\",\"min_level\":3}]}" "$base/api/v1/openings" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -s -o /dev/null -H "$auth" "$base/api/v1/people?q=%E5%B1%B1"
  curl -s -o /dev/null -H "$auth" "$base/api/v1/openings/$opening/matches"
  sleep 3
  metrics=$(curl -s "$base/metrics")
  search=$(echo "$metrics" | awk '/^kaeru_index_bytes\{index="search"\}/ {printf "%.1f MB", $2/1048576}')
  matching=$(echo "$metrics" | awk '/^kaeru_index_bytes\{index="matching"\}/ {printf "%.1f MB", $2/1048576}')
  rss=$(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status")
  printf "| %'d | %s | %s | %s |\n" "$n" "$search" "$matching" "$rss"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
done
