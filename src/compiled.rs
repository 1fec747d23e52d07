//! The built-in fact base as the build compiles it. `build.rs` includes this module
//! and the domain's (knowledge, text, matcher), checks the shipped `knowledge.toml`
//! and reads it into the matcher's index, and writes the result as bytes that the
//! binary embeds. Starting then reads those back instead of parsing 800 KB of TOML,
//! checking every quote and reading every phrasing. The model is not compiled: it is
//! learned from the base at every start, as any base's is.
//!
//! The bytes come from the same source code as the binary, in the same build, so they
//! cannot go stale. A base that fails its checks compiles to no bytes, and the binary
//! parses the text instead, to report every problem at its line.

use crate::knowledge::KnowledgeBase;
use crate::matcher::Matcher;

/// How the built-in base names itself in messages.
pub const ORIGIN: &str = "knowledge.toml (built in)";

/// `kb` and its untrained matcher, as bytes.
pub fn compile(kb: &KnowledgeBase) -> Result<Vec<u8>, postcard::Error> {
    postcard::to_stdvec(&(kb, &Matcher::untrained(kb)))
}

/// What [`compile`] wrote; `None` for no bytes (a base that failed its checks).
pub fn read(bytes: &[u8]) -> Option<(KnowledgeBase, Matcher)> {
    if bytes.is_empty() {
        return None;
    }
    postcard::from_bytes(bytes).ok()
}
