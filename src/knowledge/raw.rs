//! The fact base exactly as written in TOML, with the position of every entry so that
//! a problem can be reported at its line. Only `build` reads these types.

use serde::Deserialize;
use toml::Spanned;

use super::{EntityKind, SourceKind};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(default)]
    pub source: Vec<Spanned<Source>>,
    #[serde(default)]
    pub synonyms: Vec<Spanned<Synonyms>>,
    #[serde(default)]
    pub entity: Vec<Spanned<Entity>>,
    #[serde(default)]
    pub fact: Vec<Spanned<Fact>>,
    #[serde(default)]
    pub unknown: Vec<Spanned<Unknown>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    // Optional here so that a missing one is reported with the source's id (serde
    // would name the line of the table only); `build` requires them.
    pub file: Option<String>,
    pub title: Option<String>,
    pub author: Option<String>,
    pub kind: Option<SourceKind>,
    /// Whom an interview questions (an entity's id).
    pub subject: Option<String>,
    /// How fans refer to the document ("Mallin's article").
    #[serde(default)]
    pub names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Synonyms {
    pub words: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub id: Spanned<String>,
    // Optional here so that a missing one is reported with the fact's id; `build`
    // requires them.
    pub title: Option<String>,
    pub answer: Option<String>,
    #[serde(default)]
    pub questions: Vec<String>,
    #[serde(default)]
    pub about: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub cite: Vec<Spanned<Cite>>,
    #[serde(default)]
    pub claim: Vec<Spanned<Claim>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cite {
    pub source: Spanned<String>,
    pub quote: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub text: String,
    pub source: Spanned<String>,
    pub quote: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    pub id: Spanned<String>,
    pub kind: EntityKind,
    pub name: String,
    pub names: Vec<String>,
    pub summary: String,
    #[serde(default)]
    pub cite: Vec<Spanned<Cite>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unknown {
    pub id: Spanned<String>,
    #[serde(default)]
    pub about: Vec<String>,
    pub questions: Vec<String>,
    pub reply: String,
    #[serde(default)]
    pub cite: Vec<Spanned<Cite>>,
    /// For a template: the people the documents do give this detail for.
    #[serde(default)]
    pub except: Vec<String>,
}
