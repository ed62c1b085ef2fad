"""Fetch an article's comment form N times over one keep-alive connection and write
"POST_ID TOKEN" lines: the single-use form tokens bench/comments.lua posts with."""
import http.client
import re
import sys
import urllib.parse

base, n, path_out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
host = urllib.parse.urlparse(base).netloc
conn = http.client.HTTPConnection(host)
conn.request("GET", "/")
home = conn.getresponse().read().decode()
article = re.search(r'class="card-title"><a href="([^"]+)"', home).group(1)
post = token = None
with open(path_out, "w") as out:
    for _ in range(n):
        conn.request("GET", urllib.parse.quote(article))
        page = conn.getresponse().read().decode()
        post = re.search(r'name="comment_post_ID" value="(\d+)"', page).group(1)
        token = re.search(r'name="newsroom_token" value="([^"]+)"', page).group(1)
        out.write(f"{post} {token}\n")
print(f"harvested {n} form tokens for post {post}", file=sys.stderr)
