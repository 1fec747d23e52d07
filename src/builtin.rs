//! The shipped fact base and every document under `sources/`, compiled in (the list
//! of documents is written by `build.rs`, so adding a document needs no Rust), with
//! the base checked and indexed at build time (`compiled`).

use std::io;
use std::path::Path;

use crate::compiled;
use crate::knowledge::{read_limited, DocumentReader, KnowledgeBase, KnowledgeError};
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

/// The built-in base parsed and checked from its text, as a base from a file is.
fn parsed() -> Result<KnowledgeBase, KnowledgeError> {
    KnowledgeBase::parse(compiled::ORIGIN, KNOWLEDGE, document)
}

/// The built-in base and its untrained matcher: read back as compiled, or, for a base
/// that failed its checks at build time, parsed for its errors.
pub(crate) fn base() -> Result<(KnowledgeBase, Matcher), KnowledgeError> {
    match compiled::read(COMPILED) {
        Some(parts) => Ok(parts),
        None => {
            let kb = parsed()?;
            let matcher = Matcher::untrained(&kb);
            Ok((kb, matcher))
        }
    }
}

/// The built-in base as if loaded from `path`, if the file and every document
/// compiled in, beside it under `sources/`, are byte for byte the ones compiled in
/// (the bot run from its own checkout): the same text reads the same, so the compiled
/// base is that file's. A file or document that differs in any byte, or cannot be
/// read, is `None`, and the base is loaded as any other. Checked before anything is
/// read back, so a miss costs only the comparisons.
pub(crate) fn base_at(path: &Path) -> Option<(KnowledgeBase, Matcher)> {
    if read_limited(path).ok()? != KNOWLEDGE.as_bytes() {
        return None;
    }
    let beside = KnowledgeBase::documents_at(path);
    if !DOCUMENTS.iter().all(|&(name, text)| beside(name).is_ok_and(|found| found == text)) {
        return None;
    }
    let (kb, matcher) = compiled::read(COMPILED)?;
    Some((kb.with_origin(path.display().to_string()), matcher))
}

impl KnowledgeBase {
    /// The fact base and documents compiled into the binary, so that it answers from
    /// any directory with nothing beside it.
    pub fn builtin() -> Result<Self, KnowledgeError> {
        base().map(|(kb, _)| kb)
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
        let bytes = compiled::compile(&parsed().expect("the shipped base is valid")).expect("the base serializes");
        assert!(!COMPILED.is_empty(), "build.rs compiled no base: the shipped one fails its checks");
        assert!(compiled::read(COMPILED).is_some(), "the compiled base does not read back");
        assert!(
            bytes == COMPILED,
            "the base compiled at build time ({} bytes) differs from the shipped text read now ({} bytes)",
            COMPILED.len(),
            bytes.len()
        );
    }

    /// A copy of the shipped base and its documents in a folder of its own.
    fn copy() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir(dir.path().join("sources")).expect("sources/");
        for (name, text) in DOCUMENTS {
            std::fs::write(dir.path().join("sources").join(name), text).expect("a document");
        }
        let path = dir.path().join("knowledge.toml");
        std::fs::write(&path, KNOWLEDGE).expect("the base");
        (dir, path)
    }

    #[test]
    fn a_file_identical_to_the_built_in_base_is_read_as_compiled() {
        let (_dir, path) = copy();
        let (kb, _) = base_at(&path).expect("the same bytes read as compiled");
        assert_eq!(kb.origin(), path.display().to_string());
        let engine = Engine::load(Some(&path)).expect("valid");
        assert_eq!(engine.kb().origin(), path.display().to_string());
        assert_eq!(engine.ask("who directed it"), Engine::load(None).expect("valid").ask("who directed it"));
    }

    #[test]
    fn a_file_or_a_document_differing_by_a_byte_is_parsed() {
        let (dir, path) = copy();
        let document = dir.path().join("sources").join(DOCUMENTS[0].0);
        std::fs::write(&document, format!("{} ", DOCUMENTS[0].1)).expect("an edit");
        assert!(base_at(&path).is_none(), "a document edited");
        std::fs::write(&document, DOCUMENTS[0].1).expect("undone");
        assert!(base_at(&path).is_some());
        std::fs::write(&path, format!("{KNOWLEDGE}\n")).expect("an edit");
        assert!(base_at(&path).is_none(), "the base edited");
        // And it still loads, from its text.
        assert!(Engine::load(Some(&path)).is_ok());
        std::fs::remove_file(&path).expect("removed");
        assert!(base_at(&path).is_none(), "no file");
    }

    #[test]
    fn the_compiled_base_answers_as_the_parsed_one() {
        let compiled = Engine::load(None).expect("the shipped base is valid");
        let parsed = Engine::new(parsed().expect("the shipped base is valid"));
        assert_eq!(compiled.matcher().threshold(), parsed.matcher().threshold());
        for question in ["who directed it", "how old is soko", "whats wren", "who said 'i was nervous'", "lol"] {
            assert_eq!(compiled.ask(question), parsed.ask(question), "{question}");
        }
    }
}
