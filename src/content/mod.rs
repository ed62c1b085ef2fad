//! Pure text functions: Markdown → safe HTML, sanitizing, slugs, excerpts, permalinks, avatars.
//! Nothing here does I/O, so all of it is unit-tested in place.

pub mod avatar;
pub mod dates;
pub mod diff;
pub mod figure;
pub mod form_token;
pub mod html_tags;
pub mod input;
pub mod markdown;
pub mod moderation;
pub mod password;
pub mod paste;
pub mod permalink;
pub mod picture;
pub mod post_password;
pub mod preview_link;
pub mod sanitize;
pub mod secret_token;
pub mod signing;
pub mod site_icon;
pub mod slug;
pub mod text;
pub mod totp;
pub mod wordpress;
pub mod wp_password;
