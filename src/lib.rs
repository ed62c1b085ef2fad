//! Newsroom: a news publishing platform in one binary.
//!
//! Layers, top to bottom: `app` (state, router, serve) → `http` (handlers) → `actions` (writes and
//! rules) → `db` (SQL per noun) and `content` (pure text functions); `render` turns rows into the
//! theme's view structs and HTML. See ARCHITECTURE.md for the map.

pub mod actions;
pub mod app;
pub mod backup;
pub mod cache;
pub mod cli;
pub mod config;
pub mod content;
pub mod db;
pub mod error;
pub mod http;
pub mod mail;
pub mod media_store;
pub mod memo;
pub mod metrics;
pub mod render;
pub mod search;
pub mod websub;
pub mod wxr;

pub use error::{Error, Result};
