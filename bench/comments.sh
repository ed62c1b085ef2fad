#!/usr/bin/env bash
# Comment intake: accepted comments/s through the real form endpoint (token, flood control,
# moderation, one durable transaction each), and a check that the database holds exactly as many
# comments as were acknowledged with a 303. Needs wrk and python3.
# Usage: bench/comments.sh [seconds, default 10] [connections, default 32] [backend URL, default SQLite]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
database=${3:-}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q
bin=target/release/newsroom
out=bench/out/comments
rm -rf "$out"
mkdir -p "$out"
export NEWSROOM_DATA="$out/data" NEWSROOM_LOG=error
[ -n "$database" ] && export NEWSROOM_DATABASE_URL="$database"
"$bin" demo >/dev/null
port=18765
# Loopback is the trusted proxy so each request can come "from" its own client IP via
# X-Forwarded-For; otherwise flood control (one comment per IP per 15 s) would refuse them.
"$bin" serve --no-demo --listen "127.0.0.1:$port" --trusted-proxy 127.0.0.1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 50); do curl -sf "$base/" >/dev/null && break; sleep 0.1; done

count() { "$bin" comments count | awk '$1=="total" {print $2}'; }
harvest() { python3 bench/harvest_tokens.py "$base" "$1" "$out/tokens.txt"; sleep 3; } # forms sent back within 3 s are refused as bots'
post() { wrk -t1 -c"$conns" -d"$1s" --latency -s bench/comments.lua "$base" -- "$out/tokens.txt" "$2" 2>&1; }

# 1. Throughput: one signed, single-use form token per comment, as a reader's would be; more
#    tokens than can be used, so the server is busy with comments for the whole run.
harvest $(( secs * 10000 ))
res=$(post "$secs" 0)
echo "$res" | grep -vE "^\s*(50|75|90)%|Thread Stats|Req/Sec" || true
acked=$(awk '/^acknowledged/ {print $2}' <<<"$res")
rate=$(awk -v a="$acked" -v s="$secs" 'BEGIN { printf "%.0f", a / s }')
echo
echo "accepted comments/s: $rate (WordPress 6.1 on the same kind of machine: 171/s; ratio $(awk -v r="$rate" 'BEGIN { printf "%.1f", r / 171 }')x)"

# 2. Durability: a bounded run (fewer tokens than the run can use, then only GETs), so every
#    POST is answered before wrk stops: the database must hold exactly the acknowledged comments.
# A POST cut off when wrk stopped may still commit (its reader gave up, not the server): let
# those land before counting.
sleep 2
before=$(count)
harvest 2000
res=$(post 5 5000000)
acked=$(awk '/^acknowledged/ {print $2}' <<<"$res")
refused=$(awk '/^refused/ {print $2}' <<<"$res")
stored=$(( $(count) - before ))
echo "bounded run: acknowledged (303) $acked, refused $refused, stored $stored"
if [ "$acked" = "$stored" ] && [ "$acked" -gt 0 ]; then
  echo "durability: the database holds exactly the acknowledged comments"
else
  echo "MISMATCH: acknowledged $acked, stored $stored" >&2
  exit 1
fi
