//! Writes and the rules around them, shared by every surface (site, CLI, later admin and API).

pub mod comment;
pub mod demo;
pub mod publish;
pub mod setup;
