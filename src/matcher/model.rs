//! The confidence: the probability that an entry (a fact or a gap) is what a
//! question asks for, from a logistic regression over answerability signals,
//! learned from the fact base itself every time it loads.
//!
//! The search proposes candidates by a cheap score (coverage and phrasing); the model
//! then judges each on what that score cannot see: how much of the question the
//! entry leaves unaccounted for, whether it supplies the type of answer asked for,
//! whether it is about the entity the question names, how many of the question's
//! phrases (words side by side) stand in its texts, and how many runs of three of
//! its words stand word for word in the entry's quotes and no other's.
//!
//! Training data is what the base already holds. Each curated phrasing, its own
//! phrasing left out of its entry, is a positive for that entry and a negative for
//! every other candidate the search proposes; the gaps' phrasings teach the facts'
//! near-misses; a built-in bank of off-topic chat is negative everywhere. Fitting is
//! Newton's method from zero weights, so the same base always gives the same model.
//! A second stage, fitted on each training question's best candidate, turns scores
//! into calibrated confidences. The answer threshold is then chosen on the same
//! examples, as the one with the lowest cost when a wrong answer costs [`WRONG_ANSWER_COST`] honest "I don't know"s.

use super::qtype::QType;
use super::{Doc, Matcher, Query, TermId};
use serde::{Deserialize, Serialize};

/// Candidates the search proposes for the model to judge.
pub const CANDIDATES: usize = 5;
/// How many honest "I don't know"s one confident wrong answer costs, when the
/// threshold is chosen: a fan misled is worse than a fan sent to the suggestions.
pub const WRONG_ANSWER_COST: f64 = 3.0;
/// L2 penalty on the weights (not the bias), against separable training data.
const RIDGE: f64 = 1e-2;
/// The least L2 penalty: a base of a few phrasings is too little to learn a dozen
/// weights from, and without it one of them fits the noise (a fixture of six
/// phrasings learnt that sharing a phrase is a sign of a wrong answer).
const MIN_RIDGE: f64 = 1.0;
/// How close to the least cost (as a share of the answerable questions) a threshold
/// must come to be chosen.
const NEAR_OPTIMAL: f64 = 0.01;
/// How far either side of a threshold its cost is averaged over, to choose among
/// those near the least. Held out (blind10, on a base harvested without it), 0.03
/// chose 0.705 and kept a reworded phrasing from moving it; the highest near the
/// least had chosen 0.714, and 10 fewer questions answered on blind10, holdout,
/// holdout2 and dev together, with as many wrong.
const SMOOTHING: f32 = 0.03;
const NEWTON_STEPS: usize = 8;
/// A Newton step that moves no weight by more than this has converged.
const CONVERGED: f64 = 1e-6;

/// Questions about anything but the film: negatives for every candidate.
const OFF_TOPIC: &[&str] = &[
    "what's the weather like today",
    "who won the world cup",
    "can you recommend a good movie",
    "how do i bake bread",
    "what is the capital of france",
    "tell me a joke",
    "what time is it",
    "who is the president of the united states",
    "how old is the earth",
    "what's your favorite color",
    "how do i fix my wifi",
    "who directed titanic",
    "what songs did taylor swift write",
    "when did the titanic sink",
    "who is the best football player",
    "how many people live in china",
    "what should i eat for dinner",
    "is it going to rain tomorrow",
    "what's the best phone to buy",
    "who wrote harry potter",
    "how far is the moon",
    "what is love",
    "can you help me with my homework",
    "what's a good name for a cat",
    "how do i get a girlfriend",
    "who invented the internet",
    "what is the meaning of life",
    "how long is a marathon",
    "which camera should i buy for youtube",
    "who kissed first in titanic",
];

/// The signals the model weighs, by name (for `ask --explain`).
pub const FEATURES: [&str; 14] = [
    "bias",
    "match score",
    "phrases shared",
    "unaccounted words",
    "unknown words",
    "question type supplied",
    "question type not supplied",
    "about the entity named",
    "not about the entity named",
    "typo corrections",
    "focus asked for",
    "focus never asked for",
    "quoted word for word",
    "a near miss's words",
];

pub type Features = [f32; FEATURES.len()];

/// Where "a near miss's words", the last feature, stands in [`Features`]:
/// `judge_all` sets it.
const NEAR_MISS_WORDS: usize = FEATURES.len() - 1;

