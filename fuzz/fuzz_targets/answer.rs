//! Any bytes as a question, through the whole answer path of the shipped engine:
//! matching, the reply model, every rendering (text, JSON, Discord embeds),
//! autocomplete and the "is this a question" test. Checks the engine's invariants:
//! confidence in [0, 1], an "I don't know" cites nothing and suggests at most
//! three facts, an answer cites, embeds fit Discord's limits, and the same question
//! gets the same reply.
#![no_main]

use std::sync::OnceLock;

use firstkiss::discord::render::{choice_name, cut, limits};
use firstkiss::Engine;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(None).expect("the built-in fact base loads"))
}

/// `FUZZ_VERBOSE=1` prints how each input was answered (for seeds and reproducers).
fn verbose() -> bool {
    static VERBOSE: OnceLock<bool> = OnceLock::new();
    *VERBOSE.get_or_init(|| std::env::var_os("FUZZ_VERBOSE").is_some())
}

fn check(question: &str) {
    let engine = engine();

    let reply = engine.ask(question);
    if verbose() {
        eprintln!("{question:?}: {:?} {:.3} {:?}", reply.status, reply.confidence, reply.fact_id);
    }
    common::check_reply(engine, question, &reply);
    common::render_all(&reply);
    let again = engine.ask(question);
    assert_eq!(reply, again, "the same question got two replies: {question:?}");

    let completions = engine.complete(question, limits::CHOICES);
    assert!(completions.len() <= limits::CHOICES, "{} completions", completions.len());
    let facts = engine.kb().facts().len();
    for (i, id) in completions.iter().enumerate() {
        assert!((id.0 as usize) < facts, "completion {id:?} out of range");
        assert!(!completions[..i].contains(id), "completion {id:?} offered twice: {completions:?}");
        // The label Discord shows for it.
        let label = choice_name(&engine.kb().fact(*id).title);
        assert!(label.chars().count() <= limits::CHOICE_NAME);
    }
    assert_eq!(completions, engine.complete(question, limits::CHOICES), "autocomplete is deterministic");

    let is_question = firstkiss::text::looks_like_question(question);
    assert_eq!(is_question, firstkiss::text::looks_like_question(question));

    // Cutting the question itself to Discord's limits (as the bot does with titles).
    for max in [0, 1, 2, 5, limits::CHOICE_NAME, limits::TITLE] {
        let cut = cut(question, max);
        assert!(cut.chars().count() <= max, "cut({question:?}, {max}) = {cut:?} is too long");
        if question.chars().count() <= max {
            assert_eq!(cut, question, "cut changed a text that fits");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        // Valid UTF-8, as a Discord message always is.
        Ok(question) => check(question),
        // Anything else, as a lossy decoder would hand it over.
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});
