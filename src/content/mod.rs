//! Pure text functions: Markdown → safe HTML, sanitizing, slugs, excerpts, permalinks, avatars.
//! Nothing here does I/O, so all of it is unit-tested in place.

pub mod avatar;
pub mod form_token;
pub mod markdown;
pub mod moderation;
pub mod permalink;
pub mod sanitize;
pub mod signing;
pub mod slug;
pub mod text;
