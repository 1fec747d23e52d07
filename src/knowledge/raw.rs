//! The fact base exactly as written in TOML, with the position of every entry so that
//! a problem can be reported at its line. Only `build` reads these types.

use serde::Deserialize;
use toml::Spanned;

use super::SourceKind;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(default)]
    pub source: Vec<Spanned<Source>>,
    #[serde(default)]
    pub synonyms: Vec<Spanned<Synonyms>>,
    #[serde(default)]
    pub fact: Vec<Spanned<Fact>>,
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
