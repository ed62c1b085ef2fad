//! WordPress eXtended RSS (WXR 1.0–1.2), the file WordPress's "Tools → Export" writes: a streaming
//! reader that yields one record at a time (so a file of any size takes little memory) and a
//! writer that produces a file WordPress's importer accepts.

pub mod read;
pub mod write;

pub use read::{Author, Category, Channel, Comment, Item, ItemTerm, Reader, Record, Tag, Term};
