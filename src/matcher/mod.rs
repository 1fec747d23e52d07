//! Maps a fan's question to the fact that answers it, with a confidence in [0, 1],
//! or to nothing.
//!
//! The index is built once, when the fact base loads: an inverted index from term to
//! the facts that use it, each term weighted by how rare it is (BM25's idf), the
//! terms of each curated phrasing, the question types each fact answers, and a
//! deletion index for typos. Answering a question then touches only the postings of
//! its own terms and the phrasings of the few facts they reach: no string-distance
//! scan over the fact base.
//!
//! Confidence blends two views of the same evidence. *Coverage*: how much of the
//! question (weighted by rarity) the fact's words account for; a word no fact knows
//! ("titanic", "weather") weighs as much as the rarest known word, which is what
//! makes off-topic questions and near-misses fall below the threshold. *Phrasing*:
//! how closely the question matches one curated phrasing as a whole. A mismatch of
//! question type scales the result down.
//!
//! Contract: `rank` never panics, reads at most [`MAX_QUESTION_CHARS`] characters,
//! and is deterministic (the same question always gives the same ranking).
//!
//! [`MAX_QUESTION_CHARS`]: crate::text::MAX_QUESTION_CHARS

mod model;
mod qtype;
mod read;
mod search;
mod typo;
mod verbatim;

pub use model::{Model, CANDIDATES, FEATURES, WRONG_ANSWER_COST};

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub(crate) use qtype::{asks_whether, asks_who, focus, is_question_word, is_wh_word};
pub use qtype::{QType, QTypes};
use typo::TypoIndex;

use crate::knowledge::{EntityId, FactId, GapId, KnowledgeBase};
use crate::text::{self, Analyzer, Token, WordMap, WordSet};

/// Default confidence needed to answer a question put to the bot directly. Chosen on
/// the development and first held-out question sets, leaning to "I don't know": a
/// wrong confident answer costs more than an honest abstention.
pub const ANSWER_THRESHOLD: f32 = 0.65;
/// Share of the confidence that comes from coverage; the rest from phrasing.
const COVERAGE_SHARE: f32 = 0.55;
const PHRASING_SHARE: f32 = 1.0 - COVERAGE_SHARE;
/// A term found only in a fact's answer or quotes, not in its questions, title or
/// keywords, counts for this much of a full match: answers mention things in passing.
const ANSWER_TEXT_WEIGHT: f32 = 0.5;
/// A word understood only as the correction of a typo counts for this much.
const TYPO_WEIGHT: f32 = 0.8;
/// A word no fact knows weighs this many times the rarest known word: a little less,
/// since fans' wordings hold words no curator thought of.
const UNKNOWN_WEIGHT: f32 = 0.8;
/// The question asks for a type of answer (who, when...) that this fact's phrasings
/// never ask for.
const QTYPE_MISMATCH: f32 = 0.6;
/// ...and that no fact in the base answers at all ("how old is...").
const QTYPE_UNANSWERABLE: f32 = 0.55;
/// The fact's phrasings name no question type, so nothing is known either way.
const QTYPE_UNKNOWN: f32 = 0.92;
/// Most deletion keys typo correction may probe for one question. With the length
/// cap in `typo`, this bounds the work per question whatever the input: a real
/// question has a typo or two (a misspelt 12-letter word costs 79 keys), a hostile one
/// has hundreds.
const TYPO_KEY_BUDGET: usize = 160;
/// The question names someone or something (an entity) and this entry is not about
/// it: "how old is Soko" is not answered by a fact about the film's age.
const ENTITY_MISMATCH: f32 = 0.7;
/// An entity named by the phrasings of facts not about it, more often than by those
/// about it, is the base's background ("First Kiss" itself), not a question's subject.
const BACKGROUND_SHARE: f32 = 0.5;
/// How many ranked facts to keep: the answer and the suggestions.
pub const RANKED: usize = 3;
/// The most curated phrasings the model trains on (see [`training_phrasings`]).
const TRAINING_PHRASINGS: usize = 1_500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
struct TermId(u32);

/// An entry of the index: the facts first, then the gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
struct Doc(u32);

/// What the matcher ranks: a fact, or a gap (a question the documents leave open).
/// Ordered as the index is, facts first, so that ties go the same way everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Fact(FactId),
    Gap(GapId),
}

/// The texts of one entry, as the index reads them.
struct DocText<'a> {
    /// Whole questions, compared with the question as a whole.
    phrasings: Vec<&'a str>,
    keywords: &'a [String],
    /// Texts that mention things in passing: answers, replies and quotes.
    weak: Vec<&'a str>,
    /// The quotes alone, for the word-for-word runs.
    quotes: Vec<&'a str>,
    about: &'a [EntityId],
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Matcher {
    analyzer: Analyzer,
    terms: WordMap<String, TermId>,
    /// Rarity of each term (BM25 idf), by `TermId`.
    idf: Vec<f32>,
    /// Facts using each term, with the strength of the use (1 or ANSWER_TEXT_WEIGHT).
    postings: Vec<Vec<(Doc, f32)>>,
    /// Each fact's curated phrasings, lightest first.
    phrasings: Vec<Phrasings>,
    /// Each fact's lightest phrasing weight, for bounding its score: the first of its
    /// `phrasings`, kept apart so that bounding thousands of facts reads one array.
    shortest: Vec<f32>,
    /// The lightest phrasing of all.
    shortest_anywhere: f32,
    qtypes: Vec<QTypes>,
    /// Each entry's kinds of value given ([`IndexedEntry::gives`]): what a question
    /// offering a value for checking can be answered by.
    gives: Vec<QTypes>,
    /// Whether each entry's answer or quotes name a day, and a time of the clock
    /// ([`qtype::precision_of`]): a month does not answer "what day".
    precise: Vec<[bool; 2]>,
    /// The focus stems each entry's phrasings ask for ("park" in "which park..."),
    /// sorted, with how many phrasings ask each.
    focuses: Vec<Vec<(String, u16)>>,
    /// Every question type some fact answers (a gap's "how old is..." asks a type
    /// the documents never supply: it must not make every fact a candidate for it).
    answerable: QTypes,
    /// How many entries are facts; the rest are gaps.
    facts: u32,
    /// The entities each entry is about.
    about: Vec<Vec<EntityId>>,
    /// The term each entity's names fold to, for the entities a question can be
    /// about (background entities left out).
    entities: WordMap<String, EntityId>,
    /// Stems seen in the fact base, before synonyms: what a typo is corrected to.
    stems: WordSet<String>,
    /// Each word of the fact base, with its stem: most of a question's words are
    /// among them, and a lookup is cheaper than the stemmer.
    stem_of: WordMap<String, String>,
    typos: TypoIndex,
    /// Weight of a word no fact knows.
    unknown_weight: f32,
    /// For each entry, each term's number of strong texts (phrasings, title,
    /// keywords) and whether a weak text has it: what leaving a phrasing out changes.
    /// Only training reads it; emptied after.
    uses: Vec<Vec<(TermId, u16, bool)>>,
    /// For each entry, the pairs of terms that stand side by side in its texts
    /// (phrasings and title, answer, claims, quotes; filler between them skipped), sorted, with how
    /// many of its texts have each: a fan who reuses a phrase ("track down", "film
    /// community") points at the entry that has it.
    pairs: Vec<Vec<(Pair, u16)>>,
    /// The runs of three words each entry's quotes hold, for questions that repeat them.
    verbatim: verbatim::Verbatim,
    /// Each curated phrasing's words hashed ([`text::hash_words`]), with its entry,
    /// sorted: which entries a question is word for word a phrasing of.
    said: Vec<(u64, Doc)>,
    /// Each entry's curated phrasings as written, the training questions. Emptied
    /// after training.
    training_phrasings: Vec<Vec<String>>,
    model: Model,
}