/// The signals of the second stage, which turns a candidate's score into the
/// confidence shown and used. (Its lead over the runner-up was tried as a third:
/// it declines questions whose fact has a close sibling, and lost.)
pub const CALIBRATION: [&str; 2] = ["bias", "score"];

/// The learned weights and answer threshold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    /// The first stage: how likely each candidate is to be the one, alone.
    pub weights: [f64; FEATURES.len()],
    /// The second stage, over [`CALIBRATION`]: how often the best candidate is right
    /// at a given score. Its slope is positive, so confidence ranks as score does.
    pub calibration: [f64; CALIBRATION.len()],
    pub threshold: f32,
    /// How many examples it was trained on, and their positives.
    pub examples: usize,
    pub positives: usize,
}

impl Model {
    pub(super) const UNTRAINED: Model =
        Model { weights: [0.0; FEATURES.len()], calibration: [0.0, 1.0], threshold: 0.5, examples: 0, positives: 0 };

    /// The first stage's score of one candidate, in log-odds.
    pub fn score(&self, x: &Features) -> f64 {
        dot(&self.weights, x)
    }

    /// The confidence in a candidate, from its score. The first stage learns from
    /// every candidate, most of them wrong, so its probabilities run low for the best
    /// one; the second stage learns from the best candidates only, so that of the
    /// answers given at 0.8, about 80% are right.
    pub fn confidence(&self, score: f64) -> f32 {
        sigmoid(dot(&self.calibration, &[1.0, score as f32])) as f32
    }

    /// Each feature's contribution to the log-odds.
    pub fn contributions(&self, x: &Features) -> [f64; FEATURES.len()] {
        std::array::from_fn(|i| self.weights[i] * f64::from(x[i]))
    }
}

/// A candidate's cheap score and the signals the model weighs.
#[derive(Debug, Clone, Copy)]
pub struct Judged {
    pub doc: Doc,
    /// The share of the question the entry accounts for.
    pub coverage: f32,
    pub features: Features,
    /// Which of the question's first 64 terms the entry accounts for, by their
    /// place in `Query::terms`. A fan's question has fewer; a longer text of
    /// synonyms (each folds to its term past `MAX_QUESTION_WORDS`) is judged on
    /// its first 64.
    held: u64,
}

/// What a phrasing left out of its entry changes: its terms count one text less.
pub struct LeftOut<'a> {
    pub doc: Doc,
    pub terms: &'a [TermId],
}

