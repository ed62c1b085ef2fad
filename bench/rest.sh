#!/usr/bin/env bash
# The REST API's anonymous reads (what WordPress apps, headless front ends and importers ask),
# with the page cache on and off, on a site of 10,000 articles: requests/s, p99 and the ratio.
# Needs wrk (apt-get install wrk).
# Usage: bench/rest.sh [seconds per run, default 5] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
conns=${2:-16}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q
bin=target/release/newsroom
. bench/common.sh
n=10000
dir=$(demo_site "$n")

paths=(
  "/wp-json/"
  "/wp-json/wp/v2/posts"
  "/wp-json/wp/v2/posts?categories=2&page=50"
  "/wp-json/wp/v2/posts?search=market"
  "/wp-json/wp/v2/posts?search=market&categories=9&page=30"
  "/wp-json/wp/v2/categories"
  "/wp-json/wp/v2/tags?per_page=100"
  "/wp-json/wp/v2/users"
  "/wp-json/wp/v2/comments"
  "/wp-json/wp/v2/search?search=market"
  "/wp-json/wp/v2/search?search=market&page=20"
)

declare -A off on
for mode in off on; do
  port=$((18400 + ${#mode}))
  cache=(--page-cache-mb 0)
  [ "$mode" = on ] && cache=()
  NEWSROOM_LOG=error "$bin" --data "$dir" serve --no-demo "${cache[@]}" --listen "127.0.0.1:$port" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/wp-json/" >/dev/null && break; sleep 0.1; done
  for p in "${paths[@]}"; do
    r=$(wrk_figures "http://127.0.0.1:$port$p")
    if [ "$mode" = on ]; then on[$p]=$r; else off[$p]=$r; fi
  done
  kill $pid; wait $pid 2>/dev/null || true
done

printf '%-44s %20s %20s %8s\n' "path ($n articles, $conns connections)" "cache off req/s p99" "cache on req/s p99" "ratio"
for p in "${paths[@]}"; do
  read -r a ap abad <<<"${off[$p]}"
  read -r b bp bbad <<<"${on[$p]}"
  flag=""
  [ "$abad$bbad" != "00" ] && flag="   NON-2XX: $abad / $bbad"
  printf '%-44s %11s %8s %11s %8s %7.1fx%s\n' "$p" "$a" "$ap" "$b" "$bp" "$(awk -v a="$a" -v b="$b" 'BEGIN { print b / a }')" "$flag"
done