/// Two terms side by side.
type Pair = (TermId, TermId);

/// The pairs of neighbouring terms in `terms`, sorted, each once.
fn pairs_of(terms: &[TermId]) -> Vec<Pair> {
    let mut pairs: Vec<Pair> = terms.windows(2).filter(|w| w[0] != w[1]).map(|w| (w[0], w[1])).collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Each distinct item of `items`, sorted, with how many times it occurs.
fn counted<T: Ord>(mut items: Vec<T>) -> Vec<(T, u16)> {
    items.sort_unstable();
    let mut out: Vec<(T, u16)> = Vec::new();
    for item in items {
        match out.last_mut() {
            Some(last) if last.0 == item => last.1 = last.1.saturating_add(1),
            _ => out.push((item, 1)),
        }
    }
    out
}

/// One entry's part of the index, from its texts read.
struct IndexedEntry {
    /// Each phrasing's terms, sorted, each once.
    phrasings: Vec<Vec<TermId>>,
    /// The type of answer each phrasing asks for.
    asks: Vec<Option<QType>>,
    /// Each phrasing's words hashed, for [`Matcher::said`].
    said: Vec<u64>,
    qtypes: QTypes,
    /// The kinds of value its answer and quotes give ([`qtype::offered`]).
    gives: QTypes,
    /// Whether they name a day, and a time of the clock.
    precise: [bool; 2],
    focuses: Vec<(String, u16)>,
    pairs: Vec<(Pair, u16)>,
    uses: Vec<(TermId, u16, bool)>,
}

impl IndexedEntry {
    /// `read`, its run's term numbers made ids by `ids`; `kinds` are the kinds of
    /// value each term number is.
    fn new(
        read: read::EntryRead,
        ids: &[TermId],
        kinds: &[QTypes],
        precision: &[Option<qtype::Precision>],
    ) -> IndexedEntry {
        let ids_of = |numbers: read::Terms| -> Vec<TermId> { numbers.into_iter().map(|n| ids[n as usize]).collect() };
        let mut weak = Vec::new();
        let mut phrasings = Vec::with_capacity(read.phrasings.len());
        let mut asks = Vec::with_capacity(read.phrasings.len());
        let mut qtypes = QTypes::default();
        let mut focuses: Vec<(String, u16)> = Vec::new();
        let mut strong_texts: Vec<TermId> = Vec::new();
        let mut pairs: Vec<Pair> = Vec::new();
        for (qtype, focus, numbers) in read.phrasings {
            asks.push(qtype);
            if let Some(q) = qtype {
                qtypes.insert(q);
            }
            if let Some(stem) = focus {
                match focuses.iter_mut().find(|(f, _)| *f == stem) {
                    Some(seen) => seen.1 += 1,
                    None => focuses.push((stem, 1)),
                }
            }
            let mut terms = ids_of(numbers);
            pairs.extend(pairs_of(&terms));
            terms.sort_unstable();
            terms.dedup();
            strong_texts.extend(terms.iter().copied());
            phrasings.push(terms);
        }
        for keyword in read.keywords {
            let mut terms = ids_of(keyword);
            terms.sort_unstable();
            terms.dedup();
            strong_texts.extend(terms);
        }
        let mut gives = QTypes::default();
        let mut precise = [false; 2];
        for weak_text in read.weak {
            gives = weak_text.iter().fold(gives, |all, &n| all.union(kinds[n as usize]));
            for &n in &weak_text {
                if let Some(p) = precision[n as usize] {
                    precise[p as usize] = true;
                }
            }
            let terms = ids_of(weak_text);
            pairs.extend(pairs_of(&terms));
            weak.extend(terms);
        }
        IndexedEntry {
            phrasings,
            asks,
            said: read.said,
            qtypes,
            gives,
            precise,
            focuses,
            pairs: counted(pairs),
            uses: uses_of(counted(strong_texts), &weak),
        }
    }
}

/// An entry's terms, sorted, each with how many of its phrasings and keywords use it
/// (`strong`, counted and sorted) and whether its answer or quotes do (`weak`).
fn uses_of(strong: Vec<(TermId, u16)>, weak: &[TermId]) -> Vec<(TermId, u16, bool)> {
    let mut weak = weak.to_vec();
    weak.sort_unstable();
    weak.dedup();
    let mut out = Vec::with_capacity(strong.len() + weak.len());
    let mut weak = weak.into_iter().peekable();
    for (term, n) in strong {
        while let Some(w) = weak.next_if(|&w| w < term) {
            out.push((w, 0, true));
        }
        out.push((term, n, weak.next_if_eq(&term).is_some()));
    }
    out.extend(weak.map(|w| (w, 0, true)));
    out
}

/// A curated phrasing of a fact's question.
#[derive(Debug, Serialize, Deserialize)]
struct Phrasing {
    /// Its terms, sorted.
    terms: Box<[TermId]>,
    /// Their summed rarity.
    own: f32,
    /// The type of answer it asks for.
    asks: Option<QType>,
}

/// An entry's curated phrasings, lightest first, and which of them hold each term.
/// A question's share with every phrasing is summed over its terms' lists of
/// holders: looking each term up in each phrasing cost a fifth of start-up once the
/// base held fans' questions by the thousand, some entries a hundred of them.
#[derive(Debug, Serialize, Deserialize)]
struct Phrasings {
    list: Vec<Phrasing>,
    /// Each term of the phrasings, sorted, with where its holders start in `holders`.
    terms: Box<[(TermId, u32)]>,
    /// Indices into `list`, ascending within each term's run.
    holders: Box<[u32]>,
}

impl Phrasings {
    fn new(mut list: Vec<Phrasing>) -> Phrasings {
        list.sort_by(|a, b| a.own.total_cmp(&b.own));
        let mut held: Vec<(TermId, u32)> =
            list.iter().enumerate().flat_map(|(i, p)| p.terms.iter().map(move |&t| (t, i as u32))).collect();
        held.sort_unstable();
        held.dedup();
        let mut terms: Vec<(TermId, u32)> = Vec::new();
        for (at, &(term, _)) in held.iter().enumerate() {
            if terms.last().is_none_or(|last| last.0 != term) {
                terms.push((term, at as u32));
            }
        }
        let holders = held.into_iter().map(|(_, i)| i).collect();
        Phrasings { list, terms: terms.into(), holders }
    }

    /// How many of the phrasings hold every term of `query` and ask for the type of
    /// answer it does (any, if it asks none).
    fn holding_all(&self, query: &Query) -> usize {
        let Some((&(first, _), rest)) = query.terms.split_first() else { return 0 };
        let holds = |i: &&u32| {
            let p = &self.list[**i as usize];
            query.qtype.is_none_or(|q| p.asks == Some(q)) && rest.iter().all(|(t, _)| p.terms.binary_search(t).is_ok())
        };
        self.holding(first).iter().filter(holds).count()
    }

    /// The lightest phrasing's weight.
    fn lightest(&self) -> f32 {
        self.list.first().map_or(f32::INFINITY, |p| p.own)
    }

    /// The phrasings that hold `term`.
    fn holding(&self, term: TermId) -> &[u32] {
        let Ok(at) = self.terms.binary_search_by_key(&term, |t| t.0) else { return &[] };
        let end = self.terms.get(at + 1).map_or(self.holders.len(), |t| t.1 as usize);
        &self.holders[self.terms[at].1 as usize..end]
    }

    /// How like its closest phrasing `query` is: the most, over the phrasings (but
    /// one whose terms are `skip`), of 2 × the weight shared / (`total` + the
    /// phrasing's own). Each share is summed in the question's term order, as a
    /// phrasing-by-phrasing scan would, so the result is the same to the bit.
    fn similarity(&self, query: &Query, total: f32, skip: Option<&[TermId]>) -> f32 {
        SCRATCH.with_borrow_mut(|Scratch { shared, met }| {
            // Left dirty only by a panic in an earlier call on this thread.
            for i in met.drain(..) {
                shared[i as usize] = 0.0;
            }
            if shared.len() < self.list.len() {
                shared.resize(self.list.len(), 0.0);
            }
            for &(term, weight) in &query.terms {
                for &i in self.holding(term) {
                    if shared[i as usize] == 0.0 {
                        met.push(i);
                    }
                    shared[i as usize] += weight;
                }
            }
            let mut best = 0.0f32;
            for i in met.drain(..) {
                let p = &self.list[i as usize];
                if skip.is_none_or(|terms| *p.terms != *terms) {
                    best = best.max(2.0 * shared[i as usize] / (total + p.own));
                }
                shared[i as usize] = 0.0;
            }
            best
        })
    }
}

/// `Phrasings::similarity`'s working space, kept between calls: a question reaches
/// dozens of entries, and allocating (and zeroing) an entry's hundred shares for each
/// was a tenth of answering.
#[derive(Default)]
struct Scratch {
    /// The running share of each phrasing; all zero between calls.
    shared: Vec<f32>,
    /// The phrasings met, so that an entry of a hundred is not read whole for the
    /// few that share a word; empty between calls.
    met: Vec<u32>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// A fact and how sure the matcher is that it answers the question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub target: Target,
    pub confidence: f32,
    /// The share of the question (by weight) the entry's words account for: a gap
    /// that accounts for words its fact doesn't is what the question asks about.
    pub coverage: f32,
}

impl Scored {
    /// The fact, if this is one.
    pub fn fact(&self) -> Option<FactId> {
        match self.target {
            Target::Fact(id) => Some(id),
            Target::Gap(_) => None,
        }
    }
}

/// What the matcher makes of a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// The question had no words to match (empty, or only mentions and punctuation).
    pub empty: bool,
    pub qtype: Option<QType>,
    /// The entities the question names, in the order it names them.
    pub entities: Vec<EntityId>,
    /// Best first, confidence above zero, as many as asked for.
    pub ranked: Vec<Scored>,
}