impl Matcher {
    /// The signals of `doc` for `query`; `left_out` removes one phrasing from its
    /// entry, for training.
    pub(super) fn judge(&self, query: &Query, doc: Doc, left_out: Option<&LeftOut>) -> Judged {
        // The question left out is new to the whole base: no entry has it as a
        // phrasing (a duplicate elsewhere would teach that a perfect phrasing match
        // is a wrong answer). Its own entry also loses its terms' uses.
        let unseen = left_out.map(|l| l.terms);
        let left_out = left_out.filter(|l| l.doc == doc);
        let strength = |term: TermId| -> f32 {
            let postings = &self.postings[term.0 as usize];
            let Ok(at) = postings.binary_search_by_key(&doc, |p| p.0) else { return 0.0 };
            match left_out {
                Some(l) if l.terms.binary_search(&term).is_ok() => {
                    let (strong, weak) = self.uses[doc.0 as usize]
                        .binary_search_by_key(&term, |u| u.0)
                        .map_or((0, false), |i| (self.uses[doc.0 as usize][i].1, self.uses[doc.0 as usize][i].2));
                    if strong > 1 {
                        1.0
                    } else if weak {
                        super::ANSWER_TEXT_WEIGHT
                    } else {
                        0.0
                    }
                }
                _ => postings[at].1,
            }
        };
        // A value a question offers for checking, of a kind the entry's answer or
        // quotes give ("was it shot in march" of the fact that it was shot at the end
        // of February), is one the entry answers, by correcting it if need be: the
        // entry accounts for it, and its phrasings are compared with the rest of the
        // question.
        let gives = self.gives[doc.0 as usize];
        let answers_offered = |term: TermId| query.offered.iter().any(|&(t, kinds)| t == term && kinds.meets(gives));
        let offered_unknown =
            query.offered_unknown.iter().filter(|kinds| kinds.meets(gives)).count() as f32 * self.unknown_weight;
        let mut offered = offered_unknown;
        let mut covered = offered_unknown;
        let mut untouched = 0.0f32;
        let mut held = 0u64;
        for (i, &(term, weight)) in query.terms.iter().enumerate() {
            let mut s = strength(term);
            if answers_offered(term) {
                s = 1.0;
                offered += weight;
            }
            covered += weight * s;
            if s == 0.0 {
                untouched += weight;
            } else if let Some(bit) = 1u64.checked_shl(i as u32) {
                held |= bit;
            }
        }
        let total = query.total.max(f32::MIN_POSITIVE);
        let phrasing = match unseen {
            None if offered == 0.0 => self.similarity_again(query, doc),
            _ => self.phrasings[doc.0 as usize].similarity(query, (total - offered).max(f32::MIN_POSITIVE), unseen),
        };
        let coverage = (covered / total).min(1.0);
        let score = self.blend(query, doc, coverage, phrasing);
        let qtypes = self.qtypes[doc.0 as usize];
        // An entry whose phrasings ask no type says nothing either way, unless no
        // entry at all supplies the type asked ("how old..." on a base without ages)
        // or it asks for a measure: a fact that gives a count, a length or an age is
        // asked for it ("how old was marianna" is no question for the fact that it
        // was her first time kissing a girl).
        // A fact that gives a month answers "when" but not "what day" ("what day in
        // february did coker call": the documents say only February), and one that
        // gives a morning not "what time exactly".
        let precision_not_given =
            doc.0 < self.facts && query.precision.is_some_and(|p| !self.precise[doc.0 as usize][p as usize]);
        let (supplied, not_supplied) = match query.qtype {
            None => (0.0, 0.0),
            Some(QType::When) if precision_not_given => (0.0, 1.0),
            Some(q) if qtypes.contains(q) => (1.0, 0.0),
            Some(q) if qtypes.is_empty() && self.answerable.contains(q) && !q.measures() => (0.0, 0.0),
            Some(_) => (0.0, 1.0),
        };
        let about = &self.about[doc.0 as usize];
        let (about_named, not_about_named) = match query.entities.is_empty() {
            true => (0.0, 0.0),
            false if query.entities.iter().any(|e| about.contains(e)) => (1.0, 0.0),
            false => (0.0, 1.0),
        };
        // Whether the entry's phrasings ask for the kind of thing the question does
        // ("which park"); the phrasing left out does not count for its own entry.
        let (focus_asked, focus_never) = match &query.focus {
            None => (0.0, 0.0),
            Some(focus) => {
                let asked = self.focuses[doc.0 as usize].iter().find(|(f, _)| f == focus).map_or(0, |f| f.1);
                let asked = asked - u16::from(left_out.is_some() && asked > 0);
                if asked > 0 {
                    (1.0, 0.0)
                } else {
                    (0.0, 1.0)
                }
            }
        };
        // Of the question's phrases (neighbouring terms), the share the entry has; one
        // that only the phrasing left out gave its entry is no evidence.
        let doc_pairs = &self.pairs[doc.0 as usize];
        let needed = if left_out.is_some() { 2 } else { 1 };
        let shared_pairs = query
            .pairs
            .iter()
            .filter(|p| doc_pairs.binary_search_by_key(p, |d| &d.0).is_ok_and(|i| doc_pairs[i].1 >= needed))
            .count();
        let phrases = shared_pairs as f32 / query.pairs.len().max(1) as f32;
        let unknown = (query.unknown - offered_unknown) / total;
        let typos = query.corrected as f32 / (query.terms.len().max(1)) as f32;
        let features = [
            1.0,
            score,
            phrases,
            (untouched / total).min(1.0) + unknown,
            unknown,
            supplied,
            not_supplied,
            about_named,
            not_about_named,
            typos.min(1.0),
            focus_asked,
            focus_never,
            self.verbatim.shared(doc.0 as usize, &query.runs) as f32 / super::verbatim::ENOUGH as f32,
            // Set by `judge_all`, which sees the other candidates.
            0.0,
        ];
        Judged { doc, coverage, features, held }
    }

