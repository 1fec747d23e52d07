//! Which sentences of the documents the fact base cites: every sentence that no
//! fact, claim, unknown entry or entity quotes (a quote lies within it or overlaps
//! it), with its file and line, and the share covered. Quotes are found as the
//! loader checks them: whitespace and quote marks made uniform (`text::loose`).

use std::io;

use serde::Serialize;

use crate::knowledge::{Citation, KnowledgeBase};
use crate::text::loose;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Coverage {
    pub documents: Vec<DocumentCoverage>,
    pub sentences: usize,
    pub covered: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DocumentCoverage {
    pub file: String,
    pub sentences: usize,
    pub covered: usize,
    pub uncovered: Vec<Sentence>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Sentence {
    /// 1-based line in the document.
    pub line: usize,
    pub text: String,
}

impl Coverage {
    /// The share of sentences covered, 0 to 1 (1 for no sentences at all).
    pub fn share(&self) -> f64 {
        if self.sentences == 0 {
            1.0
        } else {
            self.covered as f64 / self.sentences as f64
        }
    }
}

/// Coverage of each of `kb`'s documents, read with `document` (by file name) as
/// written, so that lines are the file's own.
pub fn coverage(kb: &KnowledgeBase, document: impl Fn(&str) -> io::Result<String>) -> io::Result<Coverage> {
    let mut quotes: Vec<Vec<String>> = vec![Vec::new(); kb.sources().len()];
    let mut add = |c: &Citation| {
        if let Some(list) = quotes.get_mut(c.source) {
            let quote = loose(&c.quote);
            if !quote.is_empty() && !list.contains(&quote) {
                list.push(quote);
            }
        }
    };
    for fact in kb.facts() {
        fact.every_citation().for_each(&mut add);
    }
    kb.gaps().iter().flat_map(|g| &g.citations).for_each(&mut add);
    kb.entities().iter().flat_map(|e| &e.citations).for_each(&mut add);

    let mut documents = Vec::new();
    for (index, source) in kb.sources().iter().enumerate() {
        let raw = document(&source.file)?;
        let (flat, map) = loose_with_map(&raw);
        // Each quote's every occurrence, as a byte range of the raw document.
        let mut cited: Vec<(usize, usize)> = Vec::new();
        for quote in &quotes[index] {
            for (at, _) in flat.match_indices(quote.as_str()) {
                let end = at + quote.len() - 1;
                cited.push((map[at], map[end] + 1));
            }
        }
        let all = sentences(&raw);
        let mut uncovered = Vec::new();
        for (start, end, line) in &all {
            if !cited.iter().any(|&(s, e)| s < *end && *start < e) {
                uncovered.push(Sentence { line: *line, text: raw[*start..*end].to_string() });
            }
        }
        documents.push(DocumentCoverage {
            file: source.file.clone(),
            sentences: all.len(),
            covered: all.len() - uncovered.len(),
            uncovered,
        });
    }
    let sentences = documents.iter().map(|d| d.sentences).sum();
    let covered = documents.iter().map(|d| d.covered).sum();
    Ok(Coverage { documents, sentences, covered })
}

/// `loose(text)`, and for each of its bytes the byte of `text` it came from.
fn loose_with_map(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let folded = loose(c.encode_utf8(&mut [0; 4]));
        let c = if c.is_whitespace() { ' ' } else { folded.chars().next().unwrap_or(c) };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
        map.extend(std::iter::repeat_n(at, c.len_utf8()));
    }
    if out.ends_with(' ') {
        out.pop();
        map.pop();
    }
    (out, map)
}

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "inc", "co", "no", "mt", "e.g", "i.e", "u.s", "a.m", "p.m",
];

/// The sentences of `text`: (start byte, end byte, 1-based line). A line break
/// always ends one (the documents hold a paragraph or a heading per line); within a
/// line, `.`, `!` or `?` (with any closing quote or bracket) before a space does,
/// except after an abbreviation or an initial.
fn sentences(text: &str) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (number, line) in text.split('\n').enumerate() {
        let mut start = None;
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (at, c) = chars[i];
            if start.is_none() && !c.is_whitespace() {
                start = Some(at);
            }
            if matches!(c, '.' | '!' | '?') {
                let mut j = i + 1;
                while j < chars.len()
                    && matches!(chars[j].1, '.' | '!' | '?' | '"' | '\'' | ')' | ']' | '\u{201d}' | '\u{2019}')
                {
                    j += 1;
                }
                let at_space = j < chars.len() && chars[j].1.is_whitespace();
                if at_space && !(c == '.' && abbreviation(&line[start.unwrap_or(0)..at])) {
                    if let Some(s) = start.take() {
                        let end = if j < chars.len() { chars[j].0 } else { line.len() };
                        out.push((offset + s, offset + end, number + 1));
                    }
                }
                i = j;
                continue;
            }
            i += 1;
        }
        if let Some(s) = start {
            let end = line.trim_end().len();
            if end > s {
                out.push((offset + s, offset + end, number + 1));
            }
        }
        offset += line.len() + 1;
    }
    out
}

/// Whether the text before a full stop ends in an abbreviation or an initial.
fn abbreviation(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"').next().unwrap_or("");
    let lower = word.to_lowercase();
    (word.chars().count() == 1 && word.chars().all(char::is_uppercase)) || ABBREVIATIONS.contains(&lower.as_str())
}

/// The coverage as a curator reads it: each uncovered sentence as `file:line:
/// sentence`, then the totals.
pub fn render_text(coverage: &Coverage) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for doc in &coverage.documents {
        for s in &doc.uncovered {
            let _ = writeln!(out, "sources/{}:{}: {}", doc.file, s.line, s.text);
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    for doc in &coverage.documents {
        let _ = writeln!(out, "sources/{}: {} of {} sentences cited", doc.file, doc.covered, doc.sentences);
    }
    let _ = writeln!(
        out,
        "total: {} of {} sentences cited ({:.0}%); {} not cited by any fact or unknown entry",
        coverage.covered,
        coverage.sentences,
        coverage.share() * 100.0,
        coverage.sentences - coverage.covered
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_end_at_stops_and_lines_but_not_at_abbreviations() {
        let text = "Title line\n\nIt's simple. \"Kiss,\" she said! Mr. Smith met J. Doe in the U.S. today? Yes.\n";
        let got: Vec<(&str, usize)> = sentences(text).into_iter().map(|(s, e, l)| (&text[s..e], l)).collect();
        assert_eq!(
            got,
            [
                ("Title line", 1),
                ("It's simple.", 3),
                ("\"Kiss,\" she said!", 3),
                ("Mr. Smith met J. Doe in the U.S. today?", 3),
                ("Yes.", 3)
            ]
        );
    }

    #[test]
    fn the_loose_map_agrees_with_loose() {
        for text in ["  a \n\n b\u{2019}s   \"c\"  ", "", "x", "caf\u{e9}  \u{201c}q\u{201d}\t"] {
            let (flat, map) = loose_with_map(text);
            assert_eq!(flat, loose(text), "{text:?}");
            assert_eq!(map.len(), flat.len());
            assert!(map.iter().all(|&m| m < text.len()));
        }
    }
}
