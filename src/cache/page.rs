//! One finished answer as the page cache keeps it: the bytes, their gzip and brotli forms (made
//! once, the first time a client asks for them), the validators, and where the comment form's
//! single-use token sits, so each reader gets a fresh one spliced into the kept bytes.

use std::convert::Infallible;
use std::io::Write;
use std::ops::Range;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue};
use flate2::{Compress, Compression, FlushCompress, Status};
use http_body::{Frame, SizeHint};
use sha2::{Digest, Sha256};

use crate::cache::deps::Tag;

/// The attribute the comment form's token is written in; the token runs to the next quote.
const TOKEN_MARK: &[u8] = b"name=\"newsroom_token\" value=\"";

/// A content coding a client can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
    Brotli,
}

impl Coding {
    /// The best coding an `Accept-Encoding` header allows (brotli, then gzip).
    pub fn choose(accept: Option<&str>) -> Coding {
        let Some(accept) = accept else {
            return Coding::Identity;
        };
        let takes = |name: &str| {
            accept.split(',').any(|part| {
                let mut bits = part.split(';');
                let coding = bits.next().unwrap_or_default().trim();
                let refused = bits.any(|b| {
                    b.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                coding.eq_ignore_ascii_case(name) && !refused
            })
        };
        if takes("br") {
            Coding::Brotli
        } else if takes("gzip") {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }

    /// The `Content-Encoding` value, if any.
    pub fn header(self) -> Option<HeaderValue> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some(HeaderValue::from_static("gzip")),
            Coding::Brotli => Some(HeaderValue::from_static("br")),
        }
    }
}

/// A kept answer.
pub struct Page {
    pub content_type: HeaderValue,
    /// Other headers of the answer to send again (`Link`, `Content-Language`…).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    /// Where the comment form's token is in `body`.
    token: Option<Range<usize>>,
    /// Strong validator of the identity bytes (without the token); codings add a suffix.
    etag: String,
    /// The `ETag` header of each coding (identity, gzip, brotli), made once.
    etags: [HeaderValue; 3],
    /// The article the kept token was issued for, read from the token once.
    token_post: OnceLock<Option<i64>>,
    pub last_modified: HeaderValue,
    /// The same date, for If-Modified-Since.
    pub modified: chrono::DateTime<chrono::Utc>,
    pub tags: Vec<Tag>,
    /// The tags as a CDN reads them.
    pub tag_header: HeaderValue,
    /// When the page goes stale by itself (a time window), if it does.
    pub expires: Option<Instant>,
    gzip: OnceLock<Option<Gzipped>>,
    brotli: OnceLock<Option<Bytes>>,
}

/// The gzip form, with the token's place in it when there is one.
struct Gzipped {
    bytes: Bytes,
    hole: Option<Hole>,
}

/// The token's place in the gzip bytes: it sits in a stored (uncompressed) block, and the CRC of
/// what comes before and after it is kept so the trailer can be rewritten for a new token.
struct Hole {
    at: usize,
    before: crc32fast::Hasher,
    after: crc32fast::Hasher,
}

impl Page {
    /// Keep `body`; None when it cannot be kept (more than one form token).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        content_type: HeaderValue,
        headers: Vec<(HeaderName, HeaderValue)>,
        body: Bytes,
        last_modified: HeaderValue,
        tags: Vec<Tag>,
        expires: Option<Instant>,
    ) -> Option<Page> {
        let token = match find_all(&body, TOKEN_MARK).as_slice() {
            [] => None,
            [start] => {
                let start = start + TOKEN_MARK.len();
                let len = body[start..].iter().position(|&b| b == b'"')?;
                Some(start..start + len)
            }
            _ => return None,
        };
        let etag = match &token {
            Some(r) => digest_of(&[&body[..r.start], &body[r.end..]]),
            None => digest_of(&[&body]),
        };
        let etags = ["", "-gz", "-br"].map(|suffix| {
            HeaderValue::from_str(&format!("\"{etag}{suffix}\""))
                .unwrap_or_else(|_| HeaderValue::from_static("\"\""))
        });
        let names: Vec<String> = tags.iter().map(Tag::to_string).collect();
        let tag_header = HeaderValue::from_str(&names.join(","))
            .unwrap_or_else(|_| HeaderValue::from_static(""));
        Some(Page {
            content_type,
            headers,
            body,
            token,
            etag,
            etags,
            token_post: OnceLock::new(),
            modified: chrono::DateTime::parse_from_rfc2822(
                last_modified.to_str().unwrap_or_default(),
            )
            .map(|d| d.to_utc())
            .unwrap_or_else(|_| chrono::Utc::now()),
            last_modified,
            tags,
            tag_header,
            expires,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        })
    }