    /// Judges each of `docs`, the search's proposals in its order, each also by the
    /// words a near miss among the first [`CANDIDATES`] accounts for and it does not:
    /// "which couple went to lunch" names what a gap asks ("which couple") beside
    /// what a fact tells (that one went to lunch), and the fact that lacks those
    /// words is the less likely answer. Gaps' words only: those of every other
    /// candidate are as often a sibling fact's detail as a sign of a near miss (that
    /// variant gave 42 more right answers for 20 more wrong on the sets never
    /// harvested, and 14 more wrong on the harvested ones; BENCHMARKS.md).
    pub(super) fn judge_all(&self, query: &Query, docs: &[Doc], left_out: Option<&LeftOut>) -> Vec<Judged> {
        let mut judged: Vec<Judged> = docs.iter().map(|&d| self.judge(query, d, left_out)).collect();
        // Every near miss's words at once: a gap's own are masked out by its `held`.
        let near_misses =
            judged.iter().take(CANDIDATES).filter(|j| j.doc.0 >= self.facts).fold(0u64, |all, j| all | j.held);
        if near_misses == 0 {
            return judged;
        }
        let total = query.total.max(f32::MIN_POSITIVE);
        for j in &mut judged {
            let claimed = near_misses & !j.held;
            let weight: f32 =
                query.terms.iter().take(64).enumerate().filter(|&(i, _)| claimed >> i & 1 == 1).map(|(_, t)| t.1).sum();
            j.features[NEAR_MISS_WORDS] = (weight / total).min(1.0);
        }
        judged
    }

    /// Learns the model from the base this matcher indexes (see the module doc).
    pub(super) fn train(&self) -> Model {
        let examples = self.examples();
        let mut xs: Vec<Features> = Vec::new();
        let mut ys: Vec<bool> = Vec::new();
        // Per training question: its candidates' rows, and the entry it should get
        // (None: none, it should be declined). Used again to choose the threshold.
        let mut questions: Vec<(std::ops::Range<usize>, Vec<Doc>, Option<Doc>)> = Vec::new();
        for example in examples {
            let start = xs.len();
            for (x, y) in example.rows {
                xs.push(x);
                ys.push(y);
            }
            questions.push((start..xs.len(), example.docs, example.expected));
        }
        let weights = fit(&xs, &ys);
        let scores: Vec<f64> = xs.iter().map(|x| dot(&weights, x)).collect();
        // The second stage learns from each question's best candidate: the one whose
        // confidence decides.
        let (mut tops, mut right) = (Vec::new(), Vec::new());
        for (rows, ..) in &questions {
            let Some(best) = rows.clone().max_by(|&a, &b| scores[a].total_cmp(&scores[b])) else { continue };
            tops.push([1.0, scores[best] as f32]);
            right.push(ys[best]);
        }
        let mut calibration = fit(&tops, &right);
        // Ranking by confidence must stay ranking by score: a degenerate fit (a base
        // too small to learn from) keeps the score's own order.
        if calibration[1] <= 0.0 {
            calibration = Model::UNTRAINED.calibration;
        }
        let model = Model {
            weights,
            calibration,
            threshold: 0.5,
            examples: xs.len(),
            positives: ys.iter().filter(|y| **y).count(),
        };
        let threshold = choose_threshold(self, &model, &scores, &questions);
        Model { threshold, ..model }
    }
}

/// How many threads build the training examples: start-up is most of a bot's
/// restart, and the examples are independent of each other.
const TRAINING_THREADS: usize = 4;

/// One training question: each candidate's signals and whether it is the one, the
/// candidates, and the entry it should get (None: it should be declined).
struct Example {
    rows: Vec<(Features, bool)>,
    docs: Vec<Doc>,
    expected: Option<Doc>,
}

