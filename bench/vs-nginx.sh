#!/usr/bin/env bash
# Newsroom's page cache against nginx serving the identical bytes from a file: the article page,
# the home page and a category archive, alternated in one run with wrk (same client, same
# machine), on SQLite and PostgreSQL, at each site size; then the uncached article page (cache
# off) and the server's memory (RSS). Goal: >= 1.0x nginx cached; >= 5,000 req/s uncached.
# Needs wrk and nginx (apt-get install wrk nginx); PostgreSQL on 127.0.0.1:5432 for its rows.
# Usage: bench/vs-nginx.sh [sizes, default "10000"] [seconds per run, default 8] [connections, default 64]
# SQLITE_ONLY=1 skips PostgreSQL (copying a very large site there takes long); PG_ONLY=1 runs
# only it. Sites above 100,000 articles are imported from bench/gen_wxr.py's export;
# GENERATOR=wxr|demo picks for every size.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || true
sizes=${1:-10000}
secs=${2:-8}
conns=${3:-64}
for tool in wrk nginx; do
  command -v $tool >/dev/null || { echo "$tool is needed: apt-get install $tool" >&2; exit 1; }
done
cargo build --release -q
bin=$PWD/target/release/newsroom
out=$PWD/bench/out
mkdir -p "$out"
pg_admin=${NEWSROOM_TEST_PG:-postgres://postgres@127.0.0.1:5432}

rps() { # url -> req/s
  wrk -t2 -c"$conns" -d"${secs}s" "$1" 2>&1 | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "NON-2XX " $0 > "/dev/stderr"}'
}

start_nginx() { # dir port
  local dir=$1 port=$2
  cat > "$dir/nginx.conf" <<EOF
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type text/html;
  server {
    listen 127.0.0.1:$port;
    root $dir/www;
    location / { try_files \$uri \$uri/index.html =404; }
  }
}
EOF
  nginx -c "$dir/nginx.conf" -g 'daemon on;'
}

stop_nginx() { # dir
  [ -f "$1/nginx.pid" ] && kill "$(cat "$1/nginx.pid")" 2>/dev/null || true
  sleep 0.3
}

serve() { # data-dir database-url port [extra…] -> pid
  local dir=$1 db=$2 port=$3
  shift 3
  NEWSROOM_LOG=error NEWSROOM_DATABASE_URL="$db" "$bin" --data "$dir" serve --no-demo --listen "127.0.0.1:$port" "$@" >/dev/null 2>&1 &
  echo $!
}

# A stopping node drains for a second (answering with `Connection: close`) before it lets go of
# its port; `wait` cannot see it (it is not this shell's child), so watch it until it is gone.
stop_server() { kill "$1" 2>/dev/null || true; while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; }

wait_up() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return; sleep 0.1; done; echo "server did not start at $1" >&2; exit 1; }

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

