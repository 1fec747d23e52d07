//! Any text as knowledge.toml: `KnowledgeBase::parse` must return Ok or Err, never
//! panic. Every source file name reads as one small fixed document (which holds the
//! quotes of tests/data/fixture/knowledge.toml, so that seed parses and the fuzzer
//! starts from a valid base), except names starting with "missing", which fail to
//! read, to reach the error path too.
//!
//! A base that parses is, by the crate's own invariant, valid; so the target goes on
//! to build an engine on it and to answer each fact's phrasings and title, checking
//! the reply and rendering invariants and that every embed fits Discord's limits.
#![no_main]

use std::io;
use std::sync::OnceLock;

use firstkiss::discord::render::{about, broken_limit, limits, source_list};
use firstkiss::knowledge::KnowledgeBase;
use firstkiss::Engine;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

/// The one document every source reads as.
const DOCUMENT: &str = "'First Kiss': The Story Behind Tuesday's Real Viral Hit\n\n\
    \"The key trick I used was not to say 'action,'\" said filmmaker Tatia Pilieva.\n\
    A black-and-white video gorgeously shot by director Tatia Pilieva.\n\
    SoKo: she also provided the pretty tune \u{201c}We Might Be Dead Tomorrow\u{201d} as a score to the three-minute amour.\n\
    What came next was a three-and-a-half-minute  montage of kisses.\n\
    Five cameras were used; 600,000 views in 3.5 days.\n";

fn document(file: &str) -> io::Result<String> {
    if file.starts_with("missing") {
        Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
    } else {
        Ok(DOCUMENT.to_string())
    }
}

/// Most phrasings asked per fact, so that a big base stays fast to fuzz.
const ASK_PER_FACT: usize = 4;

fn exercise(kb: KnowledgeBase) {
    let stats = kb.stats();
    assert_eq!(stats.facts, kb.facts().len());
    assert!(stats.facts > 0 && stats.sources > 0, "a valid base has facts and sources: {stats}");
    let _ = stats.to_string();
    for fact in kb.facts() {
        assert!(!fact.citations.is_empty() || fact.claims.len() >= 2, "fact {} cites nothing", fact.id);
        for citation in fact.citations.iter().chain(fact.claims.iter().map(|c| &c.citation)) {
            assert!(citation.source < kb.sources().len(), "fact {} cites source {}", fact.id, citation.source);
        }
        for &related in &fact.related {
            assert!((related.0 as usize) < kb.facts().len(), "fact {} relates to {related:?}", fact.id);
        }
    }
    assert_fits_all(&kb);

    let engine = Engine::new(kb);
    let kb = engine.kb();
    for id in kb.fact_ids() {
        let reply = engine.fact_reply(id);
        common::check_reply(&engine, &kb.fact(id).title, &reply);
        common::render_all(&reply);
        let fact = kb.fact(id);
        for question in fact.questions.iter().take(ASK_PER_FACT).chain([&fact.title, &fact.answer]) {
            let reply = engine.ask(question);
            common::check_reply(&engine, question, &reply);
            common::render_all(&reply);
            assert_eq!(reply, engine.ask(question), "the same question got two replies: {question:?}");
            let completions = engine.complete(question, limits::CHOICES);
            assert!(completions.len() <= limits::CHOICES);
            assert!(completions.iter().all(|c| (c.0 as usize) < kb.facts().len()));
        }
    }
    let _ = engine.matcher().explain("who directed it", kb);
}

fn assert_fits_all(kb: &KnowledgeBase) {
    common::assert_fits(broken_limit(&source_list(kb)), "source list embed");
    common::assert_fits(broken_limit(&about(kb)), "about embed");
}

/// `FUZZ_VERBOSE=1` prints what each input parsed to (for seeds and reproducers).
fn verbose() -> bool {
    static VERBOSE: OnceLock<bool> = OnceLock::new();
    *VERBOSE.get_or_init(|| std::env::var_os("FUZZ_VERBOSE").is_some())
}

fuzz_target!(|data: &[u8]| {
    // Arbitrary text: invalid UTF-8 is replaced, as a lossy reader would.
    let text = String::from_utf8_lossy(data);
    let parsed = KnowledgeBase::parse("fuzz.toml", &text, document);
    if verbose() {
        match &parsed {
            Ok(kb) => eprintln!("parsed: {}", kb.stats()),
            Err(error) => eprintln!("rejected: {error}"),
        }
    }
    match parsed {
        Ok(kb) => exercise(kb),
        Err(error) => {
            // Errors are shown to curators: they must format.
            let _ = error.to_string();
            let _ = format!("{error:?}");
        }
    }
});
