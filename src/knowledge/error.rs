//! What can be wrong with a fact base, said so that a curator can fix it without
//! reading Rust: the file, the line and the fact, then what to do.

use std::fmt;
use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// The reason is part of the message, and not a `source` too: error reporters
    /// print the chain, and the OS message came out twice.
    #[error("cannot read the fact base {}: {reason}", path.display())]
    Read { path: PathBuf, reason: io::Error },
    /// `snippet` is the offending line with a caret under the place, or empty.
    #[error("{origin}:{line}:{column}: {message}{}", if snippet.is_empty() { String::new() } else { format!("\n{snippet}") })]
    Syntax { origin: String, line: usize, column: usize, message: String, snippet: String },
    #[error("{origin}: {} problem{}\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, ProblemList(origin, problems))]
    Invalid { origin: String, problems: Vec<Problem> },
}

/// One thing wrong with the content of a fact base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the fact base where the offending entry stands.
    pub line: usize,
    /// The fact (or source) id it belongs to, when it belongs to one.
    pub entry: Option<String>,
    pub message: String,
}

struct ProblemList<'a>(&'a str, &'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.1.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}: ", self.0, problem.line)?;
            if let Some(entry) = &problem.entry {
                write!(f, "`{entry}`: ")?;
            }
            write!(f, "{}", problem.message)?;
        }
        Ok(())
    }
}

/// A TOML error as a curator can act on it: the place, what was expected in plain
/// words (not serde's "invalid type: string, expected a sequence"), the entry it is
/// in, and the line with a caret under the place.
pub(crate) fn toml_error(origin: &str, text: &str, error: &toml::de::Error) -> KnowledgeError {
    let span = error.span().unwrap_or(0..0);
    let start = span.start.min(text.len());
    let (line, column) = line_col(text, start);
    let message = plain_message(text, start, error.message());
    KnowledgeError::Syntax { origin: origin.to_string(), line, column, message, snippet: snippet(text, span) }
}