impl Matcher {
    /// The training questions, in the base's order whatever the threads: each curated
    /// phrasing left out of its entry, then the off-topic bank.
    fn examples(&self) -> Vec<Example> {
        let items: Vec<(Option<Doc>, &str)> = self
            .training_phrasings
            .iter()
            .enumerate()
            .flat_map(|(doc, texts)| texts.iter().map(move |t| (Some(Doc(doc as u32)), t.as_str())))
            .chain(OFF_TOPIC.iter().map(|&t| (None, t)))
            .collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, TRAINING_THREADS);
        let per_thread = items.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let workers: Vec<_> = items
                .chunks(per_thread)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk.iter().filter_map(|&(doc, text)| self.example(doc, text)).collect::<Vec<_>>()
                    })
                })
                .collect();
            workers.into_iter().flat_map(crate::joined).collect()
        })
    }

    /// The example `text` makes: left out of `doc`'s entry, or (no `doc`) off topic.
    fn example(&self, doc: Option<Doc>, text: &str) -> Option<Example> {
        let query = self.query(text);
        if query.terms.is_empty() {
            return None;
        }
        let mut terms: Vec<TermId> = query.terms.iter().map(|t| t.0).collect();
        terms.sort_unstable();
        let left_out = doc.map(|doc| LeftOut { doc, terms: &terms });
        let mut docs: Vec<Doc> = self.top(&query, CANDIDATES).iter().map(|s| self.doc_of(s.target)).collect();
        if let Some(l) = &left_out {
            if !docs.contains(&l.doc) {
                docs.push(l.doc);
            }
        }
        let rows = self
            .judge_all(&query, &docs, left_out.as_ref())
            .into_iter()
            .map(|judged| (judged.features, Some(judged.doc) == doc))
            .collect();
        let expected = doc.filter(|d| d.0 < self.facts);
        Some(Example { rows, docs, expected })
    }
}

/// The threshold with the lowest cost on the training questions: each wrong answer
/// costs [`WRONG_ANSWER_COST`], each question its entry would answer but declined
/// costs 1. Candidates are the probabilities of the questions' best facts.
fn choose_threshold(
    m: &Matcher,
    model: &Model,
    scores: &[f64],
    questions: &[(std::ops::Range<usize>, Vec<Doc>, Option<Doc>)],
) -> f32 {
    // For each question: the confidence in its best candidate, and whether answering
    // with it is right (a gap on top declines, which is right only for a gap).
    let outcomes: Vec<(f32, Option<bool>)> = questions
        .iter()
        .map(|(rows, docs, expected)| {
            let best = rows
                .clone()
                .zip(docs)
                .map(|(row, &doc)| (model.confidence(scores[row]), doc))
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
            match best {
                Some((p, doc)) if doc.0 < m.facts => (p, Some(Some(doc) == *expected)),
                _ => (0.0, None),
            }
        })
        .collect();
    let answerable = questions.iter().filter(|q| q.2.is_some()).count() as f64;
    // Sweep the thresholds from the highest answer down: each step answers one more.
    let mut answered: Vec<(f32, bool)> = outcomes.iter().filter_map(|&(p, right)| Some((p, right?))).collect();
    answered.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let (mut right, mut wrong) = (0.0, 0.0);
    let mut costs: Vec<(f64, f32)> = Vec::with_capacity(answered.len());
    for (i, &(p, ok)) in answered.iter().enumerate() {
        if ok {
            right += 1.0;
        } else {
            wrong += 1.0;
        }
        // Only where the next answer has a lower probability is this a threshold.
        if answered.get(i + 1).is_none_or(|next| next.0 < p) {
            costs.push((WRONG_ANSWER_COST * wrong + (answerable - right), p));
        }
    }
    // The cost is nearly flat over a wide band (there, answers are right about as
    // often as a wrong one costs), so the exact minimum of single questions' steps
    // moved with any change to the base: one phrasing reworded took it from 0.70 to
    // 0.73, and so did the calmest single threshold, by up to 0.09 when a few
    // hundred fans' questions joined the base. The middle of the flat band moves
    // least (see [`middle_of_least`]).
    middle_of_least(&costs, NEAR_OPTIMAL * answerable).unwrap_or(0.5)
}

/// Of `costs` (each threshold's cost, from the highest threshold down), the middle
/// of the band whose neighbourhoods cost least: the span of the thresholds whose
/// averaged cost ([`smoothed`]) comes within `hair` of the least average. The
/// middle is kept among the thresholds whose own cost comes within `hair` of the
/// least: a base of a handful of phrasings, whose thresholds are few and far apart,
/// stays at its own minimum, which averaging alone would move.
fn middle_of_least(costs: &[(f64, f32)], hair: f64) -> Option<f32> {
    let smooth = smoothed(costs, SMOOTHING);
    let least_cost = costs.iter().map(|c| c.0).fold(f64::INFINITY, f64::min);
    let least_smooth = smooth.iter().copied().fold(f64::INFINITY, f64::min);
    let (lo, hi) = span(costs.iter().filter(|c| c.0 <= least_cost + hair).map(|c| c.1))?;
    let (calm_lo, calm_hi) =
        span(costs.iter().zip(&smooth).filter(|(_, &s)| s <= least_smooth + hair).map(|(c, _)| c.1))?;
    Some(((calm_lo + calm_hi) / 2.0).clamp(lo, hi))
}

