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
    #[error("{origin}:{line}:{column}: {message}")]
    Syntax { origin: String, line: usize, column: usize, message: String },
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