impl Ranking {
    /// The best fact if it clears `threshold`.
    pub fn answer(&self, threshold: f32) -> Option<Scored> {
        self.ranked.first().copied().filter(|s| s.confidence >= threshold && s.fact().is_some())
    }
}

/// A question made ready for lookup.
#[derive(Debug, Default)]
struct Query {
    /// Known terms with their weight (rarity times trust), deduplicated.
    terms: Vec<(TermId, f32)>,
    /// Total weight of the question, unknown words included.
    total: f32,
    qtype: Option<QType>,
    /// The stem of the kind of thing a "which ..." question asks for.
    focus: Option<String>,
    /// How finely a "when" question asks ([`qtype::asks_precision`]).
    precision: Option<qtype::Precision>,
    entities: Vec<EntityId>,
    has_words: bool,
    /// Weight of the words no entry knows.
    unknown: f32,
    /// Its neighbouring known terms, sorted, each once.
    pairs: Vec<Pair>,
    /// Its runs of three words, as the quotes' runs are numbered.
    runs: Vec<verbatim::Trigram>,
    /// Words understood only as corrections of typos.
    corrected: usize,
    /// Its words hashed ([`text::hash_words`]).
    said: u64,
    /// The words no entry knows, for `explain`.
    strangers: Vec<String>,
    /// The values a question of no type offers for checking ("was it shot in march"),
    /// known terms with the types of answer each would be ([`qtype::offered`]).
    offered: Vec<(TermId, QTypes)>,
    /// The same, of the words no entry knows ("did 30 people kiss").
    offered_unknown: Vec<QTypes>,
    /// Each entry's phrasing similarity, once worked out: the search scores the
    /// entries the model then judges.
    similar: std::cell::RefCell<Vec<(Doc, f32)>>,
}