    /// How much memory the page holds (its weight in the cache): the bytes and room for the two
    /// codings made later. Fixed when the page is made, as the cache's accounting needs.
    pub fn weight(&self) -> u64 {
        (self.body.len() + self.body.len() / 2 + 512 + 16 * self.tags.len()) as u64
    }

    /// Whether the page holds a comment form's token.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The token the kept bytes hold.
    pub fn token(&self) -> Option<&str> {
        let r = self.token.clone()?;
        std::str::from_utf8(&self.body[r]).ok()
    }

    /// The article the kept token was issued for, as `read` finds it (asked once per page: it
    /// checks the token's signature).
    pub fn token_post(&self, read: impl FnOnce(&str) -> Option<i64>) -> Option<i64> {
        *self.token_post.get_or_init(|| self.token().and_then(read))
    }

    /// The ETag of the page in `coding`.
    pub fn etag(&self, coding: Coding) -> HeaderValue {
        let i = match coding {
            Coding::Identity => 0,
            Coding::Gzip => 1,
            Coding::Brotli => 2,
        };
        self.etags[i].clone()
    }

    /// Whether an entity tag (without its quotes) names this page, in any coding.
    pub fn is_ours(&self, tag: &str) -> bool {
        tag.strip_suffix("-gz")
            .or_else(|| tag.strip_suffix("-br"))
            .unwrap_or(tag)
            == self.etag
    }

    /// The bytes to send in the coding asked for (or a plainer one), with `token` in place of the
    /// kept one. Brotli is not offered for pages with a token (its blocks cannot be spliced).
    pub fn bytes(&self, wanted: Coding, token: Option<&str>) -> (Pieces, Coding) {
        let token = token.filter(|t| self.token.as_ref().is_some_and(|r| r.len() == t.len()));
        if wanted == Coding::Brotli
            && self.token.is_none()
            && let Some(b) = self.brotli.get_or_init(|| brotli(&self.body))
        {
            return (Pieces::whole(b.clone()), Coding::Brotli);
        }
        if wanted != Coding::Identity {
            let gz = self
                .gzip
                .get_or_init(|| gzip(&self.body, self.token.clone()));
            if let Some(gz) = gz {
                return match (token, &gz.hole) {
                    (Some(t), Some(hole)) => (hole.splice(&gz.bytes, t), Coding::Gzip),
                    _ => (Pieces::whole(gz.bytes.clone()), Coding::Gzip),
                };
            }
        }
        match (token, &self.token) {
            (Some(t), Some(r)) => (
                Pieces::of([
                    self.body.slice(..r.start),
                    Bytes::copy_from_slice(t.as_bytes()),
                    self.body.slice(r.end..),
                    Bytes::new(),
                    Bytes::new(),
                ]),
                Coding::Identity,
            ),
            _ => (Pieces::whole(self.body.clone()), Coding::Identity),
        }
    }
}

/// An answer's bytes as a few pieces: the kept bytes around a fresh token, sent one after the
/// other (one vectored write) rather than copied into a new buffer for every reader.
#[derive(Debug, Default)]
pub struct Pieces {
    parts: [Bytes; 5],
    next: usize,
}

impl Pieces {
    fn of(parts: [Bytes; 5]) -> Pieces {
        Pieces { parts, next: 0 }
    }

    fn whole(bytes: Bytes) -> Pieces {
        Pieces::of([
            bytes,
            Bytes::new(),
            Bytes::new(),
            Bytes::new(),
            Bytes::new(),
        ])
    }

    /// How many bytes are left to send.
    pub fn len(&self) -> usize {
        self.parts[self.next..].iter().map(Bytes::len).sum()
    }

    /// Whether nothing is left to send.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes in one piece (for tests and checks; answers send the pieces).
    pub fn to_vec(&self) -> Vec<u8> {
        self.parts[self.next..].concat()
    }
}

impl http_body::Body for Pieces {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        while self.next < self.parts.len() {
            let i = self.next;
            self.next += 1;
            let part = std::mem::take(&mut self.parts[i]);
            if !part.is_empty() {
                return Poll::Ready(Some(Ok(Frame::data(part))));
            }
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.parts[self.next..].iter().all(Bytes::is_empty)
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len() as u64)
    }
}

