//! The shipped fact base and every document under `sources/`, compiled in (the list
//! of documents is written by `build.rs`, so adding a document needs no Rust), with
//! the base checked and indexed at build time (`compiled`).

use std::io;
use std::path::Path;

use crate::compiled;
use crate::knowledge::{DocumentReader, KnowledgeBase, KnowledgeError};
use crate::matcher::Matcher;

pub const KNOWLEDGE: &str = include_str!("../knowledge.toml");

include!(concat!(env!("OUT_DIR"), "/builtin_sources.rs"));

/// The base and its untrained matcher as `build.rs` compiled them; empty if the base
/// failed its checks.
static COMPILED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/builtin.bin"));

pub fn document(file: &str) -> io::Result<String> {
    DOCUMENTS
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, text)| (*text).to_string())
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("sources/{file} was not compiled in")))
}

/// The built-in base and its untrained matcher: read back as compiled, or, for a base
/// that failed its checks at build time, parsed for its errors.
pub(crate) fn base() -> Result<(KnowledgeBase, Matcher), KnowledgeError> {
    match compiled::read(COMPILED) {
        Some(parts) => Ok(parts),
        None => {
            let kb = KnowledgeBase::parse(compiled::ORIGIN, KNOWLEDGE, document)?;
            let matcher = Matcher::untrained(&kb);
            Ok((kb, matcher))
        }
    }
}

impl KnowledgeBase {
    /// The fact base and documents compiled into the binary, so that it answers from
    /// any directory with nothing beside it.
    pub fn builtin() -> Result<Self, KnowledgeError> {
        match compiled::read(COMPILED) {
            Some((kb, _)) => Ok(kb),
            None => Self::parse(compiled::ORIGIN, KNOWLEDGE, document),
        }
    }

    /// The built-in base parsed from its text, as a base from a file is: what the
    /// compiled one must equal.
    pub fn builtin_parsed() -> Result<Self, KnowledgeError> {
        Self::parse(compiled::ORIGIN, KNOWLEDGE, document)
    }

    /// Reads the documents of the fact base at `path` (`None`: the built-in one) by
    /// file name, as its loader does.
    pub fn documents(path: Option<&Path>) -> Box<DocumentReader> {
        match path {
            Some(path) => KnowledgeBase::documents_at(path),
            None => Box::new(document),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    #[test]
    fn the_compiled_base_is_the_shipped_text_checked_and_read_here() {
        let parsed = KnowledgeBase::builtin_parsed().expect("the shipped base is valid");
        let bytes = compiled::compile(&parsed).expect("the base serializes");
        assert!(!COMPILED.is_empty(), "build.rs compiled no base: the shipped one fails its checks");
        assert!(
            bytes == COMPILED,
            "the base compiled at build time ({} bytes) differs from the shipped text read now ({} bytes)",
            COMPILED.len(),
            bytes.len()
        );
    }

    #[test]
    fn the_compiled_base_answers_as_the_parsed_one() {
        let compiled = Engine::load(None).expect("the shipped base is valid");
        let parsed = Engine::new(KnowledgeBase::builtin_parsed().expect("the shipped base is valid"));
        assert_eq!(compiled.matcher().threshold(), parsed.matcher().threshold());
        for question in ["who directed it", "how old is soko", "whats wren", "who said 'i was nervous'", "lol"] {
            assert_eq!(compiled.ask(question), parsed.ask(question), "{question}");
        }
    }
}
