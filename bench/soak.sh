#!/usr/bin/env bash
# Soak: MINUTES (default 10) of mixed traffic (reads, comments, a publish every 5 s) on a site of
# ARTICLES generated articles (default 2000), on SQLite and then on PostgreSQL; memory, open files
# and latency are printed each minute and first-to-last at the end. Needs wrk and python3.
# Usage: bench/soak.sh [MINUTES] [ARTICLES]   (SQLITE_ONLY=1 skips PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
articles=${2:-2000}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q
bin=$PWD/target/release/newsroom
pg_admin=${NEWSROOM_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}

soak() {
  local name=$1 database=$2
  local out=bench/out/soak-$name
  rm -rf "$out"
  mkdir -p "$out"
  export NEWSROOM_DATA="$out/data" NEWSROOM_LOG=error
  if [ -n "$database" ]; then export NEWSROOM_DATABASE_URL="$database"; else unset NEWSROOM_DATABASE_URL; fi
  "$bin" demo --articles "$articles" >/dev/null
  echo "soak-password-1234" | "$bin" user add soak@example.org --role editor --name "Soak Editor" --password-stdin >/dev/null
  local app
  app=$("$bin" user app-password soak@example.org "soak" 2>/dev/null)
  local port=18790 mport=18791
  "$bin" serve --no-demo --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$mport" --trusted-proxy 127.0.0.1 &
  local pid=$!
  trap "kill $pid 2>/dev/null || true" EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  echo "== $name: $articles articles, $minutes minutes"
  python3 bench/soak.py "http://127.0.0.1:$port" "http://127.0.0.1:$mport" soak@example.org "$app" "$minutes"
  kill -TERM "$pid"
  wait "$pid" && echo "$name: stopped cleanly on SIGTERM (exit 0)"
  trap - EXIT
}

soak sqlite ""
if [ "${SQLITE_ONLY:-0}" != 1 ]; then
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS newsroom_soak WITH (FORCE)" -c "CREATE DATABASE newsroom_soak"
  soak postgres "${pg_admin%/*}/newsroom_soak"
fi
