//! The curator's loop: `review` turns the record (what fans asked that the bot
//! missed, answered with doubt, or got a 👎 for) into groups of near-identical
//! questions, each with the nearest entry the current fact base has; `edit` adds a
//! group's question to a fact's or an unknown entry's phrasings in `knowledge.toml`;
//! `coverage` lists the sentences of the documents that nothing in the base cites.
//!
//! Numbering: a group's number N is its place in a deterministic order (most
//! records first, then the most recent, then the question's text), over the same
//! records and dismissals. `review --accept N` recomputes the listing the same way,
//! so N names what the listing showed unless new records arrived in between; the
//! command says which question it took. An accepted or dismissed group's questions
//! are hidden from later listings, which renumbers the rest.

pub mod coverage;
pub mod edit;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::engine::Engine;
use crate::store::{RecordId, ReviewRecords, Timestamp};
use crate::text::{self, Analyzer};

/// Two questions whose normalised text is at least this similar (Damerau-Levenshtein,
/// normalised to 0..1) are one group: "who direted it" and "who directed it" (0.93)
/// are, "who directed it" and "who wrote it" (0.67) are not.
const SIMILAR: f64 = 0.85;

/// Notes and wordings shown per group at most; the count says how many there were.
const SHOWN: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub groups: Vec<Group>,
    /// Questions missed in servers that do not record question text: counted only.
    pub unrecorded: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub number: usize,
    /// The wording fans used most (the earliest of equals); `None` for 👎 on answers
    /// whose question was not recorded, grouped by the fact answered.
    pub question: Option<String>,
    /// Every distinct wording, most used first.
    pub wordings: Vec<String>,
    pub count: usize,
    /// Not answered.
    pub missed: usize,
    /// Answered below the review confidence.
    pub doubtful: usize,
    /// 👎 on an answer.
    pub unhelpful: usize,
    /// What the 👎 said they were looking for.
    pub notes: Vec<String>,
    /// "Did you mean" suggestions fans took on these questions: fact id, count.
    pub taken: Vec<(String, usize)>,
    /// The fact answered when a 👎 was given, for a group without question text.
    pub answered_fact: Option<String>,
    /// The current base's best entry for the question, at any confidence.
    pub nearest: Option<Nearest>,
    pub last_at: Timestamp,
    /// The normalised texts that a dismissal (or an accept) hides.
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Nearest {
    /// `fact` or `unknown`.
    pub kind: &'static str,
    pub id: String,
    pub title: Option<String>,
    pub confidence: f32,
    /// Whether the current base answers it (the confidence reaches the threshold).
    pub answers: bool,
}

/// One record that asks for a curator's eye.
struct Item {
    key: String,
    text: Option<String>,
    at: Timestamp,
    kind: Kind,
    note: Option<String>,
    fact: Option<String>,
    asked: Option<RecordId>,
}

/// A group in the making: its distinct keys (each with its stemmed form) and its items.
type Cluster = (Vec<(String, String)>, Vec<Item>);

#[derive(PartialEq)]
enum Kind {
    Missed,
    Doubtful,
    Unhelpful,
}

/// How a question is compared and dismissed: its words, folded (case, accents,
/// punctuation, chat spelling) as the matcher reads them.
pub fn normalise(question: &str) -> String {
    text::words(text::clip(question, text::MAX_QUESTION_CHARS)).join(" ")
}

