//! Reading WXR as a stream of records: the channel's description, authors, categories, tags,
//! other terms, and items (posts, pages, attachments…) with their terms, meta and comments.
//! Elements are told apart by namespace, not by prefix, as the format defines them; a DOCTYPE
//! is refused, so no entity can expand (WordPress never writes one).

use std::collections::VecDeque;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

/// What the channel says about the exporting site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Channel {
    pub title: String,
    pub link: String,
    pub description: String,
    pub language: String,
    pub wxr_version: String,
    pub base_site_url: String,
    pub base_blog_url: String,
}

/// A `wp:author`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    pub id: Option<i64>,
    pub login: String,
    pub email: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
    /// Not written by WordPress's exporter, but by some others (and by Newsroom's).
    pub description: String,
    pub url: String,
}

/// A `wp:category`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Category {
    pub term_id: Option<i64>,
    pub nicename: String,
    /// The parent's nicename ('' at the top).
    pub parent: String,
    pub name: String,
    pub description: String,
}

/// A `wp:tag`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tag {
    pub term_id: Option<i64>,
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// A `wp:term` of another taxonomy (menus, post formats, custom taxonomies).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Term {
    pub term_id: Option<i64>,
    pub taxonomy: String,
    pub slug: String,
    pub parent: String,
    pub name: String,
    pub description: String,
}

/// An item's `<category domain="…" nicename="…">Name</category>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemTerm {
    /// `category`, `post_tag`, … ('' in old files, meaning a category).
    pub domain: String,
    pub nicename: String,
    pub name: String,
}

/// A `wp:comment` of an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comment {
    pub id: i64,
    pub author: String,
    pub author_email: String,
    pub author_url: String,
    pub author_ip: String,
    pub date: String,
    pub date_gmt: String,
    pub content: String,
    /// `1`, `0`, `spam`, `trash`, `post-trashed`.
    pub approved: String,
    /// '' or `comment`, `pingback`, `trackback`, …
    pub kind: String,
    pub parent: i64,
    pub user_id: i64,
    pub meta: Vec<(String, String)>,
}

/// An `<item>`: a post, page, attachment or anything else WordPress stores as a post.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    pub title: String,
    pub link: String,
    pub pub_date: String,
    pub creator: String,
    pub guid: String,
    pub description: String,
    pub content: String,
    pub excerpt: String,
    pub post_id: i64,
    pub post_date: String,
    pub post_date_gmt: String,
    pub post_modified: String,
    pub post_modified_gmt: String,
    pub comment_status: String,
    pub ping_status: String,
    pub post_name: String,
    pub status: String,
    pub post_parent: i64,
    pub menu_order: i64,
    pub post_type: String,
    pub post_password: String,
    pub is_sticky: bool,
    pub attachment_url: String,
    pub terms: Vec<ItemTerm>,
    pub meta: Vec<(String, String)>,
    pub comments: Vec<Comment>,
}

impl Item {
    /// The first value of a meta key.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a meta key (WordPress allows several).
    pub fn metas<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.meta
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// One thing read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Channel(Channel),
    Author(Author),
    Category(Category),
    Tag(Tag),
    Term(Term),
    Item(Box<Item>),
}

/// Why a file cannot be read, with the byte offset where it went wrong (the caller, who has the
/// file, turns it into a line number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub offset: u64,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    None,
    Wp,
    Content,
    Excerpt,
    Dc,
    Other,
}

fn ns_of(resolved: &ResolveResult) -> Ns {
    match resolved {
        ResolveResult::Bound(ns) => {
            let uri = ns.as_ref();
            if uri.starts_with(b"http://wordpress.org/export/") {
                if uri.ends_with(b"/excerpt/") {
                    Ns::Excerpt
                } else {
                    Ns::Wp
                }
            } else if uri == b"http://purl.org/rss/1.0/modules/content/" {
                Ns::Content
            } else if uri == b"http://purl.org/dc/elements/1.1/" {
                Ns::Dc
            } else {
                Ns::Other
            }
        }
        ResolveResult::Unbound => Ns::None,
        ResolveResult::Unknown(_) => Ns::Other,
    }
}

/// Where the reader is: which record it is filling.
#[derive(Debug)]
enum Open {
    Nothing,
    Author(Author),
    Category(Category),
    Tag(Tag),
    Term(Term),
    Item(Box<Item>),
}

