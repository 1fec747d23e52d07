//! Checks shared by the fuzz targets (included with `#[path]`, not a crate of its own).

use firstkiss::discord::render::broken_limit;
use firstkiss::reply::{Body, Reply, Status};
use firstkiss::Engine;

/// Fails if an embed broke one of Discord's limits: `broken` is what
/// `discord::render::broken_limit` found.
pub fn assert_fits(broken: Option<String>, what: &str) {
    if let Some(broken) = broken {
        panic!("{what}: {broken}");
    }
}

/// The invariants of one reply to `question` from `engine`.
pub fn check_reply(engine: &Engine, question: &str, reply: &Reply) {
    assert_eq!(reply.question, question, "the reply names its question");
    assert!(
        (0.0..=1.0).contains(&reply.confidence),
        "confidence {} out of [0, 1] for {question:?}",
        reply.confidence
    );
    match reply.status {
        Status::Unknown => {
            // A gap or an entity's summary cites what the documents do say; each footnote
            // is marked in the body.
            let body = firstkiss::render::body(reply);
            for note in &reply.citations {
                assert!(body.contains(&format!("[{}]", note.number)), "unmarked footnote {note:?}");
            }
            assert!(
                reply.suggestions.len() <= firstkiss::engine::SUGGESTIONS,
                "{} suggestions for {question:?}",
                reply.suggestions.len()
            );
            assert!(reply.fact.is_none() && reply.fact_id.is_none(), "an unknown reply names a fact");
            assert!(matches!(reply.body, Body::Unknown { .. }), "an unknown reply with body {:?}", reply.body);
        }
        Status::Answered | Status::Contested => {
            assert!(!reply.citations.is_empty(), "answer without citation for {question:?}");
            let id = reply.fact.expect("an answer names its fact");
            assert!((id.0 as usize) < engine.kb().facts().len(), "fact {id:?} out of range");
            // Every footnote marker points at a footnote, every footnote is numbered in order.
            let n = reply.citations.len();
            for (i, note) in reply.citations.iter().enumerate() {
                assert_eq!(note.number, i + 1, "footnotes are numbered from 1 in order");
            }
            match &reply.body {
                Body::Answer { notes, .. } => {
                    assert_eq!(reply.status, Status::Answered);
                    assert!(notes.iter().all(|&k| (1..=n).contains(&k)), "marker out of range: {notes:?}");
                }
                Body::Contested { claims, .. } => {
                    assert_eq!(reply.status, Status::Contested);
                    assert!(claims.iter().all(|&(_, k)| (1..=n).contains(&k)), "marker out of range");
                }
                Body::Unknown { .. } => panic!("an answer with an unknown body"),
            }
            // The base checked every quote against its document; none may be blank.
            for note in &reply.citations {
                assert!(!note.quote.trim().is_empty(), "empty quote in {:?}", note);
            }
        }
    }
}

/// Renders `reply` every way the bot can, checking what must hold of each.
pub fn render_all(reply: &Reply) {
    let text = firstkiss::render::text(reply);
    let json = firstkiss::render::json(reply);
    assert_eq!(json.text, text, "the JSON's text is the text rendering");
    serde_json::to_string(&json).expect("the JSON reply serializes");
    let embed = firstkiss::discord::render::answer(reply);
    assert_fits(broken_limit(&embed), "answer embed");
    let sources = firstkiss::discord::render::sources(reply);
    assert_fits(broken_limit(&sources), "sources embed");
    // The largest ids a record and an asker can have: every custom id must still fit.
    let buttons = firstkiss::discord::render::Buttons {
        record: firstkiss::store::RecordId((1 << 63) - 1),
        remove_for: Some(u64::MAX),
    };
    for row in firstkiss::discord::render::components(reply, &buttons) {
        serde_json::to_string(&row).expect("the buttons serialize");
    }
}
