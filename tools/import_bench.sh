#!/usr/bin/env bash
# import_bench.sh sqlite|postgres BIN [PEOPLE]: times `kaeru import people` of a Shift_JIS HR export (15 columns)
# into an empty company: a dry run, the first import, the same file again, its dry run. Wall time of each command.
set -euo pipefail
backend=$1 bin=$2 n=${3:-100000}
file=/tmp/kaeru-import-bench-$n.csv
[ -f "$file" ] || python3 "$(dirname "$0")/gen_people_csv.py" "$n" "$file" --sjis
dir=$(mktemp -d)
export KAERU_OWNER_PASSWORD=benchmark-pass-1 KAERU_LOG=warn
if [ "$backend" = postgres ]; then
  db=kaeru_import_bench
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  export KAERU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db
fi
"$bin" company add --data-dir "$dir" --slug bench --name Bench --owner-email o@b.example --owner-name O >/dev/null
t() { local label=$1; shift; local s=$(date +%s.%N); "$@" >/dev/null; printf '%-28s %6.2f s\n' "$label" "$(echo "$(date +%s.%N) - $s" | bc)"; }
t "dry run (empty company)" "$bin" import people "$file" --data-dir "$dir" --dry-run
t "import ($n created)" "$bin" import people "$file" --data-dir "$dir"
t "same file ($n unchanged)" "$bin" import people "$file" --data-dir "$dir"
t "dry run ($n known)" "$bin" import people "$file" --data-dir "$dir" --dry-run
rm -rf "$dir"
