//! Renders a [`Reply`] for a reader of plain text (the command line, the mock
//! Discord's transcript) and as the command line's JSON object.

use std::fmt::Write;

use serde::Serialize;

use crate::reply::{Body, Footnote, Reply, Status};

/// The reply's body: the answer with footnote markers, without the sources.
pub fn body(reply: &Reply) -> String {
    match &reply.body {
        Body::Answer { text, notes } => format!("{text} {}", markers(notes)),
        Body::Contested { intro, claims } => {
            let mut out = intro.clone();
            for (claim, note) in claims {
                let _ = write!(out, "\n- {claim} [{note}]");
            }
            out
        }
        Body::Unknown { text, notes } if notes.is_empty() => text.clone(),
        Body::Unknown { text, notes } => format!("{text} {}", markers(notes)),
    }
}

/// The whole reply as a person reads it: body, then suggestions or sources.
pub fn text(reply: &Reply) -> String {
    let mut out = body(reply);
    if !reply.suggestions.is_empty() {
        out.push_str("\nYou could ask:");
        for suggestion in &reply.suggestions {
            let _ = write!(out, "\n- {suggestion}");
        }
    }
    for note in &reply.citations {
        let _ = write!(out, "\n{}", footnote(note));
    }
    out
}

/// `[n] “Title”, Author: “quote”`: curly quotes, since titles and quotes hold
/// straight ones.
pub fn footnote(note: &Footnote) -> String {
    let author = note.author.as_deref().map(|a| format!(", {a}")).unwrap_or_default();
    format!("[{}] \u{201c}{}\u{201d}{author}: \u{201c}{}\u{201d}", note.number, note.title, note.quote)
}

fn markers(notes: &[usize]) -> String {
    notes.iter().map(|n| format!("[{n}]")).collect()
}

/// The command line's JSON contract for one question.
#[derive(Debug, Serialize)]
pub struct Json<'a> {
    pub question: &'a str,
    pub status: Status,
    pub fact: Option<&'a str>,
    /// The question the documents leave open that this one matched; only present
    /// when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<&'a str>,
    pub confidence: f32,
    pub answer: String,
    pub citations: Vec<JsonCitation<'a>>,
    pub suggestions: &'a [String],
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct JsonCitation<'a> {
    pub file: &'a str,
    pub title: &'a str,
    pub quote: &'a str,
}

pub fn json(reply: &Reply) -> Json<'_> {
    Json {
        question: &reply.question,
        status: reply.status,
        fact: reply.fact_id.as_deref(),
        gap: reply.gap.as_deref(),
        confidence: (reply.confidence * 1000.0).round() / 1000.0,
        answer: body(reply),
        citations: reply
            .citations
            .iter()
            .map(|c| JsonCitation { file: &c.file, title: &c.title, quote: &c.quote })
            .collect(),
        suggestions: &reply.suggestions,
        text: text(reply),
    }
}