impl Matcher {
    /// The matcher of `kb`, its model learned.
    pub fn new(kb: &KnowledgeBase) -> Matcher {
        Matcher::untrained(kb).trained()
    }

    /// The matcher of `kb` before its model is learned: all that is read from the
    /// base alone, and what the built-in base's is compiled into the binary as.
    pub fn untrained(kb: &KnowledgeBase) -> Matcher {
        let groups = synonym_groups(kb);
        let analyzer = Analyzer::new(&groups);
        let docs: Vec<DocText> = kb
            .facts()
            .iter()
            .map(|f| {
                let quotes: Vec<&str> = f.every_citation().map(|c| c.quote.as_str()).collect();
                DocText {
                    phrasings: f.questions.iter().chain(std::iter::once(&f.title)).map(String::as_str).collect(),
                    keywords: &f.keywords,
                    weak: std::iter::once(f.answer.as_str())
                        .chain(f.claims.iter().map(|c| c.text.as_str()))
                        .chain(quotes.iter().copied())
                        .collect(),
                    quotes,
                    about: &f.about,
                }
            })
            .chain(kb.gaps().iter().map(|g| {
                let quotes: Vec<&str> = g.citations.iter().map(|c| c.quote.as_str()).collect();
                DocText {
                    phrasings: g.questions.iter().map(String::as_str).collect(),
                    keywords: &[],
                    weak: std::iter::once(g.reply.as_str()).chain(quotes.iter().copied()).collect(),
                    quotes,
                    about: &g.about,
                }
            }))
            .collect();
        let mut builder = IndexBuilder::default();
        let mut phrasings = Vec::with_capacity(docs.len());
        let mut asks = Vec::with_capacity(docs.len());
        let mut qtypes = Vec::with_capacity(docs.len());
        let mut gives = Vec::with_capacity(docs.len());
        let mut precise = Vec::with_capacity(docs.len());
        let mut focuses = Vec::with_capacity(docs.len());
        let mut uses = Vec::with_capacity(docs.len());
        let mut pairs = Vec::with_capacity(docs.len());
        let (mut runs, stem_of) = read::read_all(&analyzer, &docs);
        let stem_counts = stem_counts(kb, &analyzer, &mut runs);
        // Ids are given in run order, each run's in the order it met its terms; once a
        // run's are known, its entries are indexed on a thread of their own, and the
        // typo index, which needs only the stems, is built beside them all.
        let (typos, indexed) = std::thread::scope(|scope| {
            let typos = scope.spawn(|| TypoIndex::new(stem_counts.iter().map(|(s, &n)| (s.as_str(), n))));
            let mut runs = runs.into_iter().peekable();
            let (mut workers, mut last) = (Vec::new(), None);
            while let Some(run) = runs.next() {
                let kinds: Vec<QTypes> = run.terms.iter().map(|term| qtype::offered(term)).collect();
                let precision: Vec<_> = run.terms.iter().map(|term| qtype::precision_of(term)).collect();
                let ids: Vec<TermId> = run.terms.into_iter().map(|term| builder.intern(term)).collect();
                let index = move || -> Vec<IndexedEntry> {
                    run.entries.into_iter().map(|read| IndexedEntry::new(read, &ids, &kinds, &precision)).collect()
                };
                match runs.peek() {
                    Some(_) => workers.push(scope.spawn(index)),
                    None => last = Some(index()),
                }
            }
            let indexed: Vec<Vec<IndexedEntry>> = workers.into_iter().map(crate::joined).chain(last).collect();
            (crate::joined(typos), indexed)
        });
        let mut said = Vec::new();
        for (doc, entry) in indexed.into_iter().flatten().enumerate() {
            builder.post(Doc(doc as u32), &entry.uses);
            said.extend(entry.said.into_iter().map(|hash| (hash, Doc(doc as u32))));
            uses.push(entry.uses);
            pairs.push(entry.pairs);
            phrasings.push(entry.phrasings);
            asks.push(entry.asks);
            qtypes.push(entry.qtypes);
            gives.push(entry.gives);
            precise.push(entry.precise);
            focuses.push(entry.focuses);
        }
        let entity_heads = groups[groups.len() - kb.entities().len()..].iter().map(|g| g[0].as_str());
        let entities = entity_terms(kb, entity_heads, &analyzer, &builder, &phrasings);
        let size = docs.len() as f32;
        let idf: Vec<f32> = builder.postings.iter().map(|p| bm25_idf(size, p.len() as f32)).collect();
        let phrasings: Vec<Phrasings> = phrasings
            .into_iter()
            .zip(asks)
            .map(|(doc, asks): (Vec<Vec<TermId>>, Vec<Option<QType>>)| {
                let own = |terms: &[TermId]| terms.iter().map(|t| idf[t.0 as usize]).sum();
                Phrasings::new(
                    doc.into_iter()
                        .zip(asks)
                        .map(|(terms, asks)| Phrasing { own: own(&terms), terms: terms.into(), asks })
                        .collect(),
                )
            })
            .collect();
        let shortest: Vec<f32> = phrasings.iter().map(Phrasings::lightest).collect();
        Matcher {
            analyzer,
            terms: builder.terms,
            idf,
            postings: builder.postings,
            answerable: qtypes[..kb.facts().len()].iter().fold(QTypes::default(), |all, q| all.union(*q)),
            shortest_anywhere: shortest.iter().copied().fold(f32::INFINITY, f32::min),
            shortest,
            phrasings,
            qtypes,
            gives,
            precise,
            focuses,
            facts: kb.facts().len() as u32,
            about: docs.iter().map(|d| d.about.to_vec()).collect(),
            entities,
            stems: stem_counts.into_keys().collect(),
            stem_of,
            typos,
            unknown_weight: bm25_idf(size, 0.0) * UNKNOWN_WEIGHT,
            uses,
            pairs,
            verbatim: verbatim::Verbatim::new(docs.iter().map(|d| d.quotes.as_slice())),
            said: {
                said.sort_unstable();
                said.dedup();
                said
            },
            training_phrasings: training_phrasings(kb),
            model: Model::UNTRAINED,
        }
    }

