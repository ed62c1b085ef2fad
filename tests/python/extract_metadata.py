"""Extract a page's structured data (JSON-LD and OpenGraph) with extruct and print it as JSON.

Usage: extract_metadata.py URL
"""
import json
import sys
import urllib.request

import extruct

url = sys.argv[1]
with urllib.request.urlopen(url) as r:
    html = r.read().decode("utf-8")
data = extruct.extract(html, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True)
print(json.dumps(data))