/// The offending line, numbered, with carets under `span` (one at least), as
/// compilers show it. Control characters show as U+FFFD so that the terminal shows
/// where they are instead of obeying them, and a long line is cut around the place.
pub(crate) fn snippet(text: &str, span: std::ops::Range<usize>) -> String {
    const WIDTH: usize = 100;
    let start = floor_boundary(text, span.start.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let shown = |s: &str| -> Vec<char> {
        s.chars()
            .map(|c| {
                if c == '\t' {
                    ' '
                } else if c.is_control() {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect()
    };
    let chars = shown(line);
    let before = shown(&text[line_start..start.max(line_start)]).len();
    let end = floor_boundary(text, span.end.clamp(start, line_end));
    let width = shown(&text[start..end]).len().max(1);
    // Keep the place in view: at most WIDTH characters, starting well before it.
    let skip = before.saturating_sub(WIDTH / 2).min(chars.len().saturating_sub(WIDTH.min(chars.len())));
    let visible: String = chars.iter().skip(skip).take(WIDTH).collect();
    let (cut_left, cut_right) = (if skip > 0 { "…" } else { "" }, if skip + WIDTH < chars.len() { "…" } else { "" });
    let number = line_col(text, start).0.to_string();
    let pad = " ".repeat(number.len());
    let indent = " ".repeat(before - skip + cut_left.chars().count());
    let carets = "^".repeat(width.min(WIDTH.saturating_sub(before - skip)).max(1));
    format!("{pad} |\n{number} | {cut_left}{visible}{cut_right}\n{pad} | {indent}{carets}")
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// toml's and serde's message, said in plain words where the cause is a common
/// one, with the key and entry it concerns.
fn plain_message(text: &str, at: usize, message: &str) -> String {
    let message = message.trim_end();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let key = line.split_once('=').map(|(k, _)| k.trim()).filter(|k| !k.is_empty() && !k.starts_with('['));
    let key = key.unwrap_or("this value");
    let between = |s: &str, open: &str, close: &str| -> Option<String> {
        let from = s.find(open)? + open.len();
        let len = s[from..].find(close)?;
        Some(s[from..from + len].to_string())
    };
    if message.is_empty() || message.starts_with("invalid comment character") {
        // toml gave no message for a control character in a comment (found by
        // fuzzing), and now names the comment: either way, say what is wrong.
        return "invalid character: TOML allows no control characters here".to_string();
    }
    if let Some(rest) = message.strip_prefix("invalid type: string ") {
        if rest.ends_with("expected a sequence") {
            let value = rest.rsplit_once(", expected").map_or("", |(v, _)| v);
            return format!("`{key}` is a list: put the text in [ ], like {key} = [{value}]");
        }
    }
    if message.starts_with("invalid type: sequence, expected a string") {
        return format!("`{key}` is one text, not a list: remove the [ ] and keep one text in double quotes");
    }
    if message.starts_with("invalid type: map, expected a sequence") {
        let header = line.trim().trim_start_matches('[').trim_end_matches(']');
        return format!("`[{header}]` is written `[[{header}]]`, with double brackets: there can be many of them");
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if rest.ends_with("expected a string") {
            let value = between(rest, "`", "`").unwrap_or_default();
            return format!("`{key}` is a text: put it in double quotes, like {key} = \"{value}\"");
        }
        if rest.ends_with("expected a sequence") {
            return format!("`{key}` is a list: put its texts in [ ], separated by commas, like {key} = [\"...\"]");
        }
    }
    if message.starts_with("invalid basic string") && message.contains("visible characters") {
        return "this text holds an invisible control character, which TOML does not allow in a text: delete it and retype what was there".to_string();
    }
    if message.starts_with("invalid basic string") {
        return "this text has no closing \" on its line: end it with \" (a text over several lines goes between \"\"\" and \"\"\")".to_string();
    }
    // toml 0.8 said "expected newline", 0.9 says "unexpected key or value, expected newline".
    let trailing = message.starts_with("expected newline") || message.starts_with("unexpected key or value");
    if trailing && line.matches('"').count() > 2 {
        return "a \" inside a text ends the text: write \\\" for a quote mark inside it, or put the whole text in single quotes ('...')".to_string();
    }
    if trailing {
        return "something follows the value on this line: put each `name = value` on a line of its own (# starts a comment)".to_string();
    }
    // No field of the base is a boolean: "title = True story" is a text unquoted.
    let unquoted = ["invalid string", "string values must be quoted", "invalid boolean"];
    if unquoted.iter().any(|u| message.starts_with(u)) {
        return format!("`{key}` is a text: put it in double quotes, like {key} = \"...\"");
    }
    if message.starts_with("invalid array") || message.starts_with("missing comma between array elements") {
        return "a list holds texts in double quotes separated by commas, and ends with ]: check this line and the one before".to_string();
    }
    if let Some(field) = message.strip_prefix("missing field ").and_then(|m| between(m, "`", "`")) {
        return format!("{} has no `{field}`: add a line `{field} = ...` to it", entry(text, at));
    }
    if let Some(field) = message.strip_prefix("unknown field ").and_then(|m| between(m, "`", "`")) {
        let expected: Vec<String> = message
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).map(str::to_string).collect())
            .unwrap_or_default();
        let closest = expected.iter().min_by_key(|e| strsim::damerau_levenshtein(&field, e));
        let guess = match closest {
            Some(e) if strsim::damerau_levenshtein(&field, e) <= 2 => format!("did you mean `{e}`? "),
            _ => String::new(),
        };
        let names = expected.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ");
        return format!(
            "{} has a field `{field}` that the bot does not know: {guess}(the fields here are {names})",
            entry(text, at)
        );
    }
    if let Some(value) = message.strip_prefix("unknown variant ").and_then(|m| between(m, "`", "`")) {
        let allowed = message.split_once("expected ").map_or("", |(_, list)| list).replace('`', "\"");
        return format!("`{key}` cannot be \"{value}\": it is one of {allowed}");
    }
    if message.starts_with("duplicate key") {
        // toml 0.8 named the key in the message; 0.9 points at it.
        let field = between(message, "`", "`").unwrap_or_else(|| key.to_string());
        return format!(
            "`{field}` is given twice in {}: keep one, or start the next entry with its own [[...]] line",
            entry(text, at)
        );
    }
    message.lines().map(str::trim).collect::<Vec<_>>().join(": ")
}

/// "the [[fact]] `five-cameras`", "the [[fact.cite]] of fact `five-cameras`", or
/// "the [[fact]] at line 12" when the entry has no id: the entry that holds byte
/// `at`, named by its header and the `id` of the top-level entry it is part of.
fn entry(text: &str, at: usize) -> String {
    let at = floor_boundary(text, at.min(text.len()));
    // The header of the table holding `at`: the last one starting at or before it.
    let mut header = None;
    let mut top = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > at {
            break;
        }
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            let name = trimmed.trim_start_matches('[').split(']').next().unwrap_or("").trim().to_string();
            if !name.contains('.') {
                top = Some((name.clone(), offset));
            }
            header = Some(name);
        }
        offset += line.len();
    }
    let Some(header) = header else { return "the file's top level".to_string() };
    let Some((top_name, top_at)) = top else { return format!("the [[{header}]]") };
    // The top-level entry's id: an `id = "..."` line before the next header.
    let id = text[top_at..].lines().skip(1).take_while(|l| !l.trim_start().starts_with('[')).find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "id").then(|| v.trim().trim_matches(['"', '\'']).to_string())
    });
    match (id, header == top_name) {
        (Some(id), true) => format!("the [[{header}]] `{id}`"),
        (Some(id), false) => format!("a [[{header}]] of {top_name} `{id}`"),
        (None, _) => format!("the [[{top_name}]] at line {}", line_col(text, top_at).0),
    }
}

/// Where each line of a text starts, to turn byte offsets into line numbers in
/// logarithmic time: a fact base has thousands of entries to place.
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    pub(crate) fn new(text: &str) -> Lines {
        Lines(std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    /// The 1-based line of byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// Line and column (both 1-based) of a byte offset in `text`, for a single error.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| before[nl + 1..].chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_is_one_based() {
        let text = "a\nbc\nd";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 2));
        assert_eq!(line_col(text, 5), (3, 1));
    }

    #[test]
    fn lines_agree_with_line_col() {
        let text = "a\nbc\n\nd\n";
        let lines = Lines::new(text);
        for offset in 0..text.len() {
            assert_eq!(lines.line(offset), line_col(text, offset).0, "offset {offset}");
        }
    }

    #[test]
    fn invalid_lists_every_problem_with_its_place() {
        let err = KnowledgeError::Invalid {
            origin: "knowledge.toml".into(),
            problems: vec![
                Problem { line: 3, entry: Some("director".into()), message: "no answer".into() },
                Problem { line: 9, entry: None, message: "odd".into() },
            ],
        };
        assert_eq!(
            err.to_string(),
            "knowledge.toml: 2 problems\nknowledge.toml:3: `director`: no answer\nknowledge.toml:9: odd"
        );
    }
}