/// The review listing of `records` against `engine`'s base.
pub fn review(engine: &Engine, records: &ReviewRecords) -> Review {
    let dismissed: std::collections::HashSet<&str> = records.dismissed.iter().map(String::as_str).collect();
    let mut items = Vec::new();
    let mut unrecorded = 0;
    for a in &records.asked {
        let kind = if a.answered { Kind::Doubtful } else { Kind::Missed };
        match &a.text {
            Some(text) => items.push(Item {
                key: normalise(text),
                text: Some(text.trim().to_string()),
                at: a.at,
                kind,
                note: None,
                fact: a.fact.clone(),
                asked: Some(a.id),
            }),
            None => unrecorded += 1,
        }
    }
    for (f, note) in records.feedback.iter().filter(|(f, _)| !f.helpful) {
        let (key, text) = match &f.question {
            Some(q) => (normalise(q), Some(q.trim().to_string())),
            None => (format!("👎 {}", f.fact.as_deref().unwrap_or("?")), None),
        };
        items.push(Item {
            key,
            text,
            at: f.at,
            kind: Kind::Unhelpful,
            note: note.clone(),
            fact: f.fact.clone(),
            asked: None,
        });
    }
    items.retain(|i| !i.key.is_empty() && !dismissed.contains(i.key.as_str()));
    // Deterministic: the clustering below depends on the order it sees items in.
    items.sort_by(|a, b| a.key.cmp(&b.key).then(a.at.cmp(&b.at)));

    let analyzer = Analyzer::new(engine.kb().synonyms());
    let stemmed = |key: &str| key.split(' ').map(|w| analyzer.stem(w)).collect::<Vec<_>>().join(" ");
    let mut clusters: Vec<Cluster> = Vec::new();
    for item in items {
        let found = clusters.iter().position(|(keys, members)| {
            let textless = item.text.is_none() || members[0].text.is_none();
            keys.iter().any(|(key, stems)| {
                if textless {
                    return *key == item.key;
                }
                *key == item.key
                    || strsim::normalized_damerau_levenshtein(key, &item.key) >= SIMILAR
                    || strsim::normalized_damerau_levenshtein(stems, &stemmed(&item.key)) >= SIMILAR
            })
        });
        let index = found.unwrap_or_else(|| {
            clusters.push((Vec::new(), Vec::new()));
            clusters.len() - 1
        });
        let (keys, members) = &mut clusters[index];
        if !keys.iter().any(|(k, _)| *k == item.key) {
            keys.push((item.key.clone(), stemmed(&item.key)));
        }
        members.push(item);
    }

    let taken_by_question: HashMap<RecordId, Vec<&str>> =
        records.suggestions.iter().fold(HashMap::new(), |mut map, s| {
            map.entry(s.question).or_default().push(s.fact.as_str());
            map
        });
    let mut groups: Vec<Group> = clusters
        .into_iter()
        .map(|(keys, members)| group(engine, keys.into_iter().map(|(k, _)| k).collect(), &members, &taken_by_question))
        .collect();
    groups.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.last_at.cmp(&a.last_at))
            .then_with(|| a.question.cmp(&b.question))
            .then_with(|| a.keys.cmp(&b.keys))
    });
    for (i, g) in groups.iter_mut().enumerate() {
        g.number = i + 1;
    }
    Review { groups, unrecorded }
}

fn group(engine: &Engine, keys: Vec<String>, members: &[Item], taken: &HashMap<RecordId, Vec<&str>>) -> Group {
    // Wordings by use, then first use.
    let mut uses: BTreeMap<&str, (usize, Timestamp)> = BTreeMap::new();
    for m in members {
        if let Some(text) = &m.text {
            let entry = uses.entry(text.as_str()).or_insert((0, m.at));
            entry.0 += 1;
            entry.1 = entry.1.min(m.at);
        }
    }
    let mut wordings: Vec<(&str, (usize, Timestamp))> = uses.into_iter().collect();
    wordings.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)).then(a.0.cmp(b.0)));
    let question = wordings.first().map(|(w, _)| w.to_string());
    let mut took: BTreeMap<&str, usize> = BTreeMap::new();
    for id in members.iter().filter_map(|m| m.asked) {
        for fact in taken.get(&id).into_iter().flatten() {
            *took.entry(fact).or_default() += 1;
        }
    }
    let mut took: Vec<(String, usize)> = took.into_iter().map(|(f, n)| (f.to_string(), n)).collect();
    took.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let count = |kind: Kind| members.iter().filter(|m| m.kind == kind).count();
    Group {
        number: 0,
        nearest: question.as_deref().and_then(|q| nearest(engine, q)),
        answered_fact: if question.is_none() { members[0].fact.clone() } else { None },
        question,
        wordings: wordings.into_iter().map(|(w, _)| w.to_string()).collect(),
        count: members.len(),
        missed: count(Kind::Missed),
        doubtful: count(Kind::Doubtful),
        unhelpful: count(Kind::Unhelpful),
        notes: members.iter().filter_map(|m| m.note.clone()).filter(|n| !n.trim().is_empty()).collect(),
        taken: took,
        last_at: members.iter().map(|m| m.at).max().unwrap_or(0),
        keys,
    }
}

/// The entry the current base would give for `question` at any confidence: what a
/// curator should look at first, and whether the base now answers it.
pub fn nearest(engine: &Engine, question: &str) -> Option<Nearest> {
    let reply = engine.ask_with(question, 0.0);
    let answers = reply.confidence >= engine.matcher().threshold();
    if let Some(id) = reply.fact_id.clone() {
        return Some(Nearest {
            kind: "fact",
            id,
            title: reply.fact_title.clone(),
            confidence: reply.confidence,
            answers,
        });
    }
    reply.gap.clone().map(|id| Nearest { kind: "unknown", id, title: None, confidence: reply.confidence, answers })
}

