//! Newsroom's integration tests: one binary, the real server over real SQLite and PostgreSQL.

mod support;

mod archives;
mod article_page;
mod binary;
mod browser;
mod comments;
mod migrations;
mod privacy;
mod urls;
mod validity;
