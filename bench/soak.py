"""Soak: MINUTES of mixed traffic on one running Newsroom: readers (wrk, one slice a minute over
home, articles, a category, a feed, a search), commenters (a few a second, each with a real form
token, from many addresses), and an editor publishing through the REST API every few seconds.
Memory and open files come from the private /metrics address; each minute prints one line, and the
first and last minutes are compared at the end. Usage (bench/soak.sh runs it per backend):
  soak.py BASE METRICS_BASE APP_LOGIN APP_PASSWORD MINUTES"""
import base64
import http.client
import json
import queue
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

base, metrics_base, login, app_password, minutes = sys.argv[1:6]
minutes = int(minutes)
host = urllib.parse.urlparse(base).netloc
stop = threading.Event()
counts = {"comments_ok": 0, "comments_refused": 0, "published": 0, "publish_failed": 0, "errors": 0}
lock = threading.Lock()


def bump(key):
    with lock:
        counts[key] += 1


def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read().decode("utf-8", "replace")


def metric(text, name):
    m = re.search(r"^" + re.escape(name) + r" (\d+(?:\.\d+)?)", text, re.M)
    return float(m.group(1)) if m else float("nan")


def readings():
    conn = http.client.HTTPConnection(urllib.parse.urlparse(metrics_base).netloc, timeout=10)
    _, text = get(conn, "/metrics")
    return (metric(text, "newsroom_process_resident_memory_bytes") / 1048576,
            metric(text, "newsroom_process_open_files"),
            metric(text, "newsroom_change_log_lag"))


def commenters():
    """Fetch forms, hold each token 3.2 s (faster is refused as a bot's), then send it."""
    conn = http.client.HTTPConnection(host, timeout=10)
    _, home = get(conn, "/")
    articles = re.findall(r'class="card-title"><a href="([^"]+)"', home)
    waiting = queue.Queue()
    n = 0
    while not stop.is_set():
        try:
            path = random.choice(articles)
            _, page = get(conn, urllib.parse.quote(path))
            post = re.search(r'name="comment_post_ID" value="(\d+)"', page)
            token = re.search(r'name="newsroom_token" value="([^"]+)"', page)
            if post and token:
                waiting.put((time.time(), post.group(1), token.group(1)))
            while not waiting.empty() and waiting.queue[0][0] < time.time() - 3.2:
                _, post_id, tok = waiting.get()
                n += 1
                body = urllib.parse.urlencode({
                    "comment_post_ID": post_id, "newsroom_token": tok, "comment_parent": "0",
                    "author": f"Soak reader {n}", "email": f"soak{n}@example.net",
                    "comment": f"Soak comment {n}: the talks went on into the night.",
                })
                ip = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
                conn.request("POST", "/wp-comments-post.php", body, {
                    "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": ip})
                r = conn.getresponse()
                r.read()
                bump("comments_ok" if r.status == 303 else "comments_refused")
            time.sleep(0.2)
        except Exception:
            bump("errors")
            conn = http.client.HTTPConnection(host, timeout=10)
            time.sleep(0.5)


def editor():
    """Publish an article through the REST API every 5 s."""
    auth = base64.b64encode(f"{login}:{app_password}".encode()).decode()
    conn = http.client.HTTPConnection(host, timeout=10)
    n = 0
    while not stop.wait(5):
        n += 1
        body = json.dumps({"title": f"Soak bulletin {n}", "status": "publish",
                           "content": f"Bulletin {n}: talks resumed at dawn, officials said."})
        try:
            conn.request("POST", "/wp-json/wp/v2/posts", body, {
                "Authorization": f"Basic {auth}", "Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            bump("published" if r.status == 201 else "publish_failed")
        except Exception:
            bump("errors")
            conn = http.client.HTTPConnection(host, timeout=10)


def reader_script():
    conn = http.client.HTTPConnection(host, timeout=10)
    _, home = get(conn, "/")
    articles = re.findall(r'class="card-title"><a href="([^"]+)"', home)[:5]
    category = re.search(r'href="(/category/[^"]+)"', home)
    paths = ["/"] + articles + ([category.group(1)] if category else []) + ["/feed/", "/?s=talks"]
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write("local paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
                 "local i = 0\nrequest = function()\n  i = i + 1\n"
                 "  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n")
    script.close()
    return script.name, paths


def wrk_minute(script):
    out = subprocess.run(["wrk", "-t1", "-c16", "-d60s", "--latency", "-s", script, base],
                         capture_output=True, text=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(\w+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(\w+)", out, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: (.*)", out)

    def ms(m):
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v * {"us": 0.001, "ms": 1, "s": 1000}.get(unit, 1)
    return (float(rate.group(1)) if rate else 0.0, ms(p50), ms(p99),
            int(errors.group(1)) if errors else 0, sockets.group(1) if sockets else "none")


script, paths = reader_script()
print(f"readers rotate over {len(paths)} pages; commenters and an editor run beside them")
threads = [threading.Thread(target=commenters, daemon=True), threading.Thread(target=editor, daemon=True)]
for t in threads:
    t.start()
print(f"{'min':>3} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7} {'RSS MB':>7} {'files':>5} {'lag':>4} "
      f"{'comments':>8} {'published':>9} socket errors")
rows = []
for minute in range(1, minutes + 1):
    rate, p50, p99, bad, sockets = wrk_minute(script)
    rss, files, lag = readings()
    rows.append((rate, p50, p99, rss, files))
    with lock:
        c, p = counts["comments_ok"], counts["published"]
    print(f"{minute:>3} {rate:>8.0f} {p50:>7.2f} {p99:>7.2f} {bad:>7} {rss:>7.1f} {files:>5.0f} {lag:>4.0f} {c:>8} {p:>9} {sockets}",
          flush=True)
stop.set()
first, last = rows[0], rows[-1]
print(f"first → last minute: req/s {first[0]:.0f} → {last[0]:.0f}, p99 {first[2]:.2f} → {last[2]:.2f} ms, "
      f"RSS {first[3]:.1f} → {last[3]:.1f} MB, open files {first[4]:.0f} → {last[4]:.0f}")
print(f"comments acknowledged {counts['comments_ok']}, refused {counts['comments_refused']}; "
      f"articles published {counts['published']}, failed {counts['publish_failed']}; client errors {counts['errors']}")
