# Shared by the benchmarks: sourced, not run. Expects $bin (the release binary) to be set.

# The demo site of N articles under bench/out/site-N, generated once and reused by every
# benchmark that measures that size; prints its folder.
demo_site() {
  local n=$1 dir="bench/out/site-$1"
  if [ ! -f "$dir/.done" ]; then
    rm -rf "$dir"
    mkdir -p bench/out
    echo "generating a site with $n articles…" >&2
    NEWSROOM_LOG=warn "$bin" --data "$dir" demo --articles "$((n - 6))" >/dev/null
    touch "$dir/.done"
  fi
  echo "$dir"
}

# One wrk run of URL with $secs seconds and $conns connections: "req/s p99 non-2xx".
wrk_figures() {
  local res
  res=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$1" 2>&1)
  awk '/Requests\/sec/ {rps = $2} $1 == "99%" {p99 = $2} /Non-2xx/ {bad = $5}
       END {printf "%s %s %s\n", rps, p99, bad ? bad : 0}' <<<"$res"
}