for n in $sizes; do
  # `demo --articles` writes one article per transaction (~1.7 ms each): above 100,000 the site
  # comes from a generated WordPress export instead (GENERATOR=wxr or demo chooses for every size).
  generator=${GENERATOR:-$([ "$n" -gt 100000 ] && echo wxr || echo demo)}
  dir="$out/site-$n"
  [ "$generator" = demo ] || dir="$out/site-wxr-$n"
  if [ ! -f "$dir/.done" ]; then
    rm -rf "$dir"
    if [ "$generator" = demo ]; then
      echo "generating a site with $n articles…" >&2
      NEWSROOM_LOG=warn "$bin" --data "$dir" demo --articles "$((n - 6))" >/dev/null
    else
      file="$out/wxr-$n.xml"
      [ -s "$file" ] || { echo "writing $file…" >&2; python3 bench/gen_wxr.py "$n" > "$file"; }
      echo "importing $n articles from $file…" >&2
      NEWSROOM_LOG=warn "$bin" --data "$dir" import wxr "$file" >/dev/null
      # The index is built before the server starts, not by its follower during the runs.
      NEWSROOM_LOG=warn "$bin" --data "$dir" reindex >/dev/null
    fi
    touch "$dir/.done"
  fi
  backends="sqlite://$dir/newsroom.db"
  if [ "${SQLITE_ONLY:-}" != 1 ] && pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    pgdb="newsroom_bench_$n"
    if ! psql "$pg_admin/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$pgdb'" | grep -q 1; then
      echo "copying the site into PostgreSQL ($pgdb)…" >&2
      psql -q "$pg_admin/postgres" -c "CREATE DATABASE $pgdb" >/dev/null
      NEWSROOM_LOG=warn "$bin" --data "$dir" export wxr --out "$dir/site.xml" >/dev/null
      NEWSROOM_LOG=warn NEWSROOM_DATABASE_URL="$pg_admin/$pgdb" "$bin" --data "$dir/pg" import wxr "$dir/site.xml" >/dev/null
    fi
    backends="$backends $pg_admin/$pgdb"
    [ "${PG_ONLY:-}" = 1 ] && backends="$pg_admin/$pgdb"
  fi
  for db in $backends; do
    backend=${db%%:*}
    # The data folder's search index follows one database: built for this one before the runs,
    # not by the server's follower during them.
    NEWSROOM_LOG=warn NEWSROOM_DATABASE_URL="$db" "$bin" --data "$dir" reindex >/dev/null
    port=$((18100 + n % 997))
    pid=$(serve "$dir" "$db" "$port")
    trap 'kill $pid 2>/dev/null || true; stop_nginx "$dir"' EXIT
    base="http://127.0.0.1:$port"
    wait_up "$base/"
    article=$(curl -s "$base/" | grep -o 'class="card-title"><a href="[^"]*"' | head -1 | sed 's/.*href="//; s/"$//')
    category=$(curl -s "$base/" | grep -o 'href="/category/[^"]*"' | head -1 | sed 's/href="//; s/"$//')
    # nginx gets the very bytes Newsroom answers, at the same paths.
    rm -rf "$dir/www"
    for path in "$article" / "$category"; do
      mkdir -p "$dir/www$path"
      curl -s "$base$path" > "$dir/www$path/index.html"
    done
    nport=$((port + 1))
    start_nginx "$dir" "$nport"
    echo "== $n articles, $backend (article page $(wc -c < "$dir/www$article/index.html") bytes, $conns connections, ${secs}s runs)"
    for page in article home category; do
      case $page in article) path=$article ;; home) path=/ ;; category) path=$category ;; esac
      best_n=0; best_r=0
      for _ in 1 2; do
        r=$(rps "http://127.0.0.1:$nport$path"); best_n=$(awk -v a="$best_n" -v b="$r" 'BEGIN { print (b > a) ? b : a }')
        r=$(rps "$base$path"); best_r=$(awk -v a="$best_r" -v b="$r" 'BEGIN { print (b > a) ? b : a }')
      done
      awk -v p="$page" -v a="$best_r" -v b="$best_n" 'BEGIN { printf "  %-9s newsroom %9.0f req/s   nginx %9.0f req/s   ratio %.2fx\n", p, a, b, a / b }'
    done
    echo "  newsroom RSS after the runs: $(rss_mb "$pid") MB"
    stop_nginx "$dir"
    stop_server "$pid"

    pid=$(serve "$dir" "$db" "$port" --page-cache-mb 0)
    wait_up "$base/"
    r=$(rps "$base$article")
    awk -v r="$r" 'BEGIN { printf "  uncached article page: %.0f req/s (%.0fx WordPress'"'"'s 48.7; goal 5,000)\n", r, r / 48.7 }'
    # A crawler's pattern: every request a different article, in sitemap order (up to 30,000 of
    # them, more than the server keeps in memory), so an article is cold when it comes round again.
    lua="$dir/articles.lua"
    for month in $(curl -s "$base/sitemap.xml" | grep -o '<loc>[^<]*sitemap-posts-[^<]*</loc>' | sed 's/<[^>]*>//g; s#^[a-z]*://[^/]*##'); do
      curl -s "$base$month" | grep -o '<loc>[^<]*</loc>' | sed 's/<[^>]*>//g; s#^[a-z]*://[^/]*##'
    done 2>/dev/null | head -30000 > "$dir/articles.txt" || true # head stops the loop early
    awk 'BEGIN { printf "local paths = {" } { printf "%s\"%s\"", (NR > 1 ? ", " : ""), $0 } END {
        print "}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend" }' "$dir/articles.txt" > "$lua"
    res=$(wrk -t1 -c"$conns" -d"${secs}s" -s "$lua" "$base" 2>&1) || true # one thread: one pass order
    echo "  uncached, a different article each time (cycling over $(grep -o '", "' "$lua" | wc -l | awk '{print $1 + 1}')): $(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$res") req/s $(grep -E 'Non-2xx' <<<"$res" || true)"
    # Deep pages, uncached: the last page of the home list and of the category, against page 1.
    last=$(( (n - 10) / 10 ))
    deep_cat=$last
    while [ "$deep_cat" -gt 2 ] && ! curl -sf "$base${category}page/$deep_cat/" >/dev/null; do deep_cat=$(( deep_cat * 3 / 4 )); done
    for pair in "/ /page/$last/" "$category ${category}page/$deep_cat/"; do
      first=${pair%% *}; deep=${pair##* }
      a=$(rps "$base$first"); b=$(rps "$base$deep")
      awk -v p="$deep" -v a="$a" -v b="$b" 'BEGIN { printf "  uncached %-32s %7.0f req/s, page 1 %7.0f req/s: %.2fx\n", p, b, a, b / a }'
    done
    echo "  newsroom RSS, cache off: $(rss_mb "$pid") MB"
    stop_server "$pid"

    # A spike: 2,000 connections on one article for 30 s, the cache cold at the start; nginx
    # under the same load first, as the floor this machine and client set.
    start_nginx "$dir" "$nport"
    res=$(wrk -t2 -c2000 -d30s --latency "http://127.0.0.1:$nport$article" 2>&1)
    echo "  nginx, same spike: $(awk '/Requests\/sec/ {print $2}' <<<"$res") req/s, p99 $(awk '$1=="99%" {print $2}' <<<"$res")"
    stop_nginx "$dir"
    pid=$(serve "$dir" "$db" "$port")
    wait_up "$base/feed/"
    res=$(wrk -t2 -c2000 -d30s --latency "$base$article" 2>&1)
    echo "  spike, 2,000 connections, 30 s, cold cache: $(awk '/Requests\/sec/ {print $2}' <<<"$res") req/s, p99 $(awk '$1=="99%" {print $2}' <<<"$res") (goal < 50ms), errors: $(grep -E 'Socket errors|Non-2xx' <<<"$res" | tr -s ' ' | tr '\n' ' ' || true)"
    echo "  newsroom RSS after the spike: $(rss_mb "$pid") MB"
    stop_server "$pid"
    trap - EXIT
  done
done
