#!/usr/bin/env python3
"""Write a WordPress export (WXR 1.2) of N posts with comments to standard output, streamed, for
bench/import.sh and bench/search.sh. Usage: gen_wxr.py N [--zipf]

With --zipf the text is drawn from 5,000 words with Zipf's law frequencies (as in real prose, a
few words are everywhere and most are rare), for search benchmarks; without it, from 26 news
words (every article holds every word: the worst case for a search engine)."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
zipf = "--zipf" in sys.argv[2:]
rnd = random.Random(7)
words = ("harbour crane minister talks ceasefire market shares court ruling summit energy grid "
         "river flood vaccine trial election count budget deficit strike union rail port cargo").split()
if zipf:
    syllables = "ka lo mi ne ru sa ti vo ba de fi go hu ja ke".split()
    vocabulary = []
    for i in range(5000):
        word, k = "", i
        for _ in range(3):
            word += syllables[k % len(syllables)]
            k //= len(syllables)
        vocabulary.append(word + str(i // 3375 or ""))
    # The news words take the middle ranks: common enough to be searched, rare enough to rank.
    for rank, word in enumerate(words):
        vocabulary.insert(40 + rank * 37, word)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    cumulative = []
    total = 0.0
    for w_ in weights:
        total += w_
        cumulative.append(total)

    def pick(k):
        return rnd.choices(vocabulary, cum_weights=cumulative, k=k)
else:
    def pick(k):
        return [rnd.choice(words) for _ in range(k)]
out = sys.stdout
w = out.write
w('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
  'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
  'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
  'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
  '<title>Bench Gazette</title><link>https://bench.example</link><wp:wxr_version>1.2</wp:wxr_version>\n'
  '<wp:base_site_url>https://bench.example</wp:base_site_url><wp:base_blog_url>https://bench.example</wp:base_blog_url>\n')
for a in range(1, 21):
    w(f'<wp:author><wp:author_id>{a}</wp:author_id><wp:author_login><![CDATA[writer{a}]]></wp:author_login>'
      f'<wp:author_email><![CDATA[writer{a}@bench.example]]></wp:author_email>'
      f'<wp:author_display_name><![CDATA[Writer {a}]]></wp:author_display_name></wp:author>\n')
for c in range(1, 11):
    w(f'<wp:category><wp:term_id>{c}</wp:term_id><wp:category_nicename>section-{c}</wp:category_nicename>'
      f'<wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[Section {c}]]></wp:cat_name></wp:category>\n')
for t in range(1, 201):
    w(f'<wp:tag><wp:term_id>{100 + t}</wp:term_id><wp:tag_slug>tag-{t}</wp:tag_slug><wp:tag_name><![CDATA[Tag {t}]]></wp:tag_name></wp:tag>\n')
comment_id = 0
for i in range(1, n + 1):
    title = " ".join(pick(7)).capitalize()
    paras = "\n\n".join(
        "<!-- wp:paragraph -->\n<p>" + " ".join(pick(60)) + ".</p>\n<!-- /wp:paragraph -->"
        for _ in range(6))
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    year = 2000 + (i // 336) % 26
    date = f"{year}-{month:02d}-{day:02d} {i % 24:02d}:{i % 60:02d}:00"
    slug = f"story-{i}"
    w(f'<item><title><![CDATA[{title}]]></title><link>https://bench.example/{year}/{month:02d}/{day:02d}/{slug}/</link>'
      f'<dc:creator><![CDATA[writer{1 + i % 20}]]></dc:creator><content:encoded><![CDATA[{paras}]]></content:encoded>'
      f'<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>{i}</wp:post_id>'
      f'<wp:post_date><![CDATA[{date}]]></wp:post_date><wp:post_date_gmt><![CDATA[{date}]]></wp:post_date_gmt>'
      f'<wp:comment_status><![CDATA[open]]></wp:comment_status><wp:post_name><![CDATA[{slug}]]></wp:post_name>'
      f'<wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type><wp:is_sticky>0</wp:is_sticky>'
      f'<category domain="category" nicename="section-{1 + i % 10}"><![CDATA[Section {1 + i % 10}]]></category>'
      f'<category domain="post_tag" nicename="tag-{1 + i % 200}"><![CDATA[Tag {1 + i % 200}]]></category>'
      f'<category domain="post_tag" nicename="tag-{1 + (i * 7) % 200}"><![CDATA[Tag {1 + (i * 7) % 200}]]></category>\n')
    first = 0
    for k in range(i % 5):
        comment_id += 1
        parent = first if k and first else 0
        first = first or comment_id
        w(f'<wp:comment><wp:comment_id>{comment_id}</wp:comment_id><wp:comment_author><![CDATA[Reader {k}]]></wp:comment_author>'
          f'<wp:comment_author_email><![CDATA[reader{k}@mail.example]]></wp:comment_author_email>'
          f'<wp:comment_date_gmt><![CDATA[{date}]]></wp:comment_date_gmt>'
          f'<wp:comment_content><![CDATA[Comment {k} on story {i}: ' + " ".join(pick(20)) + ']]></wp:comment_content>'
          f'<wp:comment_approved><![CDATA[1]]></wp:comment_approved><wp:comment_type><![CDATA[comment]]></wp:comment_type>'
          f'<wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n')
    w('</item>\n')
w('</channel>\n</rss>\n')