impl Hole {
    /// The gzip bytes with `token` in the hole and the trailer's CRC made for it.
    fn splice(&self, bytes: &Bytes, token: &str) -> Pieces {
        let mut crc = self.before.clone();
        crc.update(token.as_bytes());
        crc.combine(&self.after);
        let end = bytes.len();
        Pieces::of([
            bytes.slice(..self.at),
            Bytes::copy_from_slice(token.as_bytes()),
            bytes.slice(self.at + token.len()..end - 8),
            Bytes::copy_from_slice(&crc.finalize().to_le_bytes()),
            bytes.slice(end - 4..),
        ])
    }
}

/// The hex digest an ETag is made of (SHA-256 of the parts, 96 bits).
pub fn digest_of(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for p in parts {
        hash.update(p);
    }
    hex::encode(&hash.finalize()[..12])
}

fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

/// Raw deflate of `input` appended to `out`, ending with `flush` (a full flush leaves the
/// stream byte-aligned and lets the next block start afresh).
fn deflate_into(out: &mut Vec<u8>, input: &[u8], flush: FlushCompress) -> Option<()> {
    let mut c = Compress::new(Compression::new(6), false);
    loop {
        out.reserve(input.len() / 2 + 1024);
        let done = c.total_in() as usize;
        let status = c.compress_vec(&input[done..], out, flush).ok()?;
        let consumed = c.total_in() as usize == input.len();
        let room_left = out.len() < out.capacity();
        match flush {
            FlushCompress::Finish if status == Status::StreamEnd => return Some(()),
            FlushCompress::Finish => {}
            _ if consumed && room_left => return Some(()),
            _ => {}
        }
    }
}

/// The gzip form of `body`; with a token's range, the token goes in a stored block of its own.
fn gzip(body: &[u8], token: Option<Range<usize>>) -> Option<Gzipped> {
    // No name, no time, unknown system: the same bytes every time.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let hole = match token {
        None => {
            deflate_into(&mut out, body, FlushCompress::Finish)?;
            None
        }
        Some(r) => {
            let len = u16::try_from(r.len()).ok()?;
            deflate_into(&mut out, &body[..r.start], FlushCompress::Full)?;
            // A stored block, not the last: header bits 000 padded to a byte, then LEN, NLEN.
            out.push(0);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&(!len).to_le_bytes());
            let at = out.len();
            out.extend_from_slice(&body[r.clone()]);
            deflate_into(&mut out, &body[r.end..], FlushCompress::Finish)?;
            let mut before = crc32fast::Hasher::new();
            before.update(&body[..r.start]);
            let mut after = crc32fast::Hasher::new();
            after.update(&body[r.end..]);
            Some(Hole { at, before, after })
        }
    };
    let crc = crc32fast::hash(body);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    Some(Gzipped {
        bytes: Bytes::from(out),
        hole,
    })
}

