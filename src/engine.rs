//! The engine: a fact base and its matcher, built together once and then shared,
//! read-only, by every question. This is the library's front door.

use std::path::Path;

use crate::knowledge::{FactId, KnowledgeBase, KnowledgeError};
use crate::matcher::{Matcher, Ranking, ANSWER_THRESHOLD};
use crate::reply::Reply;

/// How many suggestions an "I don't know" offers.
pub const SUGGESTIONS: usize = 3;
/// A ranked fact below this is too far off to suggest.
const SUGGESTION_FLOOR: f32 = 0.12;

#[derive(Debug)]
pub struct Engine {
    kb: KnowledgeBase,
    matcher: Matcher,
}

impl Engine {
    pub fn new(kb: KnowledgeBase) -> Engine {
        let matcher = Matcher::new(&kb);
        Engine { kb, matcher }
    }

    /// The fact base at `path`, or the built-in one.
    pub fn load(path: Option<&Path>) -> Result<Engine, KnowledgeError> {
        let kb = match path {
            Some(path) => KnowledgeBase::load(path)?,
            None => KnowledgeBase::builtin()?,
        };
        Ok(Engine::new(kb))
    }

    pub fn kb(&self) -> &KnowledgeBase {
        &self.kb
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Answers a question put to the bot directly.
    pub fn ask(&self, question: &str) -> Reply {
        self.ask_with(question, ANSWER_THRESHOLD)
    }

    /// Answers if the matcher's confidence reaches `threshold`; otherwise says it
    /// does not know and suggests the nearest facts.
    pub fn ask_with(&self, question: &str, threshold: f32) -> Reply {
        let ranking = self.matcher.rank(question);
        self.reply(question, &ranking, threshold)
    }

    pub fn reply(&self, question: &str, ranking: &Ranking, threshold: f32) -> Reply {
        if ranking.empty {
            return Reply::empty(&self.kb, question, self.featured());
        }
        match ranking.answer(threshold) {
            Some(best) => Reply::for_fact(&self.kb, best.fact, question, best.confidence),
            None => {
                let near: Vec<FactId> =
                    ranking.ranked.iter().filter(|s| s.confidence >= SUGGESTION_FLOOR).map(|s| s.fact).collect();
                let suggest = if near.is_empty() { self.featured() } else { near };
                let confidence = ranking.ranked.first().map_or(0.0, |s| s.confidence);
                Reply::unknown(&self.kb, question, confidence, suggest)
            }
        }
    }

    /// The reply presenting one fact, chosen by the user rather than matched.
    pub fn fact_reply(&self, id: FactId) -> Reply {
        Reply::for_fact(&self.kb, id, &self.kb.fact(id).title, 1.0)
    }

    /// What to suggest when nothing is near: the first facts of the base, which the
    /// curators order by what fans ask most.
    fn featured(&self) -> Vec<FactId> {
        self.kb.fact_ids().take(SUGGESTIONS).collect()
    }
}
