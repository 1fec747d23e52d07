//! The shipped fact base and every document under `sources/`, compiled in (the list
//! of documents is written by `build.rs`, so adding a document needs no Rust).

use std::io;

pub const KNOWLEDGE_ORIGIN: &str = "knowledge.toml (built in)";
pub const KNOWLEDGE: &str = include_str!("../../knowledge.toml");

include!(concat!(env!("OUT_DIR"), "/builtin_sources.rs"));

pub fn document(file: &str) -> io::Result<String> {
    DOCUMENTS
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, text)| (*text).to_string())
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("sources/{file} was not compiled in")))
}
