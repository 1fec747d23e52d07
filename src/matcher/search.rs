//! Finding a question's best facts without scoring every fact its words reach: the
//! MaxScore idea (Turtle and Flood, 1995) applied to this matcher's confidence.
//!
//! The question's terms are taken rarest first. A fact that none of the terms taken
//! so far reaches can owe its coverage only to the terms still to come, so once the
//! best facts found are surer than any such fact could be, the remaining (common,
//! long) postings are never read. Each fact reached is given an upper bound from
//! what it could still gain, its shortest phrasing and its question type, and is
//! scored in full only if that bound could still place it. On a large base a
//! question costs the length of its rare terms' postings, not of its common ones.
//!
//! The result is exactly the ranking that scoring every reached fact would give (a
//! test in `tests.rs` checks it): only facts that provably cannot place are skipped.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::{insert_ranked, Doc, Matcher, Query, Scored, COVERAGE_SHARE, PHRASING_SHARE};

/// Bounds are raised by this share so that float rounding, which can differ between
/// a bound and the score it bounds, never prunes a fact that would have placed.
const BOUND_SLACK: f32 = 1e-5;

/// Facts seen so far, one bit each: cheaper to clear than a hash set is to fill.
struct Seen(Vec<u64>);

impl Seen {
    fn new(facts: usize) -> Seen {
        Seen(vec![0; facts.div_ceil(64)])
    }

    /// Marks `fact`; true if it was not marked before.
    fn insert(&mut self, fact: Doc) -> bool {
        let (word, bit) = (fact.0 as usize / 64, 1u64 << (fact.0 % 64));
        let fresh = self.0[word] & bit == 0;
        self.0[word] |= bit;
        fresh
    }
}

/// A fact met, with the most it could score: the highest bound first, then (as in
/// the ranking's ties) the first fact.
#[derive(Debug, PartialEq)]
struct Open {
    bound: f32,
    fact: Doc,
}

impl Eq for Open {}

impl Ord for Open {
    fn cmp(&self, other: &Self) -> Ordering {
        self.bound.total_cmp(&other.bound).then(other.fact.cmp(&self.fact))
    }
}

impl PartialOrd for Open {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Matcher {
    /// The `limit` best facts for `query`, best first.
    pub(super) fn top(&self, query: &Query, limit: usize) -> Vec<Scored> {
        let mut order = query.terms.clone();
        order.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // What the terms after each position can add, at most.
        let mut after = vec![0.0f32; order.len()];
        for i in (0..order.len().saturating_sub(1)).rev() {
            after[i] = after[i + 1] + order[i + 1].1;
        }
        let mut ranked: Vec<Scored> = Vec::with_capacity(limit + 1);
        if limit == 0 {
            return ranked;
        }
        let mut seen = Seen::new(self.qtypes.len());
        let mut fresh: Vec<Open> = Vec::new();
        for (i, &(term, weight)) in order.iter().enumerate() {
            if cannot_place(&ranked, limit, self.bound_unseen(query, weight + after[i])) {
                break;
            }
            // Facts this term reaches first. Every fact reached by an earlier term has
            // been scored or ruled out already: its bound only falls from here on.
            fresh.clear();
            fresh.extend(
                self.postings[term.0 as usize].iter().filter(|&&(fact, _)| seen.insert(fact)).map(
                    |&(fact, strength)| Open { bound: self.bound(query, fact, weight * strength + after[i]), fact },
                ),
            );
            // Most of a long list is never taken: a heap orders only what is.
            let mut heap = BinaryHeap::from(std::mem::take(&mut fresh));
            while let Some(Open { bound, fact }) = heap.pop() {
                if cannot_place(&ranked, limit, bound) {
                    break;
                }
                // The bound again, now with what the fact really covers: most facts
                // stop here, before their phrasings are compared.
                let covered = self.covered(query, fact);
                if cannot_place(&ranked, limit, self.bound(query, fact, covered)) {
                    continue;
                }
                let confidence = self.confidence(query, fact, covered);
                if confidence > 0.0 {
                    let coverage = (covered / query.total).min(1.0);
                    insert_ranked(&mut ranked, Scored { target: self.target(fact), confidence, coverage }, limit);
                }
            }
            fresh = heap.into_vec();
        }
        ranked
    }

    /// The weight of the question that `fact` covers, summed in the question's own
    /// order so that it does not depend on the order the search met the terms in.
    pub(super) fn covered(&self, query: &Query, fact: Doc) -> f32 {
        query
            .terms
            .iter()
            .filter_map(|&(term, weight)| {
                let postings = &self.postings[term.0 as usize];
                postings.binary_search_by_key(&fact, |p| p.0).ok().map(|at| weight * postings[at].1)
            })
            .sum()
    }

    /// The most confidence `fact` could have if it covered `covered` of the question's
    /// weight: phrasing similarity can't exceed what its lightest phrasing allows.
    fn bound(&self, query: &Query, fact: Doc, covered: f32) -> f32 {
        let most = most_confidence(query, covered, self.shortest[fact.0 as usize]);
        most * self.qtype_factor(query, fact)
    }

    /// `bound` for a fact not yet met, of which nothing is known.
    fn bound_unseen(&self, query: &Query, covered: f32) -> f32 {
        most_confidence(query, covered, self.shortest_anywhere)
    }
}

/// Whether a fact scoring at most `bound` is kept out of a full top `limit` (ties
/// with the last place go to the first fact, which has been met already).
fn cannot_place(ranked: &[Scored], limit: usize, bound: f32) -> bool {
    ranked.len() == limit && ranked.last().is_some_and(|last| bound < last.confidence)
}

/// The confidence formula (`Matcher::confidence`) at its most: a fact covering
/// `covered` of `query`, whose phrasings all weigh at least `lightest`, sharing all
/// of it with one phrasing, of the question type asked for; raised by the slack.
fn most_confidence(query: &Query, covered: f32, lightest: f32) -> f32 {
    let phrasing = (2.0 * covered / (query.total + lightest)).min(1.0);
    let coverage = (covered / query.total).min(1.0);
    (COVERAGE_SHARE * coverage + PHRASING_SHARE * phrasing) * (1.0 + BOUND_SLACK)
}
