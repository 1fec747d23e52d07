//! Properties that must hold for every input, not just the ones we thought of:
//! the matcher and the text pipeline are total, bounded and deterministic.

use std::sync::OnceLock;

use firstkiss::discord::render::{self as discord_render, Buttons};
use firstkiss::render;
use firstkiss::reply::Status;
use firstkiss::store::RecordId;
use firstkiss::text::{self, words};
use firstkiss::Engine;
use proptest::prelude::*;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(None).expect("the shipped fact base is valid"))
}

/// Text that looks like chat: words from the domain and outside it, typos, mentions,
/// punctuation, emoji and the odd invisible character.
fn chatty() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("who".to_string()),
        Just("directed".to_string()),
        Just("soko".to_string()),
        Just("kiss".to_string()),
        Just("@everyone".to_string()),
        Just("<@123456789012345678>".to_string()),
        Just("close-ups".to_string()),
        Just("600,000".to_string()),
        Just("\u{200b}".to_string()),
        Just("👩‍❤️‍💋‍👩".to_string()),
        "[a-z]{1,12}",
        "\\PC{1,6}",
    ];
    prop::collection::vec(token, 0..20).prop_map(|t| t.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_text_ranks_within_bounds(question in prop_oneof![chatty(), any::<String>()]) {
        let ranking = engine().matcher().rank(&question);
        prop_assert!(ranking.ranked.len() <= firstkiss::matcher::RANKED);
        for scored in &ranking.ranked {
            prop_assert!((0.0..=1.0).contains(&scored.confidence), "{scored:?}");
        }
        prop_assert!(ranking.ranked.windows(2).all(|w| w[0].confidence >= w[1].confidence));
    }

    #[test]
    fn the_same_question_gets_the_same_reply(question in chatty()) {
        prop_assert_eq!(engine().ask(&question), engine().ask(&question));
    }

    #[test]
    fn normalization_is_idempotent(input in prop_oneof![chatty(), any::<String>()]) {
        let once = words(&input);
        prop_assert_eq!(words(&once.join(" ")), once.clone());
    }

    #[test]
    fn only_the_first_characters_count(prefix in chatty(), tail in any::<String>()) {
        // Whatever follows the reading limit cannot change the answer.
        let padded = format!("{prefix}{}", " ".repeat(text::MAX_QUESTION_CHARS));
        let question = format!("{padded}{tail}");
        prop_assert_eq!(engine().matcher().rank(&question), engine().matcher().rank(&padded));
    }

    #[test]
    fn every_reply_is_cited_or_honest(question in chatty()) {
        let reply = engine().ask(&question);
        let text = render::text(&reply);
        prop_assert!(text.starts_with(&render::body(&reply)));
        match reply.status {
            Status::Unknown => {
                // "I don't know" names no fact; where it says what the documents do
                // say (a gap, an entity), each footnote it cites is marked in its body.
                prop_assert!(reply.fact.is_none() && reply.fact_id.is_none());
                prop_assert!(reply.suggestions.len() <= 3);
                let body = render::body(&reply);
                for note in &reply.citations {
                    let marker = format!("[{}]", note.number);
                    prop_assert!(body.contains(&marker));
                }
            }
            _ => {
                prop_assert!(!reply.citations.is_empty());
                prop_assert!(reply.confidence >= engine().matcher().threshold());
            }
        }
    }

    #[test]
    fn any_replys_buttons_stay_within_discords_limits(
        question in prop_oneof![chatty(), any::<String>()],
        record in 0u64..(1 << 63),
        asker in prop::option::of(any::<u64>()),
    ) {
        let reply = engine().ask(&question);
        let buttons = Buttons { record: RecordId(record), remove_for: asker };
        let rows = discord_render::components(&reply, &buttons);
        prop_assert_eq!(discord_render::broken_limit(&rows), None);
        prop_assert_eq!(discord_render::broken_limit(&discord_render::answer(&reply)), None);
        // Every button reads back as what it was made for.
        let json = serde_json::to_value(&rows).unwrap();
        for row in json.as_array().unwrap() {
            for button in row["components"].as_array().unwrap() {
                let id = button["custom_id"].as_str().unwrap();
                prop_assert!(discord_render::Click::parse(id).is_some(), "{}", id);
            }
        }
    }
}

/// Every fact of the shipped base, as `/fact` shows it: its buttons fit whole.
#[test]
fn every_facts_buttons_fit_with_the_largest_ids() {
    let engine = engine();
    let buttons = Buttons { record: RecordId((1 << 63) - 1), remove_for: Some(u64::MAX) };
    for id in engine.kb().fact_ids() {
        let reply = engine.fact_reply(id);
        let rows = discord_render::components(&reply, &buttons);
        assert_eq!(discord_render::broken_limit(&rows), None, "{}", engine.kb().fact(id).id);
        let count: usize = serde_json::to_value(&rows)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["components"].as_array().unwrap().len())
            .sum();
        let expected = 3 + usize::from(!reply.citations.is_empty()) + reply.related.len().min(3);
        assert_eq!(count, expected, "no button of {} was left out", engine.kb().fact(id).id);
    }
}
