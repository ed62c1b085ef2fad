#!/usr/bin/env bash
# Import speed and memory: generate a WordPress export of N posts with comments (bench/gen_wxr.py),
# import it with the release binary on SQLite and on PostgreSQL (127.0.0.1:5432, user postgres),
# and print posts/s and the peak memory (RSS) of the import. Goal: ≥ 5,000 posts/s, < 200 MB.
# Usage: bench/import.sh [posts, default 100000]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
cargo build --release -q
bin=$PWD/target/release/newsroom
out=bench/out
mkdir -p "$out"
file="$out/wxr-$n.xml"
[ -f "$file" ] || { echo "writing $file…" >&2; python3 bench/gen_wxr.py "$n" > "$file"; }
echo "file: $(du -h "$file" | cut -f1), $n posts"

# Runs a command; prints its wall time in seconds and its peak RSS in MB.
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.time()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
if r.returncode:
    sys.exit(r.returncode)
print(f"{time.time() - t:.2f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f}")
PY
}

report() { # backend seconds mb
  awk -v b="$1" -v s="$2" -v m="$3" -v n="$n" 'BEGIN {
    printf "%-10s %8.1f s  %8.0f posts/s  peak %4d MB   (goal ≥ 5000 posts/s: %.2f×; < 200 MB)\n", b, s, n / s, m, n / s / 5000 }'
}

dir="$out/import-sqlite"
rm -rf "$dir"
read -r secs mb < <(NEWSROOM_LOG=warn measure "$bin" --data "$dir" import wxr "$file")
report sqlite "$secs" "$mb"

if psql -h 127.0.0.1 -U postgres -c 'SELECT 1' >/dev/null 2>&1; then
  db=newsroom_bench_import
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  read -r secs mb < <(NEWSROOM_LOG=warn measure "$bin" --data "$out/import-pg" \
    --database "postgres://postgres@127.0.0.1:5432/$db" import wxr "$file")
  report postgres "$secs" "$mb"
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
else
  echo "postgres   skipped: no PostgreSQL on 127.0.0.1:5432"
fi
echo "the imported SQLite site is in $dir (serve it: $bin --data $dir serve --no-demo)"
