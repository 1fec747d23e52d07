//! The curated fact base: the documents, the facts that cite them, the entities
//! (people, works, outlets...) the facts are about, what the documents leave open
//! (gaps), and the synonyms the matcher uses, loaded from `knowledge.toml` and
//! checked before anything uses them. A `KnowledgeBase` that exists is a valid one: every quote stands verbatim in
//! its document, every reference resolves, every text fits where the bot shows it.

mod build;
mod error;
mod halves;
mod raw;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use error::{line_col, KnowledgeError, Problem};

/// Longest fact id: a button's custom id (at most 100 characters) carries it with a
/// prefix and a record id.
pub const MAX_FACT_ID_CHARS: usize = 64;
/// Longest fact title: Discord shows titles as autocomplete choices, capped at 100.
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest answer, and longest claim, so that a contested fact with every claim
/// still fits an embed description (4,096 characters) with room to spare.
pub const MAX_ANSWER_CHARS: usize = 1_000;
pub const MAX_CLAIM_CHARS: usize = 400;
pub const MAX_CLAIMS: usize = 6;
/// Longest quote: an embed field holds 1,024 characters, title and marker included.
pub const MAX_QUOTE_CHARS: usize = 700;
/// Largest fact base, and largest document, read from disk: far above any real one
/// (the shipped base and documents are tens of KiB), and a bound on what a wrong
/// path can make the bot read.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KnowledgeBase {
    origin: String,
    sources: Vec<Source>,
    /// Each source's document, whitespace and quote marks unified as quotes are
    /// checked against it.
    texts: Vec<String>,
    facts: Vec<Fact>,
    entities: Vec<Entity>,
    gaps: Vec<Gap>,
    synonyms: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Source {
    pub id: String,
    /// The document's file name under `sources/`.
    pub file: String,
    pub title: String,
    pub author: Option<String>,
    pub kind: SourceKind,
    /// The person an interview questions: its answers are theirs, though the text
    /// seldom names them beside each.
    pub subject: Option<EntityId>,
    /// How fans refer to the document, beyond its author's and subject's names with
    /// a word like "article" ("the 'spawns actual couple' article").
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceKind {
    #[serde(rename = "news report")]
    NewsReport,
    #[serde(rename = "interview")]
    Interview,
    #[serde(rename = "first-person account")]
    FirstPersonAccount,
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::NewsReport => "news report",
            SourceKind::Interview => "interview",
            SourceKind::FirstPersonAccount => "first-person account",
        })
    }
}

/// What an entity is. A gap written once for every person (`{person}` in its
/// questions) is expanded for each entity of kind `person`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Work,
    Organization,
    Outlet,
    Place,
    Event,
}

/// Index of an entity in [`KnowledgeBase::entities`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EntityId(pub u32);

/// Someone or something the documents name, with every way fans refer to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entity {
    pub id: String,
    pub kind: EntityKind,
    /// How a reply names it.
    pub name: String,
    /// Every way a fan refers to it: names, first names, roles, descriptions.
    pub names: Vec<String>,
    /// What the documents say about it: the reply when a question names it and asks
    /// what none of its facts answers.
    pub summary: String,
    pub citations: Vec<Citation>,
}

/// Index of a gap in [`KnowledgeBase::gaps`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GapId(pub u32);

/// A question fans ask that the documents leave open (an `[[unknown]]` entry), with
/// what the documents do say about it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Gap {
    /// The entry's id; for an entry written once for every person, `id/person-id`.
    pub id: String,
    pub about: Vec<EntityId>,
    pub questions: Vec<String>,
    pub reply: String,
    pub citations: Vec<Citation>,
}

/// Index of a fact in [`KnowledgeBase::facts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FactId(pub u32);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fact {
    pub id: String,
    pub title: String,
    /// The reply, or for a contested fact the sentence that introduces its claims.
    pub answer: String,
    pub questions: Vec<String>,
    /// The entities the fact is about.
    pub about: Vec<EntityId>,
    pub keywords: Vec<String>,
    /// Related facts, resolved.
    pub related: Vec<FactId>,
    pub citations: Vec<Citation>,
    /// Non-empty exactly when the documents disagree on this fact.
    pub claims: Vec<Claim>,
    /// Set for a fact made from an entity's summary ("who is ..."), not curated.
    pub introduces: Option<EntityId>,
}

