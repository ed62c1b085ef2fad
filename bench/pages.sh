#!/usr/bin/env bash
# Page speed: requests/s and p99 for the article page, home and a category archive, on sites of
# 1,000 and 10,000 articles (pages must stay O(log n)). Needs wrk (apt-get install wrk).
# Usage: bench/pages.sh [seconds per run, default 10] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q
bin=target/release/newsroom
. bench/common.sh
out=bench/out
mkdir -p "$out"

run() { # name url size: prints req/s and p99, keeps req/s for the ratio
  local rps p99 non2xx
  read -r rps p99 non2xx <<<"$(wrk_figures "$2")"
  [ "$non2xx" = 0 ] && non2xx=""
  printf '%-10s %-9s %12s req/s   p99 %8s%s\n' "$3" "$1" "$rps" "$p99" "${non2xx:+   NON-2XX: $non2xx}"
  echo "$rps" > "$out/$3-$1.rps"
}

for n in 1000 10000; do
  dir=$(demo_site "$n")
  port=$((18000 + n % 997))
  NEWSROOM_LOG=error "$bin" --data "$dir" serve --no-demo --listen "127.0.0.1:$port" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  base="http://127.0.0.1:$port"
  article=$(curl -s "$base/" | grep -o 'class="card-title"><a href="[^"]*"' | head -1 | sed 's/.*href="//; s/"$//')
  category=$(curl -s "$base/" | grep -o 'href="/category/[^"]*"' | head -1 | sed 's/href="//; s/"$//')
  run article "$base$article" "$n"
  run home "$base/" "$n"
  run category "$base$category" "$n"
  kill $pid; wait $pid 2>/dev/null || true
done

echo
echo "ratio 10,000 / 1,000 articles (1.00 = flat; O(n) pages would fall towards 0.10):"
for page in article home category; do
  awk -v a="$(cat $out/1000-$page.rps)" -v b="$(cat $out/10000-$page.rps)" -v p="$page" 'BEGIN { printf "  %-9s %.2f\n", p, b / a }'
done
