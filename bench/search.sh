#!/usr/bin/env bash
# Search at 10,000 and 100,000 articles: index build time and size (newsroom reindex), p50/p99 of
# 20 typical queries in-process (cargo bench --bench search) and over HTTP (wrk, one connection,
# so each figure is one request's own time), searches/s with 16 connections, and the feeds and
# sitemaps beside an article page (they must not read every post). Needs wrk (apt-get install wrk).
# Goals: p50 < 2 ms and p99 < 20 ms over HTTP at 100,000; index built at ≥ 5,000 articles/s.
# Usage: bench/search.sh [sizes, default "10000 100000"]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${*:-10000 100000}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q
cargo bench --no-run -q --bench search 2>/dev/null
bin=$PWD/target/release/newsroom
out=bench/out
mkdir -p "$out"

# The queries of benches/search.rs, as paths.
lua="$out/search-queries.lua"
python3 - "$lua" <<'PY'
import re, sys, urllib.parse
src = open("benches/search.rs").read()
block = src[src.index("pub const QUERIES"):]
block = block[:block.index("];")]
queries = [q.encode().decode("unicode_escape") for q in re.findall(r'^\s*"((?:[^"\\]|\\.)*)",\s*$', block, re.M)]
assert len(queries) == 20, queries
paths = ["/?" + urllib.parse.urlencode({"s": q}) for q in queries]
with open(sys.argv[1], "w") as f:
    f.write("local paths = {" + ", ".join('"%s"' % p for p in paths) + "}\n")
    f.write("local i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
PY

wrk_run() { # connections seconds url [lua] -> "req/s p50 p99"
  local res
  if [ -n "${4:-}" ]; then
    res=$(wrk -t1 -c"$1" -d"$2s" --latency -s "$4" "$3" 2>&1)
  else
    res=$(wrk -t1 -c"$1" -d"$2s" --latency "$3" 2>&1)
  fi
  if grep -q "Non-2xx" <<<"$res"; then echo "non-2xx answers from $3" >&2; fi
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$res") $(awk '$1=="50%" {print $2}' <<<"$res") $(awk '$1=="99%" {print $2}' <<<"$res")"
}

for n in $sizes; do
  file="$out/wxr-zipf-$n.xml"
  [ -f "$file" ] || { echo "writing $file…" >&2; python3 bench/gen_wxr.py "$n" --zipf > "$file"; }
  dir="$out/search-$n"
  if [ ! -f "$dir/.done" ]; then
    rm -rf "$dir"
    echo "importing $n articles…" >&2
    NEWSROOM_LOG=warn "$bin" --data "$dir" import wxr "$file" >/dev/null
    touch "$dir/.done"
  fi
  echo "== $n articles"
  NEWSROOM_LOG=warn "$bin" --data "$dir" reindex
  echo "index size: $(du -sh "$dir/search" | cut -f1)"
  NEWSROOM_SEARCH_DIR="$dir/search" cargo bench -q --bench search -- 100 | sed 's/^/  /'

  port=$((19000 + n % 997))
  # First with the page cache off, so every search runs the index and reads the database (the
  # first reader of a query, and the long tail of queries nobody repeats); then as it runs.
  NEWSROOM_LOG=error "$bin" --data "$dir" serve --no-demo --page-cache-mb 0 --listen "127.0.0.1:$port" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  base="http://127.0.0.1:$port"
  wrk_run 1 2 "$base/" "$lua" >/dev/null # warm up
  read -r rps p50 p99 < <(wrk_run 1 10 "$base/" "$lua")
  echo "HTTP, one connection, page cache off: p50 $p50  p99 $p99  ($rps searches/s)   goal p50 < 2ms, p99 < 20ms"
  read -r rps p50 p99 < <(wrk_run 16 10 "$base/" "$lua")
  echo "HTTP, 16 connections, page cache off: $rps searches/s (p99 $p99); WordPress at 10,000: 7-8/s"
  kill $pid; wait $pid 2>/dev/null || true

  NEWSROOM_LOG=error "$bin" --data "$dir" serve --no-demo --listen "127.0.0.1:$port" &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  wrk_run 1 2 "$base/" "$lua" >/dev/null # warm up
  read -r rps p50 p99 < <(wrk_run 1 10 "$base/" "$lua")
  echo "HTTP, one connection, page cache on: p50 $p50  p99 $p99  ($rps searches/s)"
  article=$(curl -s "$base/" | grep -o 'class="card-title"><a href="[^"]*"' | head -1 | sed 's/.*href="//; s/"$//')
  month=$(curl -s "$base/sitemap.xml" | grep -o 'sitemap-posts-[0-9-]*\.xml' | tail -1)
  for path in "$article" /feed/ /feed/atom/ /comments/feed/ /sitemap.xml "/$month" /news-sitemap.xml; do
    read -r rps p50 p99 < <(wrk_run 16 5 "$base$path")
    printf '  %-40.40s %10s req/s   p50 %8s   p99 %8s\n' "$path" "$rps" "$p50" "$p99"
  done
  kill $pid; wait $pid 2>/dev/null || true
  trap - EXIT
done