    /// This matcher with its model learned, and what only learning needed let go.
    pub fn trained(mut self) -> Matcher {
        self.model = self.train();
        self.uses = Vec::new();
        self.training_phrasings = Vec::new();
        self
    }

    /// The learned model: its weights and answer threshold.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The confidence an answer needs, learned with the model.
    pub fn threshold(&self) -> f32 {
        self.model.threshold
    }

    fn doc_of(&self, target: Target) -> Doc {
        match target {
            Target::Fact(id) => Doc(id.0),
            Target::Gap(id) => Doc(self.facts + id.0),
        }
    }

    /// What the matcher's entry `doc` is.
    fn target(&self, doc: Doc) -> Target {
        if doc.0 < self.facts {
            Target::Fact(FactId(doc.0))
        } else {
            Target::Gap(GapId(doc.0 - self.facts))
        }
    }

    /// Ranks the facts for `question`, best first: the [`RANKED`] best.
    pub fn rank(&self, question: &str) -> Ranking {
        self.rank_top(question, RANKED)
    }

    /// Ranks the `limit` best entries for `question`, best first, by the model's
    /// confidence: the search proposes at least [`CANDIDATES`], the model judges them.
    pub fn rank_top(&self, question: &str, limit: usize) -> Ranking {
        self.rank_words(&text::question_words(question), limit)
    }

    /// [`Matcher::rank_top`] for a question already split into words
    /// ([`text::question_words`]), so that a caller reading it more than one way
    /// splits it once: on text in other scripts, splitting is most of the cost.
    pub fn rank_words(&self, words: &[String], limit: usize) -> Ranking {
        self.ranking(words, |query| self.judged(query, limit))
    }

    fn judged(&self, query: &Query, limit: usize) -> Vec<Scored> {
        if limit == 0 {
            return Vec::new();
        }
        let proposed = self.top(query, limit.max(CANDIDATES));
        let docs: Vec<Doc> = proposed.iter().map(|s| self.doc_of(s.target)).collect();
        let mut judged = self.scored(query, docs);
        let mut scored: Vec<Scored> = judged
            .drain(..)
            .map(|(score, j)| Scored {
                target: self.target(j.doc),
                confidence: self.model.confidence(score),
                coverage: j.coverage,
            })
            .collect();
        self.rank_judged(query, &mut scored, |s| (s.confidence, self.doc_of(s.target)));
        scored.truncate(limit);
        scored
    }

    /// Each of `docs` judged, with its score. The entry a curator wrote the question
    /// for word for word scores at least as high as the best, and so ranks first
    /// (the tie is its): a curator who adds a missed question to an entry, as
    /// `review` has them do, expects that question answered from it, however close
    /// a phrasing elsewhere comes ("which couple went to lunch after", written for
    /// what the documents don't say, had gone to the fact about the park).
    fn scored(&self, query: &Query, mut docs: Vec<Doc>) -> Vec<(f64, model::Judged)> {
        let from = self.said.partition_point(|&(hash, _)| hash < query.said);
        let curated: Vec<Doc> =
            self.said[from..].iter().take_while(|(hash, _)| *hash == query.said).map(|&(_, doc)| doc).collect();
        // The search may not propose it: its cheap score is cut for an entry about
        // someone other than the question names ("did soko say it was an ad").
        for &doc in &curated {
            if !docs.contains(&doc) {
                docs.push(doc);
            }
        }
        let mut judged: Vec<_> =
            self.judge_all(query, &docs, None).into_iter().map(|j| (self.model.score(&j.features), j)).collect();
        let best = judged.iter().map(|(score, _)| *score).fold(f64::NEG_INFINITY, f64::max);
        for (score, _) in judged.iter_mut().filter(|(_, j)| curated.contains(&j.doc)) {
            *score = score.max(best);
        }
        judged
    }

    /// Whether a curator wrote `query` word for word as a phrasing of `doc`.
    fn said(&self, query: &Query, doc: Doc) -> bool {
        self.said.binary_search(&(query.said, doc)).is_ok()
    }

    /// Sorts `items` by confidence, highest first, and the entries of equal confidence
    /// by [`Matcher::tie_break`]: the order answers take, and `explain` prints.
    fn rank_judged<T>(&self, query: &Query, items: &mut [T], judged: impl Fn(&T) -> (f32, Doc)) {
        items.sort_by(|a, b| {
            let ((a, a_doc), (b, b_doc)) = (judged(a), judged(b));
            b.total_cmp(&a).then(a_doc.cmp(&b_doc))
        });
        for tied in items.chunk_by_mut(|a, b| judged(a).0 == judged(b).0).filter(|run| run.len() > 1) {
            tied.sort_by_cached_key(|item| self.tie_break(query, judged(item).1));
        }
    }

    /// Where `doc` stands among entries the model cannot tell apart, least first. A
    /// question of one or two common words saturates every signal ("how long is the
    /// video": the film's length and the shoot's are both about filming and how
    /// long), and fact order would decide. First comes the entry a curator wrote the
    /// question for word for word, then a fact before a gap (a bare name, "matthew
    /// carey - what does he do?", is asked of who he is, not of the details the
    /// documents leave out, whose entry fans name him in more often), then the one
    /// with more phrasings that hold every term of it and ask for the same type of
    /// answer: the one fans asked this way most often ("how many strangers are in
    /// it" is asked of how many took part, not of what the kissers did after; "who
    /// did soko kiss" of her partner, not of her going first, though more questions
    /// about that name Soko and a kiss).
    fn tie_break(&self, query: &Query, doc: Doc) -> (bool, bool, std::cmp::Reverse<usize>, Doc) {
        (
            !self.said(query, doc),
            doc.0 >= self.facts,
            std::cmp::Reverse(self.phrasings[doc.0 as usize].holding_all(query)),
            doc,
        )
    }

