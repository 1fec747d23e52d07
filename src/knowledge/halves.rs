//! Parsing a large fact base in two halves, on two threads. Parsing the TOML is the
//! longest stretch of start-up that runs on one thread, and a fact base is a list of
//! entries: cut at an entry's header, each half is a fact base of its own.
//!
//! The second half is parsed with the first half's bytes blanked (newlines kept), so
//! that every span, and so every line a problem names, is the same as in one parse.
//! Whenever the halves could read differently from the whole (a half fails to parse,
//! the file has anything but entries at its top), the whole file is parsed as one, so
//! errors and results are always those of one parse.

use super::raw;

/// Below this many bytes a second thread costs more than it saves.
const SPLIT_BYTES: usize = 64 * 1024;

/// `text` as a fact base: in halves where that reads the same as the whole, else whole.
pub(super) fn parse(text: &str) -> Result<raw::File, toml::de::Error> {
    let Some(at) = split_point(text) else { return toml::from_str(text) };
    let tail = blanked_before(text, at);
    let (head, tail) = std::thread::scope(|scope| {
        let tail = scope.spawn(|| toml::from_str::<raw::File>(&tail));
        let head = toml::from_str::<raw::File>(&text[..at]);
        (head, crate::joined(tail))
    });
    match (head, tail) {
        (Ok(head), Ok(tail)) => Ok(joined(head, tail)),
        _ => toml::from_str(text),
    }
}

/// Where to cut: the start of the first top-level entry header (`[[fact]]`, not
/// `[[fact.cite]]`) past the middle. None for a small file, or one with anything but
/// comments before its first header (a top-level key could be an inline array that
/// the other half's entries would clash with).
fn split_point(text: &str) -> Option<usize> {
    if text.len() < SPLIT_BYTES || !only_entries_at_top(text) {
        return None;
    }
    let middle = text.len() / 2;
    let mut at = text[middle..].find('\n')? + middle + 1;
    while at < text.len() {
        let line = text[at..].lines().next().unwrap_or_default();
        if is_entry_header(line) {
            return Some(at);
        }
        at += text[at..].find('\n')? + 1;
    }
    None
}

/// A top-level array-of-tables header: `[[name]]`, the name without a dot.
fn is_entry_header(line: &str) -> bool {
    let line = line.trim_end();
    line.strip_prefix("[[")
        .and_then(|rest| rest.strip_suffix("]]"))
        .is_some_and(|name| !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

/// Whether everything before the first table header is blank or a comment.
fn only_entries_at_top(text: &str) -> bool {
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            return true;
        }
        if !line.is_empty() && !line.starts_with('#') {
            return false;
        }
    }
    true
}

/// `text` with its bytes before `at` made spaces, newlines kept: the same length and
/// lines, with only what follows `at` to read.
fn blanked_before(text: &str, at: usize) -> String {
    let mut out = String::with_capacity(text.len());
    out.extend(text.as_bytes()[..at].iter().map(|&b| if b == b'\n' { '\n' } else { ' ' }));
    out.push_str(&text[at..]);
    out
}

fn joined(mut head: raw::File, tail: raw::File) -> raw::File {
    head.source.extend(tail.source);
    head.synonyms.extend(tail.synonyms);
    head.entity.extend(tail.entity);
    head.fact.extend(tail.fact);
    head.unknown.extend(tail.unknown);
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A base big enough to be split, its entries numbered.
    fn base(entries: usize) -> String {
        let mut text = String::from("# a comment\n\n");
        for i in 0..entries {
            text.push_str(&format!(
                "[[fact]]\nid = \"f{i}\"\nquestions = [\"question {i}\"]\n\n[[fact.cite]]\nsource = \"s\"\nquote = \"q\"\n\n"
            ));
            if i % 3 == 0 {
                text.push_str(&format!("[[unknown]]\nid = \"u{i}\"\nquestions = [\"open {i}\"]\nreply = \"r\"\n\n"));
            }
        }
        text
    }

    fn ids_and_lines(file: &raw::File, text: &str) -> Vec<(String, usize)> {
        let line = |at: usize| text[..at].matches('\n').count() + 1;
        file.fact
            .iter()
            .map(|f| (f.get_ref().id.get_ref().clone(), line(f.span().start)))
            .chain(file.unknown.iter().map(|u| (u.get_ref().id.get_ref().clone(), line(u.span().start))))
            .collect()
    }

    /// `parse` reads `text` as one parse does: the same entries at the same lines,
    /// each fact with the same citations.
    fn reads_as_one_parse(text: &str) {
        let whole: raw::File = toml::from_str(text).unwrap();
        let halves = parse(text).unwrap();
        assert_eq!(ids_and_lines(&halves, text), ids_and_lines(&whole, text));
        let cites = |f: &raw::File| f.fact.iter().map(|f| f.get_ref().cite.len()).collect::<Vec<_>>();
        assert_eq!(cites(&halves), cites(&whole));
    }

    #[test]
    fn halves_read_as_the_whole_does() {
        let text = base(2_000);
        let at = split_point(&text).expect("large enough to split");
        assert!(is_entry_header(text[at..].lines().next().unwrap()));
        reads_as_one_parse(&text);
    }

    #[test]
    fn a_sub_table_cut_from_its_entry_is_read_as_one_parse_reads_it() {
        // Right after the entry the cut falls on, a citation for the fact before the
        // cut (or for that entry, if it is a fact): the tail alone cannot place it.
        let mut text = base(1_000);
        let at = split_point(&text).unwrap();
        let entry_end = at + text[at..].find("\n\n").unwrap() + 2;
        text.insert_str(entry_end, "[[fact.cite]]\nsource = \"t\"\nquote = \"late\"\n\n");
        reads_as_one_parse(&text);
    }

    #[test]
    fn errors_are_those_of_one_parse() {
        let mut text = base(1_000);
        let at = split_point(&text).unwrap();
        text.insert_str(at + 20, "\nnot toml at all\n");
        let whole = toml::from_str::<raw::File>(&text).unwrap_err();
        let halves = parse(&text).unwrap_err();
        assert_eq!(halves.to_string(), whole.to_string());
    }

    #[test]
    fn a_key_before_the_entries_is_never_split() {
        let text = format!("fact = []\n{}", base(1_000));
        assert_eq!(split_point(&text), None);
        assert_eq!(parse(&text).is_ok(), toml::from_str::<raw::File>(&text).is_ok());
    }

    #[test]
    fn small_files_are_parsed_whole() {
        assert_eq!(split_point(&base(3)), None);
    }
}
