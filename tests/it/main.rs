//! Newsroom's integration tests: one binary, the real server over real SQLite and PostgreSQL.

mod support;

mod admin_articles;
mod admin_auth;
mod admin_roles;
mod admin_site;
mod archives;
mod article_page;
mod backup;
mod binary;
mod browser;
mod comments;
mod feeds;
mod hostile;
mod import;
mod media;
mod metadata;
mod migrations;
mod operations;
mod page_cache;
mod privacy;
mod rest;
mod rest_writes;
mod search;
mod sitemaps;
mod urls;
mod validity;
mod wpapi;