    /// The question's words read, and its facts ranked by `rank` if it has any known word.
    fn ranking(&self, words: &[String], rank: impl FnOnce(&Query) -> Vec<Scored>) -> Ranking {
        let query = self.query_words(words);
        let ranked = if query.terms.is_empty() { Vec::new() } else { rank(&query) };
        Ranking { empty: !query.has_words, qtype: query.qtype, entities: query.entities, ranked }
    }

    /// How sure the matcher is that `fact` answers `query`, given the weight of the
    /// question it covers (`covered`, from [`Matcher::covered`]).
    fn confidence(&self, query: &Query, fact: Doc, covered: f32) -> f32 {
        let phrasing = self.similarity(query, fact);
        self.blend(query, fact, (covered / query.total).min(1.0), phrasing)
    }

    /// How like `doc`'s closest phrasing `query` is ([`Phrasings::similarity`]),
    /// kept with the question: the search scores each entry once, and the model
    /// then judges the best of them, which need it again.
    fn similarity(&self, query: &Query, doc: Doc) -> f32 {
        let phrasing = self.phrasings[doc.0 as usize].similarity(query, query.total, None);
        query.similar.borrow_mut().push((doc, phrasing));
        phrasing
    }

    /// [`Matcher::similarity`], worked out again only if the search did not.
    fn similarity_again(&self, query: &Query, doc: Doc) -> f32 {
        let known = query.similar.borrow().iter().find(|(d, _)| *d == doc).map(|&(_, s)| s);
        known.unwrap_or_else(|| self.similarity(query, doc))
    }

    /// The search's cheap score: coverage and phrasing, scaled down for a question
    /// type or entity the entry does not match. It proposes candidates; the model
    /// judges them.
    fn blend(&self, query: &Query, doc: Doc, coverage: f32, phrasing: f32) -> f32 {
        let factor = self.qtype_factor(query, doc) * self.entity_factor(query, doc);
        ((COVERAGE_SHARE * coverage + PHRASING_SHARE * phrasing) * factor).clamp(0.0, 1.0)
    }

    /// Whether the entry is about what the question names. At most 1, so the
    /// search's bounds, which leave it out, stay bounds.
    fn entity_factor(&self, query: &Query, doc: Doc) -> f32 {
        let about = &self.about[doc.0 as usize];
        if query.entities.is_empty() || query.entities.iter().any(|e| about.contains(e)) {
            1.0
        } else {
            ENTITY_MISMATCH
        }
    }

    fn qtype_factor(&self, query: &Query, fact: Doc) -> f32 {
        match query.qtype {
            None => 1.0,
            Some(q) if self.qtypes[fact.0 as usize].contains(q) => 1.0,
            Some(q) if !self.answerable.contains(q) => QTYPE_UNANSWERABLE,
            Some(_) if self.qtypes[fact.0 as usize].is_empty() => QTYPE_UNKNOWN,
            Some(_) => QTYPE_MISMATCH,
        }
    }

    fn query(&self, question: &str) -> Query {
        self.query_words(&text::question_words(question))
    }

    fn query_words(&self, words: &[String]) -> Query {
        let (qtype, qualifier) = qtype::detect(words);
        let focus = qtype::focus(words).map(|i| self.analyzer.stem(&words[i]));
        let precision = qtype::asks_precision(focus.as_deref(), words);
        let runs = self.verbatim.runs_of(words);
        let said = text::hash_words(words);
        let mut query = Query { qtype, focus, precision, runs, said, has_words: !words.is_empty(), ..Query::default() };
        // Stemming is most of a question's cost, so a word repeated is stemmed once,
        // and words past the last one matched (below) are not stemmed at all.
        let mut stems: Vec<(String, String)> = Vec::new();
        let mut tokens = self.analyzer.tokens_with(words, qualifier, &mut |w| {
            if let Some((_, stem)) = stems.iter().find(|(seen, _)| *seen == w) {
                return stem.clone();
            }
            if stems.len() >= text::MAX_QUESTION_WORDS {
                return w.to_string();
            }
            let stem = match self.stem_of.get(w) {
                Some(stem) => stem.clone(),
                None => self.analyzer.stem(w),
            };
            stems.push((w.to_string(), stem.clone()));
            stem
        });
        let mut topic_words = 0;
        let mut budget = TYPO_KEY_BUDGET;
        let mut seen: Vec<(String, Option<&str>)> = Vec::new();
        for token in tokens.iter_mut().filter(|t| !t.stop) {
            topic_words += 1;
            if topic_words > text::MAX_QUESTION_WORDS {
                token.stop = true;
            } else if self.stems.contains(&token.term) {
                // Known as typed.
            } else if is_misspelt_stopword(&token.term) {
                token.stop = true;
            } else if let Some(stem) = self.dropped_g(&token.term) {
                // Chat drops the g of "-ing" ("doin", "thinkin"): the word as meant.
                token.term = stem;
            } else {
                // A word typed twice is looked up once.
                let fixed = match seen.iter().find(|(typed, _)| *typed == token.term) {
                    Some((_, fixed)) => *fixed,
                    None => {
                        let fixed = self.typos.correct_within(&token.term, &mut budget);
                        seen.push((token.term.clone(), fixed));
                        fixed
                    }
                };
                if let Some(fixed) = fixed {
                    *token = Token::new(fixed, TYPO_WEIGHT, false);
                    query.corrected += 1;
                }
            }
        }
        let mut unknown: Vec<String> = Vec::new();
        let mut sequence: Vec<TermId> = Vec::new();
        let checks = query.qtype.is_none() && qtype::asks_whether(words);
        for (term, trust) in self.analyzer.fold(&tokens) {
            if let Some(&entity) = self.entities.get(&term) {
                if !query.entities.contains(&entity) {
                    query.entities.push(entity);
                }
            }
            let offered = if checks { qtype::offered(&term) } else { QTypes::default() };
            match self.terms.get(&term) {
                Some(&id) => {
                    sequence.push(id);
                    let weight = self.idf[id.0 as usize] * trust;
                    match query.terms.iter_mut().find(|(t, _)| *t == id) {
                        Some(seen) => seen.1 = seen.1.max(weight),
                        None => query.terms.push((id, weight)),
                    }
                    if !offered.is_empty() && !query.offered.iter().any(|(t, _)| *t == id) {
                        query.offered.push((id, offered));
                    }
                }
                None if !unknown.contains(&term) => {
                    if !offered.is_empty() {
                        query.offered_unknown.push(offered);
                    }
                    unknown.push(term);
                }
                None => {}
            }
        }
        query.pairs = pairs_of(&sequence);
        query.unknown = unknown.len() as f32 * self.unknown_weight;
        query.strangers = unknown;
        query.total = query.terms.iter().map(|(_, w)| w).sum::<f32>() + query.unknown;
        query
    }