impl Fact {
    pub fn is_contested(&self) -> bool {
        !self.claims.is_empty()
    }

    /// The fact's own citations, then its claims'.
    pub fn every_citation(&self) -> impl Iterator<Item = &Citation> {
        self.citations.iter().chain(self.claims.iter().map(|c| &c.citation))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Citation {
    /// Index into [`KnowledgeBase::sources`].
    pub source: usize,
    pub quote: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claim {
    pub text: String,
    pub citation: Citation,
}

impl KnowledgeBase {
    /// Loads `path` and the documents in the `sources/` folder beside it.
    /// Both must be regular files of at most [`MAX_FILE_BYTES`], in UTF-8.
    pub fn load(path: &Path) -> Result<Self, KnowledgeError> {
        let origin = path.display().to_string();
        let bytes = read_limited(path).map_err(|reason| KnowledgeError::Read { path: path.to_path_buf(), reason })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let (line, column, byte) = first_invalid_utf8(e.as_bytes(), e.utf8_error());
            let message = format!("invalid UTF-8 (byte 0x{byte:02X}): save the file as UTF-8");
            KnowledgeError::Syntax { origin: origin.clone(), line, column, message, snippet: String::new() }
        })?;
        Self::load_text(path, &text)
    }

    /// Parses `text` as if it were the file at `path`, with the documents in the
    /// `sources/` folder beside it: how an edit is checked before it is written.
    pub fn load_text(path: &Path, text: &str) -> Result<Self, KnowledgeError> {
        let origin = path.display().to_string();
        Self::parse(&origin, text, document_reader(path))
    }

    /// Reads the documents of the fact base at `path` by file name, as its loader
    /// does.
    pub fn documents_at(path: &Path) -> Box<DocumentReader> {
        Box::new(document_reader(path))
    }

    /// Parses and validates a fact base. `origin` names it in errors; `document` reads
    /// a source document by file name.
    pub fn parse(
        origin: &str,
        text: &str,
        document: impl Fn(&str) -> io::Result<String>,
    ) -> Result<Self, KnowledgeError> {
        build::build(origin, text, &document)
    }

    /// Where the fact base came from, as a path or `(built in)`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// This base, said to come from `origin`.
    pub(crate) fn with_origin(self, origin: String) -> Self {
        KnowledgeBase { origin, ..self }
    }

    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }

    pub fn fact(&self, id: FactId) -> &Fact {
        &self.facts[id.0 as usize]
    }

    pub fn fact_ids(&self) -> impl Iterator<Item = FactId> {
        (0..self.facts.len() as u32).map(FactId)
    }

    pub fn find(&self, id: &str) -> Option<FactId> {
        self.facts.iter().position(|f| f.id == id).map(|i| FactId(i as u32))
    }

    pub fn source(&self, index: usize) -> &Source {
        &self.sources[index]
    }

    /// The documents, by source index, as quotes are checked against them.
    pub fn texts(&self) -> &[String] {
        &self.texts
    }

    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    pub fn entity(&self, id: EntityId) -> &Entity {
        &self.entities[id.0 as usize]
    }

    pub fn gaps(&self) -> &[Gap] {
        &self.gaps
    }

    pub fn gap(&self, id: GapId) -> &Gap {
        &self.gaps[id.0 as usize]
    }

    pub fn synonyms(&self) -> &[Vec<String>] {
        &self.synonyms
    }

    /// Counts for a summary line.
    pub fn stats(&self) -> Stats {
        Stats {
            sources: self.sources.len(),
            facts: self.facts.len(),
            contested: self.facts.iter().filter(|f| f.is_contested()).count(),
            questions: self.facts.iter().map(|f| f.questions.len()).sum(),
            citations: self.facts.iter().map(|f| f.citations.len() + f.claims.len()).sum(),
            synonym_groups: self.synonyms.len(),
            entities: self.entities.len(),
            gaps: self.gaps.len(),
            gap_questions: self.gaps.iter().map(|g| g.questions.len()).sum(),
        }
    }
}

