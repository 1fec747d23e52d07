//! Autocomplete for `/fact`: the facts whose titles hold a word starting with each
//! word a user has typed so far. Title words are kept sorted, so the facts a typed
//! prefix reaches are one binary search away, and a keystroke costs what answering a
//! question costs, not a pass over every title.

use crate::knowledge::{FactId, KnowledgeBase};
use crate::text;

/// Every title word of the base, sorted, with the fact it belongs to.
#[derive(Debug, Default)]
pub struct TitleIndex {
    words: Vec<(Box<str>, FactId)>,
    /// Each fact's title words, to check the other typed words against.
    titles: Vec<Box<[Box<str>]>>,
}

impl TitleIndex {
    pub fn new(kb: &KnowledgeBase) -> TitleIndex {
        let mut index = TitleIndex::default();
        for (id, fact) in kb.fact_ids().zip(kb.facts()) {
            let mut words = text::words(&fact.title);
            words.sort_unstable();
            words.dedup();
            index.words.extend(words.iter().map(|w| (w.as_str().into(), id)));
            index.titles.push(words.into_iter().map(String::into_boxed_str).collect());
        }
        index.words.sort_unstable();
        index
    }

    /// The facts whose title words start with `prefix`, in word order.
    fn reach(&self, prefix: &str) -> &[(Box<str>, FactId)] {
        let start = self.words.partition_point(|(w, _)| &**w < prefix);
        let len = self.words[start..].partition_point(|(w, _)| w.starts_with(prefix));
        &self.words[start..start + len]
    }

    /// Whether every typed word starts some word of `fact`'s title.
    pub fn matches(&self, fact: FactId, typed: &[String]) -> bool {
        let title = &self.titles[fact.0 as usize];
        typed.iter().all(|t| title.iter().any(|w| w.starts_with(t.as_str())))
    }

    /// Up to `limit` facts whose titles match every typed word, in word order, after
    /// skipping those in `taken`. Walks only the narrowest typed word's reach.
    pub fn fill(&self, typed: &[String], taken: &[FactId], limit: usize) -> Vec<FactId> {
        let Some(narrowest) = typed.iter().map(|t| self.reach(t)).min_by_key(|r| r.len()) else {
            return Vec::new();
        };
        let mut out: Vec<FactId> = Vec::new();
        for &(_, fact) in narrowest {
            if out.len() >= limit {
                break;
            }
            if !taken.contains(&fact) && !out.contains(&fact) && self.matches(fact, typed) {
                out.push(fact);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    fn typed(text: &str) -> Vec<String> {
        text::words(text)
    }

    #[test]
    fn every_typed_word_must_start_a_title_word() {
        let engine = Engine::load(None).expect("the shipped base is valid");
        let kb = engine.kb();
        let index = TitleIndex::new(kb);
        let found = index.fill(&typed("cam"), &[], 100);
        assert!(!found.is_empty());
        for id in &found {
            let title = text::words(&kb.fact(*id).title);
            assert!(title.iter().any(|w| w.starts_with("cam")), "{:?}", kb.fact(*id).title);
        }
        let narrower = index.fill(&typed("cam how"), &[], 100);
        assert!(narrower.len() <= found.len());
        assert!(narrower.iter().all(|id| index.matches(*id, &typed("how cam"))));
        assert!(index.fill(&typed("zzzz"), &[], 100).is_empty());
    }

    #[test]
    fn fill_skips_what_is_taken_and_stops_at_the_limit() {
        let engine = Engine::load(None).expect("the shipped base is valid");
        let index = TitleIndex::new(engine.kb());
        let all = index.fill(&typed("s"), &[], 1000);
        assert!(all.len() > 3, "many titles have a word starting with s");
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "no fact twice");
        assert_eq!(index.fill(&typed("s"), &[], 2), all[..2]);
        assert_eq!(index.fill(&typed("s"), &all[..2], 1), all[2..3]);
    }

    #[test]
    fn completion_puts_the_matchers_best_title_match_first() {
        let engine = Engine::load(None).expect("the shipped base is valid");
        let best = engine.matcher().rank("cameras").ranked[0].fact().expect("a fact");
        assert!(TitleIndex::new(engine.kb()).matches(best, &typed("cameras")));
        assert_eq!(engine.complete("cameras", 25)[0], best);
    }
}