/// A streaming WXR reader over any buffered input.
pub struct Reader<R: BufRead> {
    xml: quick_xml::NsReader<R>,
    buf: Vec<u8>,
    /// Element names from the root down, with their namespaces.
    path: Vec<(Ns, String)>,
    text: String,
    open: Open,
    comment: Option<Comment>,
    meta: Option<(String, String)>,
    item_term: Option<ItemTerm>,
    channel: Channel,
    channel_sent: bool,
    saw_rss: bool,
    saw_wp: bool,
    done: bool,
    queue: VecDeque<Record>,
}

impl<R: BufRead> Reader<R> {
    /// Read from `input`.
    pub fn new(input: R) -> Reader<R> {
        let mut xml = quick_xml::NsReader::from_reader(input);
        xml.config_mut().expand_empty_elements = true;
        Reader {
            xml,
            buf: Vec::with_capacity(64 * 1024),
            path: Vec::new(),
            text: String::new(),
            open: Open::Nothing,
            comment: None,
            meta: None,
            item_term: None,
            channel: Channel::default(),
            channel_sent: false,
            saw_rss: false,
            saw_wp: false,
            done: false,
            queue: VecDeque::new(),
        }
    }

    /// Bytes read so far, for progress.
    pub fn position(&self) -> u64 {
        self.xml.buffer_position()
    }

    fn fail(&self, message: impl Into<String>) -> ReadError {
        ReadError {
            offset: self.xml.error_position().max(self.xml.buffer_position()),
            message: message.into(),
        }
    }

