"""Parse a feed with feedparser (what many feed readers use) and print what it understood as JSON.

Usage: parse_feed.py URL. Exits 1 when feedparser finds the feed malformed (bozo). feedparser
does not read JSON Feed, so a JSON feed is checked here against the JSON Feed 1.1 rules instead.
"""
import json
import sys
import urllib.request
from datetime import datetime

import feedparser


def fail(message):
    print(f"{sys.argv[1]}: {message}", file=sys.stderr)
    sys.exit(1)


def rfc3339(value, where):
    if not isinstance(value, str) or "T" not in value:
        fail(f"{where}: {value!r} is not an RFC 3339 date")
    try:
        return list(datetime.fromisoformat(value.replace("Z", "+00:00")).utctimetuple())[:6]
    except ValueError:
        fail(f"{where}: {value!r} is not an RFC 3339 date")


def json_feed(body):
    doc = json.loads(body)
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        fail("version is not https://jsonfeed.org/version/1.1")
    if not isinstance(doc.get("title"), str):
        fail("a JSON feed needs a title")
    if not isinstance(doc.get("items"), list):
        fail("a JSON feed needs items")
    entries = []
    for i, item in enumerate(doc["items"]):
        if not isinstance(item.get("id"), str) or not item["id"]:
            fail(f"item {i} has no id string")
        if "content_html" not in item and "content_text" not in item:
            fail(f"item {i} has neither content_html nor content_text")
        for key in ("authors",):
            if key in item and not all(isinstance(a.get("name"), str) for a in item[key]):
                fail(f"item {i}: every author needs a name")
        entries.append({
            "id": item["id"],
            "link": item.get("url"),
            "title": item.get("title"),
            "published": rfc3339(item["date_published"], f"item {i} date_published") if "date_published" in item else None,
            "updated": rfc3339(item["date_modified"], f"item {i} date_modified") if "date_modified" in item else None,
            "author": ", ".join(a["name"] for a in item.get("authors", [])) or None,
            "tags": item.get("tags", []),
            "summary": item.get("summary"),
            "content": [item.get("content_html") or item.get("content_text")],
        })
    return {
        "version": "json11",
        "title": doc["title"],
        "link": doc.get("home_page_url"),
        "links": [{"rel": "self", "href": doc.get("feed_url")}] + [
            {"rel": "hub", "href": h.get("url")} for h in doc.get("hubs", [])
        ],
        "entries": entries,
    }

url = sys.argv[1]
with urllib.request.urlopen(url) as r:
    body = r.read()
    content_type = r.headers.get("Content-Type", "")
if content_type.startswith("application/feed+json"):
    print(json.dumps(json_feed(body)))
    sys.exit(0)
d = feedparser.parse(body, response_headers={"content-type": content_type, "content-location": url})
if d.bozo:
    print(f"feedparser: {url} is malformed: {d.bozo_exception}", file=sys.stderr)
    sys.exit(1)
out = {
    "version": d.version,
    "title": d.feed.get("title"),
    "link": d.feed.get("link"),
    "links": [{"rel": l.get("rel"), "href": l.get("href")} for l in d.feed.get("links", [])],
    "entries": [
        {
            "id": e.get("id"),
            "link": e.get("link"),
            "title": e.get("title"),
            "published": e.get("published_parsed") and list(e.published_parsed)[:6],
            "updated": e.get("updated_parsed") and list(e.updated_parsed)[:6],
            "author": e.get("author"),
            "tags": [t.get("term") for t in e.get("tags", [])],
            "summary": e.get("summary"),
            "content": [c.get("value") for c in e.get("content", [])],
        }
        for e in d.entries
    ],
}
print(json.dumps(out))
