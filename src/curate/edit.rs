//! Adding a phrasing to `knowledge.toml`, as a curator would by hand: the file is
//! edited in place with `toml_edit`, so every comment, blank line and array layout
//! stays as written; the result is checked by the same loader the bot uses, and
//! only a valid result replaces the file (written beside it, then renamed over it),
//! so a rejected edit leaves the file byte for byte as it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Value};

use crate::knowledge::KnowledgeBase;

/// The two kinds of entry that take phrasings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Fact,
    Unknown,
}

impl Entry {
    /// The array of tables the entry is written in (`[[fact]]`, `[[unknown]]`).
    fn table(self) -> &'static str {
        match self {
            Entry::Fact => "fact",
            Entry::Unknown => "unknown",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("cannot read {}: {reason}", path.display())]
    Read { path: PathBuf, reason: std::io::Error },
    #[error("{} is not valid TOML, so it was left alone: {reason}", path.display())]
    Toml { path: PathBuf, reason: String },
    #[error("{} has no [[{table}]] with id = \"{id}\"{hint}", path.display())]
    NoEntry { path: PathBuf, table: &'static str, id: String, hint: &'static str },
    #[error("[[{table}]] \"{id}\" in {} has no questions array to add to", path.display())]
    NoQuestions { path: PathBuf, table: &'static str, id: String },
    #[error("[[{table}]] \"{id}\" already has the phrasing \"{phrasing}\"")]
    AlreadyThere { table: &'static str, id: String, phrasing: String },
    #[error("the edit was refused, and {} is unchanged: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error("cannot write {}: {reason}", path.display())]
    Write { path: PathBuf, reason: std::io::Error },
}

/// A one-line `questions = [...]` that would grow past this many characters is
/// rewritten one phrasing per line, as the base's long lists are: a curator reads a
/// list, not a line of a thousand characters.
const ONE_LINE_MOST: usize = 100;

/// A fan's question as a phrasing, in the base's style: one line, spaces
/// collapsed, no closing question marks, lower case (matching folds case anyway).
pub fn phrasing(question: &str) -> String {
    let question = crate::text::loose(crate::text::clip(question, crate::text::MAX_QUESTION_CHARS));
    question.trim_end_matches(['?', '!', '.', ' ']).trim_start().to_lowercase()
}

/// Appends `phrasing` to the `questions` of the `entry` with `id` in the fact base
/// at `path`, keeping its layout, if the result loads; returns the new base.
pub fn add_phrasing(path: &Path, entry: Entry, id: &str, phrasing: &str) -> Result<KnowledgeBase, EditError> {
    let bytes = crate::knowledge::read_limited(path).map_err(|reason| EditError::Read { path: path.into(), reason })?;
    let text = String::from_utf8(bytes).map_err(|e| EditError::Toml { path: path.into(), reason: e.to_string() })?;
    let edited = with_phrasing(&text, path, entry, id, phrasing)?;
    // Checked as the bot would load it, documents and all, before the file changes.
    let kb = KnowledgeBase::load_text(path, &edited)
        .map_err(|e| EditError::Invalid { path: path.into(), reason: e.to_string() })?;
    replace(path, edited.as_bytes()).map_err(|reason| EditError::Write { path: path.into(), reason })?;
    Ok(kb)
}

/// `text` with the phrasing added, formatted as the array's last element is.
fn with_phrasing(text: &str, path: &Path, entry: Entry, id: &str, phrasing: &str) -> Result<String, EditError> {
    let table = entry.table();
    let mut doc: DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| EditError::Toml { path: path.into(), reason: e.to_string() })?;
    // The id may be the other kind of entry's: say which flag takes it.
    let other = match entry {
        Entry::Fact => Entry::Unknown,
        Entry::Unknown => Entry::Fact,
    };
    let is_other = doc
        .get(other.table())
        .and_then(|t| t.as_array_of_tables())
        .is_some_and(|ts| ts.iter().any(|t| t.get("id").and_then(|v| v.as_str()) == Some(id)));
    let hint = match (is_other, other) {
        (false, _) => "",
        (true, Entry::Unknown) => ": it is an [[unknown]], which --unknown N ID takes",
        (true, Entry::Fact) => ": it is a [[fact]], which --accept N ID takes",
    };
    let no_entry = || EditError::NoEntry { path: path.into(), table, id: id.into(), hint };
    let entries = doc.get_mut(table).and_then(|t| t.as_array_of_tables_mut()).ok_or_else(no_entry)?;
    let found = entries.iter_mut().find(|t| t.get("id").and_then(|v| v.as_str()) == Some(id)).ok_or_else(no_entry)?;
    let questions = found
        .get_mut("questions")
        .and_then(|q| q.as_array_mut())
        .ok_or_else(|| EditError::NoQuestions { path: path.into(), table, id: id.into() })?;
    let wanted = super::normalise(phrasing);
    if questions.iter().any(|q| q.as_str().is_some_and(|q| super::normalise(q) == wanted)) {
        return Err(EditError::AlreadyThere { table, id: id.into(), phrasing: phrasing.into() });
    }
    let mut value = Value::from(phrasing);
    match questions.iter().last() {
        Some(last) => {
            // One per line stays one per line; a one-line array stays on one line.
            let prefix = last.decor().prefix().and_then(|p| p.as_str()).unwrap_or(" ");
            // On a new line with the last one's indent (not the comments above it); a
            // one-line array's first element is written without its space.
            let prefix = match prefix.rsplit_once('\n') {
                Some((_, indent)) => format!("\n{indent}"),
                None => " ".to_string(),
            };
            value.decor_mut().set_prefix(prefix);
            value.decor_mut().set_suffix("");
            questions.push_formatted(value);
        }
        None => questions.push(value),
    }
    let one_line = !questions.to_string().contains('\n');
    if one_line && "questions = ".len() + questions.to_string().trim().len() > ONE_LINE_MOST {
        for value in questions.iter_mut() {
            value.decor_mut().set_prefix("\n  ");
            value.decor_mut().set_suffix("");
        }
        questions.set_trailing_comma(true);
        questions.set_trailing("\n");
    }
    Ok(doc.to_string())
}

/// Writes `bytes` to a new file beside `path`, then renames it over `path`: a crash
/// or a full disk midway leaves the old file whole, never half a new one.
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map_or_else(|| "knowledge.toml".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut out = std::fs::File::create(&temp)?;
        out.write_all(bytes)?;
        if let Ok(meta) = std::fs::metadata(path) {
            out.set_permissions(meta.permissions())?;
        }
        out.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"# The base.
[[fact]]
id = "director"  # the one fans ask most
questions = [
  "who directed first kiss",
  # a comment inside
  "who is the director",
]

[[unknown]]
id = "age"
questions = ["how old is {person}", "{person} age"]
"#;

    #[test]
    fn a_phrasing_is_added_in_the_arrays_own_layout() {
        let path = Path::new("k.toml");
        let out = with_phrasing(BASE, path, Entry::Fact, "director", "who direted it").unwrap();
        let want =
            BASE.replace("  \"who is the director\",\n]", "  \"who is the director\",\n  \"who direted it\",\n]");
        assert_eq!(out, want);
        let out = with_phrasing(BASE, path, Entry::Unknown, "age", "what age is {person}").unwrap();
        let want = BASE.replace("\"{person} age\"]", "\"{person} age\", \"what age is {person}\"]");
        assert_eq!(out, want);
    }

    #[test]
    fn a_one_line_list_grown_too_long_is_written_one_per_line() {
        let path = Path::new("k.toml");
        let long = "what age was {person} when first kiss was filmed in los angeles";
        let out = with_phrasing(BASE, path, Entry::Unknown, "age", long).unwrap();
        let want = BASE.replace(
            "questions = [\"how old is {person}\", \"{person} age\"]",
            &format!("questions = [\n  \"how old is {{person}}\",\n  \"{{person}} age\",\n  \"{long}\",\n]"),
        );
        assert_eq!(out, want);
        // Grown again, it stays one per line.
        let again = with_phrasing(&out, path, Entry::Unknown, "age", "how old").unwrap();
        assert!(again.contains(&format!("  \"{long}\",\n  \"how old\",\n]")), "{again}");
    }

    #[test]
    fn a_missing_entry_or_a_phrasing_already_there_is_refused() {
        let path = Path::new("k.toml");
        let err = with_phrasing(BASE, path, Entry::Fact, "nope", "x").unwrap_err().to_string();
        assert_eq!(err, "k.toml has no [[fact]] with id = \"nope\"");
        let err = with_phrasing(BASE, path, Entry::Unknown, "director", "x").unwrap_err().to_string();
        assert_eq!(
            err,
            "k.toml has no [[unknown]] with id = \"director\": it is a [[fact]], which --accept N ID takes"
        );
        let err = with_phrasing(BASE, path, Entry::Fact, "age", "x").unwrap_err().to_string();
        assert!(err.ends_with(": it is an [[unknown]], which --unknown N ID takes"), "{err}");
        let err = with_phrasing(BASE, path, Entry::Fact, "director", "Who is the Director??").unwrap_err();
        assert!(matches!(err, EditError::AlreadyThere { .. }), "{err}");
    }

    #[test]
    fn phrasings_take_the_bases_style() {
        assert_eq!(phrasing("  Who   DIRETED it?? "), "who direted it");
        assert_eq!(phrasing("what's the song?!"), "what's the song");
    }
}
