//! The reply model: what the bot says to a question, with its numbered sources,
//! before anyone decides how to show it. The command line renders it as text, the
//! Discord bot as an embed; both read only this.

use serde::Serialize;

use crate::knowledge::{Citation, EntityId, FactId, GapId, KnowledgeBase, SourceKind};
use crate::quotes::Attribution;

/// Said when a question has no words to match.
pub const EMPTY_PROMPT: &str = "Ask me something about \"First Kiss\": who made it, how it was filmed, the music, the people in it, or what happened next.";
/// Said when the documents do not answer the question.
pub const UNKNOWN: &str = "I don't know: the documents I rely on don't say.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Answered,
    Contested,
    Unknown,
}

/// As the JSON output and the logs name it.
impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Answered => "answered",
            Status::Contested => "contested",
            Status::Unknown => "unknown",
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub question: String,
    pub status: Status,
    /// The fact answered, if any.
    pub fact: Option<FactId>,
    /// The gap (a question the documents leave open) that the question matched, if any.
    pub gap: Option<String>,
    pub fact_id: Option<String>,
    pub fact_title: Option<String>,
    pub confidence: f32,
    pub body: Body,
    /// Footnotes, numbered from 1 in order of first use.
    pub citations: Vec<Footnote>,
    /// Questions the bot can answer, offered when it cannot answer this one.
    pub suggestions: Vec<String>,
    /// The id of each suggestion's fact, in the same order: what a button offering
    /// it needs to answer it.
    pub suggested: Vec<String>,
    /// Facts a fan may want next (the answered fact's `related`), as follow-ups.
    pub related: Vec<Link>,
}

/// Another fact, offered by id with a label a fan reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub fact_id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A plain answer resting on footnotes `notes`.
    Answer { text: String, notes: Vec<usize> },
    /// The documents disagree: an introduction, then each side with its footnote.
    Contested { intro: String, claims: Vec<(String, usize)> },
    /// No answer: why not, and what the documents do say nearby, resting on
    /// footnotes `notes` (the suggestions are in [`Reply::suggestions`]).
    Unknown { text: String, notes: Vec<usize> },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Footnote {
    pub number: usize,
    /// The document's file name under `sources/`.
    pub file: String,
    pub title: String,
    pub author: Option<String>,
    pub kind: SourceKind,
    pub quote: String,
}

impl Reply {
    /// The reply that presents fact `id` as the answer to `question`.
    pub fn for_fact(kb: &KnowledgeBase, id: FactId, question: &str, confidence: f32) -> Reply {
        let fact = kb.fact(id);
        let mut citations = Vec::new();
        let (status, body) = if fact.is_contested() {
            let claims =
                fact.claims.iter().map(|c| (c.text.clone(), footnote(kb, &mut citations, &c.citation))).collect();
            (Status::Contested, Body::Contested { intro: fact.answer.clone(), claims })
        } else {
            let notes = fact.citations.iter().map(|c| footnote(kb, &mut citations, c)).collect();
            (Status::Answered, Body::Answer { text: fact.answer.clone(), notes })
        };
        Reply {
            question: question.to_string(),
            status,
            fact: Some(id),
            gap: None,
            fact_id: Some(fact.id.clone()),
            fact_title: Some(fact.title.clone()),
            confidence,
            body,
            citations,
            suggestions: Vec::new(),
            suggested: Vec::new(),
            related: fact
                .related
                .iter()
                .map(|&r| Link { fact_id: kb.fact(r).id.clone(), title: kb.fact(r).title.clone() })
                .collect(),
        }
    }

    /// The reply presenting fact `id` as document `source` tells it: of a contested
    /// fact, that document's side only.
    pub fn from_source(kb: &KnowledgeBase, id: FactId, question: &str, confidence: f32, source: usize) -> Reply {
        let fact = kb.fact(id);
        let sides: Vec<&crate::knowledge::Claim> = fact.claims.iter().filter(|c| c.citation.source == source).collect();
        if sides.is_empty() {
            return Reply::for_fact(kb, id, question, confidence);
        }
        let mut citations = Vec::new();
        let notes = sides.iter().map(|c| footnote(kb, &mut citations, &c.citation)).collect();
        let text = sides.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(" ");
        Reply {
            status: Status::Answered,
            body: Body::Answer { text, notes },
            citations,
            ..Reply::for_fact(kb, id, question, confidence)
        }
    }

    /// The honest "I don't know", offering the questions of `suggest`.
    pub fn unknown(
        kb: &KnowledgeBase,
        question: &str,
        confidence: f32,
        suggest: impl IntoIterator<Item = FactId>,
    ) -> Reply {
        let ids: Vec<FactId> = suggest.into_iter().collect();
        let suggestions = ids.iter().map(|&id| suggestion(kb, id)).collect();
        let suggested = ids.iter().map(|&id| kb.fact(id).id.clone()).collect();
        Reply { confidence, suggestions, suggested, ..Reply::declined(question, UNKNOWN) }
    }

    /// A reply that answers nothing: `text`, no fact, no sources, no suggestions.
    fn declined(question: &str, text: &str) -> Reply {
        Reply {
            question: question.to_string(),
            status: Status::Unknown,
            fact: None,
            gap: None,
            fact_id: None,
            fact_title: None,
            confidence: 0.0,
            body: Body::Unknown { text: text.to_string(), notes: Vec::new() },
            citations: Vec::new(),
            suggestions: Vec::new(),
            suggested: Vec::new(),
            related: Vec::new(),
        }
    }