/// The lowest and highest of `thresholds`, if any.
fn span(thresholds: impl Iterator<Item = f32>) -> Option<(f32, f32)> {
    thresholds.fold(None, |span, t| Some(span.map_or((t, t), |(lo, hi): (f32, f32)| (lo.min(t), hi.max(t)))))
}

/// Each cost of `costs` (thresholds from the highest down) averaged with those of
/// the thresholds within `window` of its own.
fn smoothed(costs: &[(f64, f32)], window: f32) -> Vec<f64> {
    let (mut first, mut end, mut sum) = (0usize, 0usize, 0.0f64);
    let mut out = Vec::with_capacity(costs.len());
    for &(_, threshold) in costs {
        while end < costs.len() && costs[end].1 >= threshold - window {
            sum += costs[end].0;
            end += 1;
        }
        while costs[first].1 > threshold + window {
            sum -= costs[first].0;
            first += 1;
        }
        out.push(sum / (end - first) as f64);
    }
    out
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn dot<const D: usize>(w: &[f64; D], x: &[f32; D]) -> f64 {
    w.iter().zip(x).map(|(w, x)| w * f64::from(*x)).sum()
}

/// Logistic regression by Newton's method with a small ridge: deterministic, and a
/// few steps of a 12 × 12 solve. It stops early once a step no longer moves any
/// weight by [`CONVERGED`].
fn fit<const D: usize>(xs: &[[f32; D]], ys: &[bool]) -> [f64; D] {
    let ridge = (RIDGE * xs.len() as f64 / 100.0).max(MIN_RIDGE);
    let mut w = [0.0f64; D];
    for _ in 0..NEWTON_STEPS {
        let (mut grad, mut hess) = curvature_in_halves(&w, xs, ys);
        for i in 0..D {
            let ridge = if i == 0 { 1e-9 } else { ridge };
            hess[i][i] += ridge;
            grad[i] += ridge * w[i];
        }
        let Some(step) = solve(hess, grad) else { break };
        for i in 0..D {
            w[i] -= step[i];
        }
        if step.iter().all(|s| s.abs() < CONVERGED) {
            break;
        }
    }
    w
}

/// Rows past which the two halves of [`curvature_in_halves`] are summed on two
/// threads: below it, a thread costs more than it saves.
const PARALLEL_ROWS: usize = 4096;

/// [`curvature`] over each half of the rows, added: the same sums whether or not
/// the halves ran on two threads, so the model does not depend on the machine.
/// Fitting is start-up's longest stretch on one thread.
fn curvature_in_halves<const D: usize>(w: &[f64; D], xs: &[[f32; D]], ys: &[bool]) -> ([f64; D], [[f64; D]; D]) {
    let mid = xs.len() / 2;
    let (first, second) = ((&xs[..mid], &ys[..mid]), (&xs[mid..], &ys[mid..]));
    let ((mut grad, mut hess), (grad2, hess2)) = if xs.len() >= PARALLEL_ROWS {
        std::thread::scope(|scope| {
            let later = scope.spawn(|| curvature(w, second.0, second.1));
            let sooner = curvature(w, first.0, first.1);
            (sooner, crate::joined(later))
        })
    } else {
        (curvature(w, first.0, first.1), curvature(w, second.0, second.1))
    };
    for i in 0..D {
        grad[i] += grad2[i];
        for j in 0..D {
            hess[i][j] += hess2[i][j];
        }
    }
    (grad, hess)
}

/// The log loss's gradient and Hessian at `w`. The gradient, which decides where
/// Newton's method ends, is summed in f64; the Hessian, which only decides how fast
/// it gets there, in f32 and whole rather than as a triangle, so that a row's update
/// is D plain loops of D the compiler vectorizes.
fn curvature<const D: usize>(w: &[f64; D], xs: &[[f32; D]], ys: &[bool]) -> ([f64; D], [[f64; D]; D]) {
    let mut grad = [0.0f64; D];
    let mut hess = [[0.0f32; D]; D];
    for (x, &y) in xs.iter().zip(ys) {
        let p = sigmoid(dot(w, x));
        let r = p - f64::from(u8::from(y));
        let s = (p * (1.0 - p)) as f32;
        for i in 0..D {
            grad[i] += r * f64::from(x[i]);
            let a = s * x[i];
            for (h, xj) in hess[i].iter_mut().zip(x) {
                *h += a * xj;
            }
        }
    }
    (grad, hess.map(|row| row.map(f64::from)))
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve<const D: usize>(mut a: [[f64; D]; D], mut b: [f64; D]) -> Option<[f64; D]> {
    for col in 0..D {
        let pivot = (col..D).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (upper, lower) = a.split_at_mut(col + 1);
        let pivot_row = &upper[col];
        for (offset, row) in lower.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (cell, above) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *cell -= f * above;
            }
            b[col + 1 + offset] -= f * b[col];
        }
    }
    let mut x = [0.0f64; D];
    for row in (0..D).rev() {
        let rest: f64 = (row + 1..D).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_separates_a_simple_signal() {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for i in 0..200 {
            let c = i as f32 / 200.0;
            let mut x = [0.0f32; FEATURES.len()];
            x[0] = 1.0;
            x[1] = c;
            xs.push(x);
            ys.push((i * 7919 % 200) as f32 / 200.0 < c);
        }
        let w = fit(&xs, &ys);
        assert!(w[1] > 2.0, "coverage should weigh for an answer: {w:?}");
        let mut low = [0.0f32; FEATURES.len()];
        low[0] = 1.0;
        let mut high = low;
        high[1] = 1.0;
        assert!(sigmoid(dot(&w, &low)) < 0.3 && sigmoid(dot(&w, &high)) > 0.7);
    }

    #[test]
    fn smoothing_averages_the_costs_of_near_thresholds() {
        let costs = [(10.0, 0.9), (4.0, 0.8), (8.0, 0.79), (6.0, 0.5)];
        assert_eq!(smoothed(&costs, 0.05), [10.0, 6.0, 6.0, 6.0]);
    }

    #[test]
    fn the_threshold_is_the_middle_of_the_calm_band_near_the_least_cost() {
        // A flat band (costs 100 to 101) from 0.64 down to 0.62, and one lucky step
        // down to 100 at 0.70 among costly neighbours: the middle of the calm band
        // is taken, not the lucky step.
        let costs: Vec<(f64, f32)> = [
            (110.0, 0.80),
            (106.0, 0.77),
            (101.0, 0.745),
            (100.0, 0.70),
            (108.0, 0.69),
            (109.0, 0.68),
            (101.0, 0.64),
            (101.0, 0.635),
            (101.0, 0.63),
            (101.0, 0.625),
            (101.0, 0.62),
            (120.0, 0.55),
        ]
        .to_vec();
        assert_eq!(middle_of_least(&costs, 2.0), Some(0.63));
        // Within no hair, only the least itself is near.
        assert_eq!(middle_of_least(&costs, 0.0), Some(0.70));
        // A wide flat band: its middle, wherever the single least step fell.
        let flat: Vec<(f64, f32)> =
            (0..=40).map(|i| (if i == 3 { 99.0 } else { 100.0 }, 0.8 - i as f32 * 0.005)).collect();
        let middle = middle_of_least(&flat, 2.0).expect("a band");
        assert!((middle - 0.7).abs() < 1e-6, "{middle}");
        // A base of a handful of phrasings: its few thresholds lie far apart, and its
        // own minimum stands (averaging alone would have moved it to 0.759).
        let fixture = [(5.0, 0.874), (3.0, 0.854), (2.0, 0.759), (1.0, 0.593), (4.0, 0.569), (3.0, 0.539)];
        assert_eq!(middle_of_least(&fixture, 0.06), Some(0.593));
        assert_eq!(middle_of_least(&[], 1.0), None);
    }

    #[test]
    fn solve_solves() {
        let x = solve([[2.0, 1.0], [1.0, 3.0]], [3.0, 5.0]).expect("regular");
        assert!((x[0] - 0.8).abs() < 1e-9 && (x[1] - 1.4).abs() < 1e-9);
        assert!(solve([[1.0, 2.0], [2.0, 4.0]], [1.0, 2.0]).is_none());
    }
}