/// The brotli form of `body` (quality 5: most of the gain, a fraction of a millisecond).
fn brotli(body: &[u8]) -> Option<Bytes> {
    let mut w = brotli::CompressorWriter::new(Vec::with_capacity(body.len() / 4), 4096, 5, 22);
    w.write_all(body).ok()?;
    w.flush().ok()?;
    Some(Bytes::from(w.into_inner()))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn page(body: &str) -> Page {
        Page::new(
            HeaderValue::from_static("text/html"),
            Vec::new(),
            Bytes::from(body.to_string()),
            HeaderValue::from_static("Fri, 27 Nov 2026 10:00:00 GMT"),
            vec![Tag::Post(1)],
            None,
        )
        .expect("one token at most")
    }

    fn gunzip(b: &[u8]) -> String {
        let mut s = String::new();
        flate2::read::GzDecoder::new(b)
            .read_to_string(&mut s)
            .expect("valid gzip");
        s
    }

    fn unbrotli(b: &[u8]) -> String {
        let mut s = String::new();
        brotli::Decompressor::new(b, 4096)
            .read_to_string(&mut s)
            .expect("valid brotli");
        s
    }

    #[test]
    fn a_fresh_token_is_spliced_into_every_coding() {
        let text = "<p>words </p>".repeat(300);
        let body = format!(
            "{text}<input type=\"hidden\" name=\"newsroom_token\" value=\"OLD-TOKEN-123\">{text}"
        );
        let p = page(&body);
        assert_eq!(p.token(), Some("OLD-TOKEN-123"));
        let want = body.replace("OLD-TOKEN-123", "NEW-TOKEN-456");
        let (plain, c) = p.bytes(Coding::Identity, Some("NEW-TOKEN-456"));
        assert_eq!(plain.len(), want.len());
        assert_eq!(
            (String::from_utf8(plain.to_vec()).ok().as_deref(), c),
            (Some(want.as_str()), Coding::Identity)
        );
        let (gz, c) = p.bytes(Coding::Brotli, Some("NEW-TOKEN-456"));
        assert_eq!(c, Coding::Gzip, "brotli is not offered with a token");
        assert_eq!(gunzip(&gz.to_vec()), want);
        assert!(gz.len() < body.len() / 5, "still compressed: {}", gz.len());
        let (again, _) = p.bytes(Coding::Gzip, Some("XYZ-TOKEN-789"));
        assert_eq!(
            gunzip(&again.to_vec()),
            body.replace("OLD-TOKEN-123", "XYZ-TOKEN-789")
        );
        // A token of another length is never spliced into the kept bytes.
        let (kept, _) = p.bytes(Coding::Identity, Some("short"));
        assert_eq!(String::from_utf8(kept.to_vec()).ok(), Some(body));
    }

    #[test]
    fn the_pieces_are_sent_in_order_as_one_body_of_known_length() {
        use http_body::Body;
        let body = format!(
            "{}<input name=\"newsroom_token\" value=\"OLD-TOKEN\">{}",
            "a".repeat(5000),
            "z".repeat(7000)
        );
        let p = page(&body);
        for coding in [Coding::Identity, Coding::Gzip] {
            let (mut pieces, _) = p.bytes(coding, Some("NEW-TOKEN"));
            let whole = pieces.to_vec();
            assert_eq!(pieces.size_hint().exact(), Some(whole.len() as u64));
            let mut sent = Vec::new();
            let mut cx = Context::from_waker(std::task::Waker::noop());
            while let Poll::Ready(Some(Ok(frame))) = Pin::new(&mut pieces).poll_frame(&mut cx) {
                let data = frame.into_data().expect("data frames only");
                assert!(!data.is_empty(), "no empty frames");
                sent.extend_from_slice(&data);
            }
            assert!(pieces.is_end_stream() && pieces.is_empty());
            assert_eq!(sent, whole);
        }
        let (plain, _) = p.bytes(Coding::Identity, Some("NEW-TOKEN"));
        assert_eq!(
            plain.to_vec(),
            body.replace("OLD-TOKEN", "NEW-TOKEN").into_bytes()
        );
    }

    #[test]
    fn pages_without_a_token_get_brotli_and_gzip() {
        let body = "<h1>Headline</h1>".repeat(100);
        let p = page(&body);
        let (br, c) = p.bytes(Coding::Brotli, None);
        assert_eq!(c, Coding::Brotli);
        assert_eq!(unbrotli(&br.to_vec()), body);
        let (gz, c) = p.bytes(Coding::Gzip, None);
        assert_eq!(c, Coding::Gzip);
        assert_eq!(gunzip(&gz.to_vec()), body);
    }

    #[test]
    fn etags_ignore_the_token_and_match_any_coding() {
        let a = page("<p>x</p><input name=\"newsroom_token\" value=\"AAAA\">");
        let b = page("<p>x</p><input name=\"newsroom_token\" value=\"BBBB\">");
        assert_eq!(a.etag(Coding::Identity), b.etag(Coding::Identity));
        let gz = a.etag(Coding::Gzip);
        let gz = gz.to_str().expect("ascii");
        assert!(gz.ends_with("-gz\""));
        assert!(
            a.is_ours(gz.trim_matches('"'))
                && a.is_ours(gz.trim_matches('"').trim_end_matches("-gz"))
        );
        assert!(!a.is_ours("nope"));
        assert!(
            Page::new(
                HeaderValue::from_static("text/html"),
                Vec::new(),
                Bytes::from(
                    "name=\"newsroom_token\" value=\"a\" name=\"newsroom_token\" value=\"b\""
                ),
                HeaderValue::from_static("x"),
                Vec::new(),
                None
            )
            .is_none()
        );
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert_eq!(Coding::choose(Some("gzip, deflate, br")), Coding::Brotli);
        assert_eq!(Coding::choose(Some("gzip;q=1.0, br;q=0")), Coding::Gzip);
        assert_eq!(Coding::choose(Some("identity")), Coding::Identity);
        assert_eq!(Coding::choose(None), Coding::Identity);
    }
}