    /// The prompt for an empty question.
    pub fn empty(kb: &KnowledgeBase, question: &str, suggest: impl IntoIterator<Item = FactId>) -> Reply {
        Reply::unknown(kb, question, 0.0, suggest).saying(EMPTY_PROMPT)
    }

    /// "I don't know" for a question the documents leave open, with what they do say.
    pub fn gap(
        kb: &KnowledgeBase,
        id: GapId,
        question: &str,
        confidence: f32,
        suggest: impl IntoIterator<Item = FactId>,
    ) -> Reply {
        let gap = kb.gap(id);
        Reply { gap: Some(gap.id.clone()), ..Reply::unknown(kb, question, confidence, suggest) }
            .saying(&gap.reply)
            .with_sources(kb, &gap.citations)
    }

    /// "I don't know" for a question about `entity` that none of its facts answers,
    /// with what the documents do say about it.
    pub fn about_entity(
        kb: &KnowledgeBase,
        entity: EntityId,
        question: &str,
        confidence: f32,
        suggest: impl IntoIterator<Item = FactId>,
    ) -> Reply {
        let entity = kb.entity(entity);
        let text = format!("{UNKNOWN} What they say about {}: {}", entity.name, entity.summary);
        Reply::unknown(kb, question, confidence, suggest).saying(&text).with_sources(kb, &entity.citations)
    }

    /// Who said a quoted phrase, resting on the phrase as its document has it. The
    /// fact named is one citing the phrase, or else one about the speaker.
    pub fn attribution(kb: &KnowledgeBase, question: &str, said: &Attribution) -> Option<Reply> {
        let overlaps = |c: &Citation| {
            c.source == said.source && {
                let (quote, phrase) = (c.quote.to_lowercase(), said.quote.to_lowercase());
                quote.contains(&phrase) || phrase.contains(&quote)
            }
        };
        let citing = kb.fact_ids().find(|&id| {
            let fact = kb.fact(id);
            fact.every_citation().any(overlaps)
        });
        let id = citing.or_else(|| kb.fact_ids().find(|&id| kb.fact(id).about.contains(&said.speaker)))?;
        let fact = kb.fact(id);
        let speaker = kb.entity(said.speaker);
        let source = kb.source(said.source);
        let mut citations = Vec::new();
        let note = footnote(kb, &mut citations, &Citation { source: said.source, quote: said.quote.clone() });
        Some(Reply {
            question: question.to_string(),
            status: Status::Answered,
            fact: Some(id),
            gap: None,
            fact_id: Some(fact.id.clone()),
            fact_title: Some(format!("Who said it: {}", speaker.name)),
            confidence: 1.0,
            body: Body::Answer {
                text: format!("{} said it, in \u{201c}{}\u{201d}.", speaker.name, source.title),
                notes: vec![note],
            },
            citations,
            suggestions: Vec::new(),
            suggested: Vec::new(),
            related: Vec::new(),
        })
    }

    /// A reply to small talk or a command word: no fact, no suggestions.
    pub fn chat(question: &str, text: &str) -> Reply {
        Reply::declined(question, text)
    }

    /// This unknown reply with `text` as its body.
    pub(crate) fn saying(mut self, text: &str) -> Reply {
        self.body = Body::Unknown { text: text.to_string(), notes: Vec::new() };
        self
    }

    /// This unknown reply resting on `citations`, each a footnote.
    fn with_sources(mut self, kb: &KnowledgeBase, citations: &[Citation]) -> Reply {
        let notes: Vec<usize> = citations.iter().map(|c| footnote(kb, &mut self.citations, c)).collect();
        if let Body::Unknown { notes: body_notes, .. } = &mut self.body {
            *body_notes = notes;
        }
        self
    }

    pub fn is_answer(&self) -> bool {
        self.status != Status::Unknown
    }

    /// Whether this is small talk or a command word: no fact, no gap, nothing
    /// offered. Not a question a curator needs to see.
    pub fn is_chat(&self) -> bool {
        self.fact_id.is_none() && self.gap.is_none() && self.suggestions.is_empty()
    }
}

/// The footnote number for `citation`, adding it unless the same quote is there.
fn footnote(kb: &KnowledgeBase, notes: &mut Vec<Footnote>, citation: &Citation) -> usize {
    let source = kb.source(citation.source);
    if let Some(existing) = notes.iter().find(|n| n.file == source.file && n.quote == citation.quote) {
        return existing.number;
    }
    let number = notes.len() + 1;
    notes.push(Footnote {
        number,
        file: source.file.clone(),
        title: source.title.clone(),
        author: source.author.clone(),
        kind: source.kind,
        quote: citation.quote.clone(),
    });
    number
}

/// A fact's first phrasing, written as a question a fan could send back.
pub fn suggestion(kb: &KnowledgeBase, id: FactId) -> String {
    let fact = kb.fact(id);
    let question = fact.questions.first().unwrap_or(&fact.title).trim().trim_end_matches('?');
    let mut chars = question.chars();
    match chars.next() {
        Some(first) => format!("{}{}?", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