/// Reads a source document by file name.
pub type DocumentReader = dyn Fn(&str) -> io::Result<String>;

/// Reads a document from the `sources/` folder beside the fact base at `path`.
fn document_reader(path: &Path) -> impl Fn(&str) -> io::Result<String> {
    let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf).join("sources");
    move |file| {
        String::from_utf8(read_limited(&dir.join(file))?).map_err(|e| {
            let (line, column, byte) = first_invalid_utf8(e.as_bytes(), e.utf8_error());
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("invalid UTF-8 (byte 0x{byte:02X}) at line {line}, column {column}: save it as UTF-8"),
            )
        })
    }
}

/// The bytes of `path`, if it is a regular file of at most [`MAX_FILE_BYTES`]: a
/// FIFO would block the read for ever, a device like `/dev/zero` never end it.
pub(crate) fn read_limited(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let not_regular = || io::Error::new(io::ErrorKind::InvalidInput, "not a regular file");
    let too_large = || {
        let limit = MAX_FILE_BYTES / (1024 * 1024);
        io::Error::new(io::ErrorKind::InvalidData, format!("larger than the {limit} MiB limit"))
    };
    // Checked before opening, because opening a FIFO blocks until a writer comes;
    // and again on the open file, in case the path changed in between.
    let checked = |meta: std::fs::Metadata| match () {
        _ if !meta.is_file() => Err(not_regular()),
        _ if meta.len() > MAX_FILE_BYTES => Err(too_large()),
        _ => Ok(meta.len()),
    };
    checked(std::fs::metadata(path)?)?;
    let file = std::fs::File::open(path)?;
    let len = checked(file.metadata()?)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // A file that grows while read is still cut at the limit.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Line and column (1-based, in characters) and value of the first invalid byte.
pub(crate) fn first_invalid_utf8(bytes: &[u8], error: std::str::Utf8Error) -> (usize, usize, u8) {
    let valid = &bytes[..error.valid_up_to()];
    // The prefix is valid UTF-8 by definition; lossy conversion cannot change it.
    let valid = String::from_utf8_lossy(valid);
    let (line, column) = line_col(&valid, valid.len());
    (line, column, bytes.get(error.valid_up_to()).copied().unwrap_or(0))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub sources: usize,
    pub facts: usize,
    pub contested: usize,
    pub questions: usize,
    pub citations: usize,
    pub synonym_groups: usize,
    pub entities: usize,
    pub gaps: usize,
    pub gap_questions: usize,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = |count: usize, one: &str, many: &str| format!("{count} {}", if count == 1 { one } else { many });
        write!(
            f,
            "{}, {} ({} contested), {}, {}, {}, {}, {} ({} phrasings)",
            n(self.sources, "source", "sources"),
            n(self.facts, "fact", "facts"),
            self.contested,
            n(self.questions, "question phrasing", "question phrasings"),
            n(self.citations, "citation", "citations"),
            n(self.synonym_groups, "synonym group", "synonym groups"),
            n(self.entities, "entity", "entities"),
            n(self.gaps, "gap", "gaps"),
            self.gap_questions,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_limited(dir.path()).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file");
        #[cfg(unix)]
        assert_eq!(read_limited(Path::new("/dev/zero")).unwrap_err().to_string(), "not a regular file");
        let big = dir.path().join("big.toml");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        assert_eq!(read_limited(&big).unwrap_err().to_string(), "larger than the 8 MiB limit");
        file.set_len(3).unwrap();
        assert_eq!(read_limited(&big).unwrap(), [0, 0, 0]);
    }

    #[test]
    fn invalid_utf8_is_placed_by_line_and_column() {
        let mut emoji = "é\nàx\u{1F600}".as_bytes().to_vec();
        emoji.push(0x80);
        for (bytes, expected) in
            [(b"a = 1\nb = \"\xff\"".to_vec(), (2, 6, 0xff)), (b"\xc3".to_vec(), (1, 1, 0xc3)), (emoji, (2, 4, 0x80))]
        {
            let error = std::str::from_utf8(&bytes).unwrap_err();
            assert_eq!(first_invalid_utf8(&bytes, error), expected);
        }
    }
}