/// The listing as a curator reads it.
pub fn render_text(review: &Review, since_days: Option<u32>, threshold: f32) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let window = since_days.map_or(String::new(), |d| format!(" in the last {d} day{}", if d == 1 { "" } else { "s" }));
    if review.groups.is_empty() {
        let _ = writeln!(out, "Nothing to review{window}.");
    } else {
        let n = review.groups.len();
        let _ = writeln!(out, "{n} question{} to review{window}, most asked first:\n", if n == 1 { "" } else { "s" });
    }
    for g in &review.groups {
        let mut kinds = Vec::new();
        for (count, what) in [(g.missed, "missed"), (g.doubtful, "answered with doubt"), (g.unhelpful, "👎")] {
            if count > 0 {
                kinds.push(format!("{count} {what}"));
            }
        }
        let heading = match (&g.question, &g.answered_fact) {
            (Some(q), _) => format!("\"{q}\""),
            (None, fact) => format!("👎 on the answer `{}` (question not recorded)", fact.as_deref().unwrap_or("?")),
        };
        let _ = writeln!(out, "{:>3}. {heading}  ×{} ({})", g.number, g.count, kinds.join(", "));
        if g.wordings.len() > 1 {
            let also: Vec<String> = g.wordings[1..].iter().take(SHOWN).map(|w| format!("\"{w}\"")).collect();
            let more = g.wordings.len() - 1 - also.len();
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            let _ = writeln!(out, "     also asked: {}{more}", also.join(", "));
        }
        match &g.nearest {
            Some(near) => {
                let title = near.title.as_deref().map_or(String::new(), |t| format!(" ({t})"));
                let verdict = if near.answers {
                    "answered now".to_string()
                } else {
                    format!("below the answer threshold {threshold:.2}")
                };
                let _ = writeln!(
                    out,
                    "     nearest: {} `{}`{title}, confidence {:.2}: {verdict}",
                    near.kind, near.id, near.confidence
                );
            }
            None if g.question.is_some() => {
                let _ = writeln!(out, "     nearest: nothing in the base comes close");
            }
            None => {}
        }
        if !g.taken.is_empty() {
            let took: Vec<String> = g.taken.iter().map(|(f, n)| format!("`{f}` ×{n}")).collect();
            let _ = writeln!(out, "     fans took the suggestion: {}", took.join(", "));
        }
        for note in g.notes.iter().take(SHOWN) {
            let _ = writeln!(out, "     👎 note: \"{}\"", text::clip(note.trim(), 200));
        }
        if g.notes.len() > SHOWN {
            let _ = writeln!(out, "     ... and {} more notes", g.notes.len() - SHOWN);
        }
    }
    if review.unrecorded > 0 {
        let n = review.unrecorded;
        let _ = writeln!(
            out,
            "\n{n} more question{} missed in servers that do not record question text (counted, not shown).",
            if n == 1 { " was" } else { "s were" }
        );
    }
    if !review.groups.is_empty() {
        let _ = writeln!(
            out,
            "\nTo teach the bot question N: review --accept N FACT_ID (or --unknown N ID for an [[unknown]] entry). To hide it: review --dismiss N."
        );
    }
    out
}

/// The listing for scripts: `{"groups": [...], "unrecorded": N}`, fields as in [`Group`].
pub fn render_json(review: &Review) -> serde_json::Value {
    let groups: Vec<serde_json::Value> = review
        .groups
        .iter()
        .map(|g| {
            serde_json::json!({
                "number": g.number,
                "question": g.question,
                "wordings": g.wordings,
                "count": g.count,
                "missed": g.missed,
                "doubtful": g.doubtful,
                "unhelpful": g.unhelpful,
                "notes": g.notes,
                "taken": g.taken.iter().map(|(fact, count)| serde_json::json!({"fact": fact, "count": count})).collect::<Vec<_>>(),
                "answered_fact": g.answered_fact,
                "nearest": g.nearest,
                "last_at": g.last_at,
            })
        })
        .collect();
    serde_json::json!({ "groups": groups, "unrecorded": review.unrecorded })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Asked;

    fn asked(id: u64, text: &str, at: Timestamp) -> Asked {
        Asked {
            id: RecordId(id),
            at,
            guild: None,
            text: Some(text.into()),
            fact: None,
            confidence: 0.1,
            answered: false,
        }
    }

    #[test]
    fn near_identical_questions_group_and_different_ones_do_not() {
        let engine = Engine::load(Some(std::path::Path::new("tests/data/fixture/knowledge.toml"))).unwrap();
        let texts = ["who directed it", "who directed it??", "Who direted it", "who wrote it", "when was it directed"];
        let records = ReviewRecords {
            asked: texts.iter().enumerate().map(|(i, t)| asked(i as u64, t, i as i64)).collect(),
            ..Default::default()
        };
        let listing = review(&engine, &records);
        let groups: Vec<Vec<&str>> =
            listing.groups.iter().map(|g| g.wordings.iter().map(String::as_str).collect()).collect();
        assert_eq!(
            groups,
            [
                vec!["who directed it", "who directed it??", "Who direted it"],
                vec!["when was it directed"],
                vec!["who wrote it"]
            ]
        );
        assert_eq!(listing.groups.iter().map(|g| g.number).collect::<Vec<_>>(), [1, 2, 3]);
        // The same records give the same numbers, whatever order they come in.
        let mut reversed = records.clone();
        reversed.asked.reverse();
        assert_eq!(review(&engine, &reversed), listing);
        // A dismissed spelling hides only itself; dismissing a group's keys hides it all.
        let dismissed = ReviewRecords { dismissed: listing.groups[0].keys.clone(), ..records };
        assert_eq!(review(&engine, &dismissed).groups.len(), 2);
    }
}