    /// The known stem of `word` with the "g" of "-ing" put back, if `word` is an
    /// unknown word ending in "in".
    fn dropped_g(&self, word: &str) -> Option<String> {
        if !word.ends_with("in") || word.len() < 4 {
            return None;
        }
        let stem = self.analyzer.stem(&format!("{word}g"));
        self.stems.contains(&stem).then_some(stem)
    }

    /// How the matcher read `question` and scored its best facts, for people tuning
    /// the fact base ("why did it answer that?").
    pub fn explain(&self, question: &str, kb: &KnowledgeBase) -> String {
        use std::fmt::Write;
        let query = self.query(question);
        let name = |id: TermId| self.terms.iter().find(|(_, &t)| t == id).map_or("?", |(s, _)| s.as_str());
        let mut out = format!(
            "question type: {}\nfocus: {}\nterms:",
            query.qtype.map_or("none", QType::describe),
            query.focus.as_deref().unwrap_or("none")
        );
        for &(term, weight) in &query.terms {
            let _ = write!(out, " {}={weight:.2}", name(term));
        }
        let known: f32 = query.terms.iter().map(|(_, w)| w).sum();
        let _ = write!(
            out,
            "\nunknown words ({}) weigh {:.2} of {:.2}\n",
            query.strangers.join(" "),
            query.total - known,
            query.total
        );
        let entities: Vec<&str> = query.entities.iter().map(|&e| kb.entity(e).id.as_str()).collect();
        let _ = writeln!(
            out,
            "names: {}",
            if entities.is_empty() { "nothing the base knows".into() } else { entities.join(", ") }
        );
        let _ = writeln!(
            out,
            "model: learned from {} examples ({} right), answers at {:.3}",
            self.model.examples, self.model.positives, self.model.threshold
        );
        let weights = |names: &[&str], weights: &[f64]| -> String {
            names.iter().zip(weights).map(|(n, w)| format!("{n} {w:+.2}")).collect::<Vec<_>>().join(", ")
        };
        let _ = writeln!(out, "weights: {}", weights(&model::FEATURES, &self.model.weights));
        let _ = writeln!(out, "second stage: {}", weights(&model::CALIBRATION, &self.model.calibration));
        let proposed = self.top(&query, CANDIDATES);
        let docs: Vec<Doc> = proposed.iter().map(|s| self.doc_of(s.target)).collect();
        let mut judged = self.scored(&query, docs);
        // Ranked as `judged` ranks them, by the confidence printed: two scores a hair
        // apart can give one confidence, which answering treats as a tie.
        self.rank_judged(&query, &mut judged, |(score, j)| (self.model.confidence(*score), j.doc));
        for (score, j) in judged {
            let confidence = self.model.confidence(score);
            let name = match self.target(j.doc) {
                Target::Fact(id) => format!("{} ({})", kb.fact(id).id, kb.fact(id).title),
                Target::Gap(id) => format!("{} (the documents don't say)", kb.gap(id).id),
            };
            // Its score is lifted to the best's, so its parts below do not add up to it.
            let curated = if self.said(&query, j.doc) { ", a phrasing of it word for word" } else { "" };
            let _ = writeln!(out, "{confidence:.3} {name} (score {score:+.2}{curated})");
            let parts: Vec<String> = model::FEATURES
                .iter()
                .zip(j.features)
                .zip(self.model.contributions(&j.features))
                .filter(|((_, x), _)| *x != 0.0)
                .map(|((name, x), c)| format!("{name} {x:.2} ({c:+.2})"))
                .collect();
            let _ = writeln!(out, "      {}", parts.join(", "));
        }
        out
    }

    /// Number of distinct terms in the index.
    pub fn vocabulary(&self) -> usize {
        self.terms.len()
    }
}

/// Words one edit away from a filler word ("wich", "abuot") are filler too, rather
/// than a typo for some topic word.
fn is_misspelt_stopword(word: &str) -> bool {
    const QUESTION_WORDS: &[&str] =
        &["which", "what", "where", "when", "about", "there", "their", "does", "they", "were", "with"];
    (4..=6).contains(&word.len()) && QUESTION_WORDS.iter().any(|s| strsim::osa_distance(word, s) == 1)
}

/// Keeps `ranked` sorted best first (ties by fact order, for determinism), at most
/// `limit` long.
fn insert_ranked(ranked: &mut Vec<Scored>, scored: Scored, limit: usize) {
    let at = ranked
        .iter()
        .position(|s| {
            scored.confidence > s.confidence || (scored.confidence == s.confidence && scored.target < s.target)
        })
        .unwrap_or(ranked.len());
    if at < limit {
        ranked.insert(at, scored);
        ranked.truncate(limit);
    }
}

/// The curated phrasings of every entry, the facts' then the gaps', as the model's
/// training questions; the templated ones of facts made from entities are left out,
/// as their sameness would teach the model only about templates. Of a base with more
/// than [`TRAINING_PHRASINGS`], that many, chosen by a fixed hash of their text: a
/// dozen weights are learnt as well from 1,500 questions as from all 3,900 of a base
/// harvested from fans' questions (measured on held-out ones), and each costs
/// start-up a search. Chosen by hash, the sample of an edited base is the old one
/// give or take the phrasings edited; an even spread over the list shifted whole with
/// any phrasing added, and the threshold with it (by 0.02 for one gap of 15).
fn training_phrasings(kb: &KnowledgeBase) -> Vec<Vec<String>> {
    let none = Vec::new();
    let all = kb
        .facts()
        .iter()
        .map(|f| if f.introduces.is_some() { &none } else { &f.questions })
        .chain(kb.gaps().iter().map(|g| &g.questions));
    sample(all, TRAINING_PHRASINGS)
}