    /// The next record, None at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<Record>, ReadError> {
        loop {
            if let Some(r) = self.queue.pop_front() {
                return Ok(Some(r));
            }
            if self.done {
                return Ok(None);
            }
            self.step()?;
        }
    }

    fn send_channel(&mut self) {
        if !self.channel_sent {
            self.channel_sent = true;
            self.queue
                .push_back(Record::Channel(std::mem::take(&mut self.channel)));
        }
    }

    fn step(&mut self) -> Result<(), ReadError> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let result = self.handle(&mut buf);
        self.buf = buf;
        result
    }

    fn handle(&mut self, buf: &mut Vec<u8>) -> Result<(), ReadError> {
        let (resolved, event) = match self.xml.read_resolved_event_into(buf) {
            Ok(x) => x,
            Err(e) => {
                let offset = self.xml.error_position();
                return Err(ReadError {
                    offset,
                    message: format!("the file is not well-formed XML: {e}"),
                });
            }
        };
        let ns = ns_of(&resolved);
        match event {
            Event::DocType(_) => {
                return Err(self.fail(
                    "a DOCTYPE is not allowed in a WordPress export (its entities could expand without bound)",
                ));
            }
            Event::Start(e) => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let start = e.to_owned();
                self.text.clear();
                self.start(ns, &local, &start)?;
                self.path.push((ns, local));
            }
            Event::End(_) => {
                let Some((ns, local)) = self.path.pop() else {
                    return Err(self.fail("a closing tag without its opening tag"));
                };
                let text = std::mem::take(&mut self.text);
                self.end(ns, &local, text);
            }
            Event::Text(t) => {
                let s = t
                    .decode()
                    .map_err(|e| self.fail(format!("text that is not UTF-8: {e}")))?;
                self.text.push_str(&s);
            }
            Event::CData(c) => {
                let s = std::str::from_utf8(&c)
                    .map_err(|e| self.fail(format!("CDATA that is not UTF-8: {e}")))?;
                self.text.push_str(s);
            }
            Event::GeneralRef(r) => {
                if let Ok(Some(ch)) = r.resolve_char_ref() {
                    self.text.push(ch);
                } else {
                    let name = String::from_utf8_lossy(&r).into_owned();
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => self.text.push_str(s),
                        // HTML's names (&nbsp; &hellip;) are not XML's; keep them as written,
                        // as the HTML they are part of will read them.
                        None => {
                            self.text.push('&');
                            self.text.push_str(&name);
                            self.text.push(';');
                        }
                    }
                }
            }
            Event::Eof => {
                if !self.path.is_empty() {
                    return Err(self.fail(format!(
                        "the file ends inside <{}>: it was cut short",
                        self.path.last().map_or("", |(_, n)| n.as_str())
                    )));
                }
                if !self.saw_rss {
                    return Err(self.fail("this is not a WordPress export: no <rss> element"));
                }
                if !self.saw_wp {
                    return Err(self.fail(
                        "this is not a WordPress export: nothing in the WordPress export namespace",
                    ));
                }
                self.send_channel();
                self.done = true;
            }
            _ => {}
        }
        Ok(())
    }

    fn attr(e: &BytesStart, name: &str) -> String {
        e.attributes()
            .flatten()
            .find(|a| a.key.local_name().as_ref() == name.as_bytes())
            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
            .unwrap_or_default()
    }

    fn start(&mut self, ns: Ns, local: &str, e: &BytesStart) -> Result<(), ReadError> {
        if ns == Ns::Wp {
            self.saw_wp = true;
        }
        let depth = self.path.len();
        match (depth, ns, local) {
            (0, Ns::None, "rss") => self.saw_rss = true,
            (0, _, _) => {
                return Err(self.fail(format!(
                    "this is not a WordPress export: it starts with <{local}>, not <rss>"
                )));
            }
            (2, Ns::Wp, "author") => {
                self.send_channel();
                self.open = Open::Author(Author::default());
            }
            (2, Ns::Wp, "category") => {
                self.send_channel();
                self.open = Open::Category(Category::default());
            }
            (2, Ns::Wp, "tag") => {
                self.send_channel();
                self.open = Open::Tag(Tag::default());
            }
            (2, Ns::Wp, "term") => {
                self.send_channel();
                self.open = Open::Term(Term::default());
            }
            (2, Ns::None, "item") => {
                self.send_channel();
                self.open = Open::Item(Box::default());
            }
            (3, Ns::None, "category") if matches!(self.open, Open::Item(_)) => {
                self.item_term = Some(ItemTerm {
                    domain: Self::attr(e, "domain"),
                    nicename: Self::attr(e, "nicename"),
                    name: String::new(),
                });
            }
            (3, Ns::Wp, "postmeta") => self.meta = Some(Default::default()),
            (3, Ns::Wp, "comment") => self.comment = Some(Comment::default()),
            (4, Ns::Wp, "commentmeta") => self.meta = Some(Default::default()),
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, ns: Ns, local: &str, text: String) {
        let depth = self.path.len();
        let num = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
        match depth {
            // Closing a top-level record of the channel.
            2 => match std::mem::replace(&mut self.open, Open::Nothing) {
                Open::Author(a) => self.queue.push_back(Record::Author(a)),
                Open::Category(c) => self.queue.push_back(Record::Category(c)),
                Open::Tag(t) => self.queue.push_back(Record::Tag(t)),
                Open::Term(t) => self.queue.push_back(Record::Term(t)),
                Open::Item(i) => self.queue.push_back(Record::Item(i)),
                Open::Nothing => {
                    let c = &mut self.channel;
                    match (ns, local) {
                        (Ns::None, "title") => c.title = text,
                        (Ns::None, "link") => c.link = text,
                        (Ns::None, "description") => c.description = text,
                        (Ns::None, "language") => c.language = text,
                        (Ns::Wp, "wxr_version") => c.wxr_version = text.trim().into(),
                        (Ns::Wp, "base_site_url") => c.base_site_url = text.trim().into(),
                        (Ns::Wp, "base_blog_url") => c.base_blog_url = text.trim().into(),
                        _ => {}
                    }
                }
            },
            // A field of a top-level record.
            3 => match &mut self.open {
                Open::Author(a) if ns == Ns::Wp => match local {
                    "author_id" => a.id = Some(num(&text)),
                    "author_login" => a.login = text,
                    "author_email" => a.email = text,
                    "author_display_name" => a.display_name = text,
                    "author_first_name" => a.first_name = text,
                    "author_last_name" => a.last_name = text,
                    "author_description" => a.description = text,
                    "author_url" => a.url = text,
                    _ => {}
                },
                Open::Category(c) if ns == Ns::Wp => match local {
                    "term_id" => c.term_id = Some(num(&text)),
                    "category_nicename" => c.nicename = text,
                    "category_parent" => c.parent = text,
                    "cat_name" => c.name = text,
                    "category_description" => c.description = text,
                    _ => {}
                },
                Open::Tag(t) if ns == Ns::Wp => match local {
                    "term_id" => t.term_id = Some(num(&text)),
                    "tag_slug" => t.slug = text,
                    "tag_name" => t.name = text,
                    "tag_description" => t.description = text,
                    _ => {}
                },
                Open::Term(t) if ns == Ns::Wp => match local {
                    "term_id" => t.term_id = Some(num(&text)),
                    "term_taxonomy" => t.taxonomy = text,
                    "term_slug" => t.slug = text,
                    "term_parent" => t.parent = text,
                    "term_name" => t.name = text,
                    "term_description" => t.description = text,
                    _ => {}
                },
                Open::Item(item) => Self::item_field(
                    item,
                    ns,
                    local,
                    text,
                    &mut self.item_term,
                    &mut self.meta,
                    &mut self.comment,
                ),
                _ => {}
            },
            // Inside an item's postmeta or comment.
            4 => {
                if let (Some(m), Ns::Wp) = (&mut self.meta, ns)
                    && self.comment.is_none()
                {
                    match local {
                        "meta_key" => m.0 = text,
                        "meta_value" => m.1 = text,
                        _ => {}
                    }
                } else if let (Some(c), Ns::Wp) = (&mut self.comment, ns) {
                    match local {
                        "comment_id" => c.id = num(&text),
                        "comment_author" => c.author = text,
                        "comment_author_email" => c.author_email = text,
                        "comment_author_url" => c.author_url = text,
                        "comment_author_IP" => c.author_ip = text,
                        "comment_date" => c.date = text,
                        "comment_date_gmt" => c.date_gmt = text,
                        "comment_content" => c.content = text,
                        "comment_approved" => c.approved = text.trim().into(),
                        "comment_type" => c.kind = text.trim().into(),
                        "comment_parent" => c.parent = num(&text),
                        "comment_user_id" => c.user_id = num(&text),
                        "commentmeta" => {
                            if let Some(m) = self.meta.take() {
                                c.meta.push(m);
                            }
                        }
                        _ => {}
                    }
                }
            }
            // Inside a comment's meta.
            5 => {
                if let (Some(m), Ns::Wp) = (&mut self.meta, ns) {
                    match local {
                        "meta_key" => m.0 = text,
                        "meta_value" => m.1 = text,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn item_field(
        item: &mut Item,
        ns: Ns,
        local: &str,
        text: String,
        item_term: &mut Option<ItemTerm>,
        meta: &mut Option<(String, String)>,
        comment: &mut Option<Comment>,
    ) {
        let num = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
        match (ns, local) {
            (Ns::None, "title") => item.title = text,
            (Ns::None, "link") => item.link = text.trim().into(),
            (Ns::None, "pubDate") => item.pub_date = text,
            (Ns::None, "guid") => item.guid = text.trim().into(),
            (Ns::None, "description") => item.description = text,
            (Ns::None, "category") => {
                if let Some(mut t) = item_term.take() {
                    t.name = text;
                    item.terms.push(t);
                }
            }
            (Ns::Dc, "creator") => item.creator = text.trim().into(),
            (Ns::Content, "encoded") => item.content = text,
            (Ns::Excerpt, "encoded") => item.excerpt = text,
            (Ns::Wp, "post_id") => item.post_id = num(&text),
            (Ns::Wp, "post_date") => item.post_date = text.trim().into(),
            (Ns::Wp, "post_date_gmt") => item.post_date_gmt = text.trim().into(),
            (Ns::Wp, "post_modified") => item.post_modified = text.trim().into(),
            (Ns::Wp, "post_modified_gmt") => item.post_modified_gmt = text.trim().into(),
            (Ns::Wp, "comment_status") => item.comment_status = text.trim().into(),
            (Ns::Wp, "ping_status") => item.ping_status = text.trim().into(),
            (Ns::Wp, "post_name") => item.post_name = text.trim().into(),
            (Ns::Wp, "status") => item.status = text.trim().into(),
            (Ns::Wp, "post_parent") => item.post_parent = num(&text),
            (Ns::Wp, "menu_order") => item.menu_order = num(&text),
            (Ns::Wp, "post_type") => item.post_type = text.trim().into(),
            (Ns::Wp, "post_password") => item.post_password = text,
            (Ns::Wp, "is_sticky") => item.is_sticky = num(&text) != 0,
            (Ns::Wp, "attachment_url") => item.attachment_url = text.trim().into(),
            (Ns::Wp, "postmeta") => {
                if let Some(m) = meta.take() {
                    item.meta.push(m);
                }
            }
            (Ns::Wp, "comment") => {
                if let Some(c) = comment.take() {
                    item.comments.push(c);
                }
            }
            _ => {}
        }
    }
}

/// The 1-based line of a byte offset in a file.
pub fn line_of(path: &std::path::Path, offset: u64) -> Option<u64> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut lines = 1;
    let mut left = offset;
    let mut reader = std::io::BufReader::new(file);
    let mut chunk = [0u8; 64 * 1024];
    while left > 0 {
        let n = reader.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        let take = (n as u64).min(left) as usize;
        lines += chunk[..take].iter().filter(|b| **b == b'\n').count() as u64;
        left -= take as u64;
    }
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(xml: &str) -> Result<Vec<Record>, ReadError> {
        let mut r = Reader::new(xml.as_bytes());
        let mut out = Vec::new();
        while let Some(rec) = r.next_record()? {
            out.push(rec);
        }
        Ok(out)
    }

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Site &amp; Co</title>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>http://old.example</wp:base_site_url>"#;

    #[test]
    fn items_carry_terms_meta_and_threaded_comments() {
        let xml = format!(
            r#"{HEAD}<wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[ohart]]></wp:author_login>
<wp:author_email>o@example.com</wp:author_email><wp:author_display_name><![CDATA[Olena Hart]]></wp:author_display_name></wp:author>
<wp:category><wp:term_id>5</wp:term_id><wp:category_nicename>world</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[World]]></wp:cat_name></wp:category>
<item><title>A &#8220;quoted&#8221; &hellip; title</title><dc:creator>ohart</dc:creator>
<content:encoded><![CDATA[<p>Body ]]]]><![CDATA[> end</p>]]></content:encoded><excerpt:encoded><![CDATA[Short]]></excerpt:encoded>
<wp:post_id>12</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:is_sticky>1</wp:is_sticky>
<category domain="category" nicename="world"><![CDATA[World]]></category>
<category domain="post_tag" nicename="kyiv"><![CDATA[Kyiv]]></category>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>40</wp:meta_value></wp:postmeta>
<wp:comment><wp:comment_id>7</wp:comment_id><wp:comment_author>Reader</wp:comment_author><wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>0</wp:comment_parent><wp:comment_content><![CDATA[First]]></wp:comment_content>
<wp:commentmeta><wp:meta_key>akismet_result</wp:meta_key><wp:meta_value>false</wp:meta_value></wp:commentmeta></wp:comment>
<wp:comment><wp:comment_id>8</wp:comment_id><wp:comment_parent>7</wp:comment_parent><wp:comment_approved>spam</wp:comment_approved></wp:comment>
</item></channel></rss>"#
        );
        let recs = records(&xml).expect("reads");
        let Record::Channel(ch) = &recs[0] else {
            panic!("channel first: {recs:?}")
        };
        assert_eq!(ch.title, "Site & Co");
        assert_eq!(ch.base_site_url, "http://old.example");
        assert!(
            matches!(&recs[1], Record::Author(a) if a.login == "ohart" && a.id == Some(2) && a.display_name == "Olena Hart")
        );
        assert!(
            matches!(&recs[2], Record::Category(c) if c.nicename == "world" && c.term_id == Some(5))
        );
        let Record::Item(item) = &recs[3] else {
            panic!("item: {recs:?}")
        };
        assert_eq!(item.title, "A \u{201c}quoted\u{201d} &hellip; title");
        assert_eq!(item.content, "<p>Body ]]> end</p>");
        assert_eq!(item.excerpt, "Short");
        assert!(item.is_sticky);
        assert_eq!(item.terms.len(), 2);
        assert_eq!(item.terms[1].domain, "post_tag");
        assert_eq!(item.meta("_thumbnail_id"), Some("40"));
        assert_eq!(item.comments.len(), 2);
        assert_eq!(
            item.comments[0].meta,
            vec![("akismet_result".into(), "false".into())]
        );
        assert_eq!(item.comments[1].parent, 7);
        assert_eq!(item.comments[1].approved, "spam");
    }

    #[test]
    fn prefixes_do_not_matter_namespaces_do() {
        let xml = r#"<rss xmlns:w="http://wordpress.org/export/1.0/" xmlns:c="http://purl.org/rss/1.0/modules/content/"><channel>
<item><title>Old</title><c:encoded>Text</c:encoded><w:post_id>3</w:post_id><category>Uncategorized</category></item></channel></rss>"#;
        let recs = records(xml).expect("reads");
        let Record::Item(item) = &recs[1] else {
            panic!("{recs:?}")
        };
        assert_eq!((item.post_id, item.content.as_str()), (3, "Text"));
        assert_eq!(item.terms[0].name, "Uncategorized");
        assert_eq!(item.terms[0].domain, "");
    }

    #[test]
    fn broken_hostile_and_foreign_files_are_refused_with_a_position() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
<rss><channel><title>&lol2;</title></channel></rss>"#;
        let e = records(bomb).expect_err("bomb refused");
        assert!(e.message.contains("DOCTYPE"), "{e}");
        let cut = format!("{HEAD}<item><title>Half");
        let e = records(&cut).expect_err("cut refused");
        assert!(e.message.contains("cut short"), "{e}");
        let e = records(&format!("{HEAD}<item></wrong></item>")).expect_err("mismatch");
        assert!(e.message.contains("well-formed"), "{e}");
        assert!(e.offset > 100, "{e}");
        let e = records("<html><body>hi</body></html>").expect_err("not rss");
        assert!(e.message.contains("not a WordPress export"), "{e}");
        let e = records("<rss><channel><title>x</title></channel></rss>").expect_err("no wp");
        assert!(e.message.contains("namespace"), "{e}");
    }
}
