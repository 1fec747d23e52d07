//! The curated fact base: the documents, the facts that cite them, the entities
//! (people, works, outlets...) the facts are about, what the documents leave open
//! (gaps), and the synonyms the matcher uses, loaded from `knowledge.toml` and
//! checked before anything uses them. A `KnowledgeBase` that exists is a valid one: every quote stands verbatim in
//! its document, every reference resolves, every text fits where the bot shows it.

mod build;
mod builtin;
mod error;
mod raw;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use error::{line_col, KnowledgeError, Problem};

/// Longest fact title: Discord shows titles as autocomplete choices, capped at 100.
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest answer, and longest claim, so that a contested fact with every claim
/// still fits an embed description (4,096 characters) with room to spare.
pub const MAX_ANSWER_CHARS: usize = 1_000;
pub const MAX_CLAIM_CHARS: usize = 400;
pub const MAX_CLAIMS: usize = 6;
/// Longest quote: an embed field holds 1,024 characters, title and marker included.
pub const MAX_QUOTE_CHARS: usize = 700;

#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    origin: String,
    sources: Vec<Source>,
    facts: Vec<Fact>,
    entities: Vec<Entity>,
    gaps: Vec<Gap>,
    synonyms: Vec<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    /// The document's file name under `sources/`.
    pub file: String,
    pub title: String,
    pub author: Option<String>,
    pub kind: SourceKind,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityId(pub u32);

/// Someone or something the documents name, with every way fans refer to it.
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GapId(pub u32);

/// A question fans ask that the documents leave open (an `[[unknown]]` entry), with
/// what the documents do say about it.
#[derive(Debug, Clone)]
pub struct Gap {
    /// The entry's id; for an entry written once for every person, `id/person-id`.
    pub id: String,
    pub about: Vec<EntityId>,
    pub questions: Vec<String>,
    pub reply: String,
    pub citations: Vec<Citation>,
}

/// Index of a fact in [`KnowledgeBase::facts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FactId(pub u32);

#[derive(Debug, Clone)]
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
}

impl Fact {
    pub fn is_contested(&self) -> bool {
        !self.claims.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct Citation {
    /// Index into [`KnowledgeBase::sources`].
    pub source: usize,
    pub quote: String,
}

#[derive(Debug, Clone)]
pub struct Claim {
    pub text: String,
    pub citation: Citation,
}

impl KnowledgeBase {
    /// Loads `path` and the documents in the `sources/` folder beside it.
    pub fn load(path: &Path) -> Result<Self, KnowledgeError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| KnowledgeError::Read { path: path.to_path_buf(), source })?;
        let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf).join("sources");
        Self::parse(&path.display().to_string(), &text, |file| std::fs::read_to_string(dir.join(file)))
    }

    /// The fact base and documents compiled into the binary, so that it answers from
    /// any directory with nothing beside it.
    pub fn builtin() -> Result<Self, KnowledgeError> {
        Self::parse(builtin::KNOWLEDGE_ORIGIN, builtin::KNOWLEDGE, builtin::document)
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