/// Of the phrasings of `entries`, the `size` whose fixed hashes are the least, by
/// entry.
fn sample<'a>(entries: impl Iterator<Item = &'a Vec<String>> + Clone, size: usize) -> Vec<Vec<String>> {
    use std::hash::BuildHasher;
    let hash = |phrasing: &String| foldhash::fast::FixedState::default().hash_one(phrasing);
    let hashes: Vec<u64> = entries.clone().flatten().map(hash).collect();
    let cutoff = match size.checked_sub(1) {
        Some(last) if hashes.len() > size => *hashes.clone().select_nth_unstable(last).1,
        Some(_) => u64::MAX,
        None => return entries.map(|_| Vec::new()).collect(),
    };
    let mut hashes = hashes.into_iter();
    entries
        .map(|questions| {
            questions.iter().zip(hashes.by_ref()).filter(|&(_, h)| h <= cutoff).map(|(q, _)| q.clone()).collect()
        })
        .collect()
}

/// The fact base's synonym groups, names made of filler words, and each entity's
/// names as a group. An entity sharing a name with a synonym group folds to that
/// group's term, so that every way of naming it meets on one term.
/// How many entries use each stem, taking the stems out of the runs read: what the
/// typo index corrects to. Synonym members are words the matcher understands even
/// if no fact uses them.
fn stem_counts(kb: &KnowledgeBase, analyzer: &Analyzer, runs: &mut [read::Run]) -> WordMap<String, u32> {
    let mut counts: WordMap<String, u32> = WordMap::default();
    for entry in runs.iter_mut().flat_map(|run| run.entries.iter_mut()) {
        for stem in std::mem::take(&mut entry.stems) {
            *counts.entry(stem).or_default() += 1;
        }
    }
    for group in kb.synonyms() {
        for member in group {
            for stem in analyzer.stems(member) {
                counts.entry(stem).or_default();
            }
        }
    }
    counts
}

fn synonym_groups(kb: &KnowledgeBase) -> Vec<Vec<String>> {
    // A keyword made only of filler words is a name ("OK Go", "The Who"): keep it
    // as one term, or it would vanish with the filler.
    let names = kb.facts().iter().flat_map(|f| &f.keywords).filter(|k| {
        let words = text::words(k);
        !words.is_empty() && words.iter().all(|w| text::is_stopword(w))
    });
    let mut groups: Vec<Vec<String>> = kb.synonyms().iter().cloned().chain(names.map(|k| vec![k.clone()])).collect();
    let key = |s: &str| text::words(s).join(" ");
    let group_of: HashMap<String, usize> =
        kb.synonyms().iter().enumerate().flat_map(|(g, words)| words.iter().map(move |w| (key(w), g))).collect();
    for entity in kb.entities() {
        let head =
            entity.names.iter().find_map(|n| group_of.get(&key(n))).map_or(&entity.name, |&g| &kb.synonyms()[g][0]);
        groups.push(std::iter::once(head).chain(&entity.names).cloned().collect());
    }
    groups
}

/// Each entity's term, for the entities a question can be about: those that the
/// phrasings of facts about them name at least as often as those of other facts.
fn entity_terms<'a>(
    kb: &KnowledgeBase,
    heads: impl Iterator<Item = &'a str>,
    analyzer: &Analyzer,
    builder: &IndexBuilder,
    phrasings: &[Vec<Vec<TermId>>],
) -> WordMap<String, EntityId> {
    let heads: Vec<(EntityId, String, TermId)> = heads
        .enumerate()
        .filter_map(|(i, head)| {
            let term = analyzer.terms(head).join("_");
            let id = *builder.terms.get(&term)?;
            Some((EntityId(i as u32), term, id))
        })
        .collect();
    // Which heads each term is, then one pass over the phrasings: which facts'
    // phrasings name each head.
    let mut head_of: Vec<Vec<usize>> = vec![Vec::new(); builder.postings.len()];
    for (h, (_, _, id)) in heads.iter().enumerate() {
        head_of[id.0 as usize].push(h);
    }
    let facts = kb.facts().len();
    let mut named = vec![false; heads.len() * facts];
    for (fact, doc) in phrasings.iter().take(facts).enumerate() {
        for term in doc.iter().flatten() {
            for &h in &head_of[term.0 as usize] {
                named[h * facts + fact] = true;
            }
        }
    }
    let mut out = WordMap::default();
    for (h, (entity, term, _)) in heads.into_iter().enumerate() {
        let naming = (0..facts).filter(|&fact| named[h * facts + fact]);
        let (named, stray) = naming.fold((0usize, 0usize), |(named, stray), fact| {
            (named + 1, stray + usize::from(!kb.facts()[fact].about.contains(&entity)))
        });
        if (stray as f32) <= BACKGROUND_SHARE * named as f32 || named == 0 {
            out.insert(term, entity);
        }
    }
    out
}

/// BM25's inverse document frequency: near ln(facts) for a rare term, near zero for
/// one that every fact uses.
fn bm25_idf(facts: f32, with_term: f32) -> f32 {
    (1.0 + (facts - with_term + 0.5) / (with_term + 0.5)).ln()
}

/// Interns terms and collects postings while the index is built.
#[derive(Default)]
struct IndexBuilder {
    terms: WordMap<String, TermId>,
    postings: Vec<Vec<(Doc, f32)>>,
}

impl IndexBuilder {
    /// The id of `term`, the next one if it is new.
    fn intern(&mut self, term: String) -> TermId {
        let next = TermId(self.terms.len() as u32);
        *self.terms.entry(term).or_insert_with(|| {
            self.postings.push(Vec::new());
            next
        })
    }

    /// Posts each term an entry uses ([`uses_of`]): at full strength if a phrasing
    /// or keyword uses it, else at the strength of answer text.
    fn post(&mut self, fact: Doc, uses: &[(TermId, u16, bool)]) {
        for &(term, strong, _) in uses {
            let strength = if strong > 0 { 1.0 } else { ANSWER_TEXT_WEIGHT };
            self.postings[term.0 as usize].push((fact, strength));
        }
    }
}

#[cfg(test)]
mod tests;
