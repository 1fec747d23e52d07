//! Which document a question names: "according to Mallin", "the HuffPost
//! interview", "tatias essay", "the article quoting the Telegraph". Such a question
//! is answered from that document: the engine matches what is left of it among the
//! facts that cite the document, and gives that document's side of a contested one.
//!
//! A document is named by one of its curated `names`, or by its author's or (for an
//! interview) its subject's name beside a word for a document ("article", "piece",
//! "essay", "interview", "according to"...). Words for a document stand for each
//! other, so "Mallin's article" is also "Mallin's piece".

use std::collections::HashSet;

use rust_stemmers::{Algorithm, Stemmer};

use crate::knowledge::KnowledgeBase;
use crate::text;

/// Words for a document, and "according" (of "according to"). They stand for each
/// other in names.
const DOCUMENT_WORDS: &[&str] = &[
    "according",
    "account",
    "article",
    "articles",
    "blog",
    "column",
    "essay",
    "interview",
    "interviews",
    "intro",
    "introduction",
    "per",
    "piece",
    "post",
    "report",
    "story",
    "writeup",
];
/// What every document word becomes, so that they match each other.
const DOCUMENT: &str = "<document>";

/// Words that ask about a document itself (who wrote it, what it is called), not
/// about what it says.
const ABOUT_A_DOCUMENT: &[&str] = &[
    "author",
    "authored",
    "call",
    "called",
    "headline",
    "headlines",
    "name",
    "named",
    "publish",
    "published",
    "title",
    "titled",
    "write",
    "writer",
    "writes",
    "written",
    "wrote",
];

/// How each document is named, built once per fact base.
pub struct References {
    stemmer: Stemmer,
    /// Per source: its names, each as its words' keys (stems, document words folded).
    names: Vec<Vec<Name>>,
    /// Per source: its title's keys, which a question may quote whole.
    titles: Vec<Vec<String>>,
}

impl std::fmt::Debug for References {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("References").field("names", &self.names).finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Name {
    keys: Vec<String>,
    /// A person's name (the author's or subject's): with a document word beside it,
    /// as every name needs, it names the document.
    person: bool,
}

/// The shortest run of `keys` that holds every distinct key `of_name` accepts:
/// where a name stands in a question that may use its words elsewhere too.
fn naming_span(keys: &[String], of_name: impl Fn(&String) -> bool) -> std::ops::Range<usize> {
    let at: Vec<usize> = (0..keys.len()).filter(|&i| of_name(&keys[i])).collect();
    let wanted: HashSet<&String> = at.iter().map(|&i| &keys[i]).collect();
    let mut best = 0..0;
    for (first, &start) in at.iter().enumerate() {
        let mut seen = HashSet::new();
        for &end in &at[first..] {
            seen.insert(&keys[end]);
            if seen.len() == wanted.len() {
                if best.is_empty() || end + 1 - start < best.len() {
                    best = start..end + 1;
                }
                break;
            }
        }
    }
    best
}

/// A document a question names, and the question without the words that name it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub source: usize,
    pub rest: String,
}

impl References {
    pub fn new(kb: &KnowledgeBase) -> References {
        let stemmer = Stemmer::create(Algorithm::English);
        let names = kb
            .sources()
            .iter()
            .map(|source| {
                let mut names = Vec::new();
                for name in &source.names {
                    names.push(Name { keys: keys(&stemmer, name), person: false });
                }
                let author = source.author.iter().filter_map(|a| kb.entities().iter().find(|e| e.name == *a));
                for person in author.chain(source.subject.map(|s| kb.entity(s))) {
                    // Proper names only: "the director" names a person, not her essay.
                    for name in person.names.iter().filter(|n| n.chars().next().is_some_and(char::is_uppercase)) {
                        names.push(Name { keys: keys(&stemmer, name), person: true });
                    }
                }
                names.retain(|n| !n.keys.is_empty());
                names
            })
            .collect();
        let titles = kb.sources().iter().map(|source| keys(&stemmer, &source.title)).collect();
        References { stemmer, names, titles }
    }

    /// The document the question names, if it names exactly one best, and what it
    /// asks of it: what the document says, or (its other words naming nothing
    /// else) its writer or its title. `words` are the question's, as
    /// [`text::question_words`] splits it: the engine splits a question once for
    /// this and for the matcher.
    pub fn locate(&self, words: &[String]) -> Option<Located> {
        // Every name needs a word for a document (`names_a_document`), so nearly
        // every question leaves here, before any stemming.
        if !words.iter().any(|w| DOCUMENT_WORDS.contains(&w.as_str())) {
            return None;
        }
        let asked: Vec<String> = words.iter().map(|w| key(&self.stemmer, w)).collect();
        let has = |k: &String| asked.iter().any(|a| a == k || a.strip_suffix('s') == Some(k));
        // The best name: the most words matched; a tie between documents names none.
        let mut best: Option<(usize, usize, &Name)> = None;
        let mut tied = false;
        for (source, names) in self.names.iter().enumerate() {
            for name in names {
                if !name.keys.iter().all(has) {
                    continue;
                }
                let score = name.keys.len() + usize::from(name.person);
                match best {
                    Some((s, b, _)) if score < b || (score == b && s == source) => {}
                    Some((s, b, _)) if score == b && s != source => tied = true,
                    _ => {
                        best = Some((source, score, name));
                        tied = false;
                    }
                }
            }
        }
        let (source, _, name) = best.filter(|_| !tied)?;
        let of_name = |k: &String| name.keys.iter().any(|n| n == k || k.strip_suffix('s') == Some(n.as_str()));
        // The name's words go where they name it: "filmed" stays in "first kiss was
        // filmed in how long per the fashion film article".
        let naming = naming_span(&asked, |k| k != DOCUMENT && of_name(k));
        let mut rest: Vec<(&str, &String)> = Vec::with_capacity(words.len());
        for (i, (word, k)) in words.iter().zip(&asked).enumerate() {
            // "according to" goes whole.
            let after_according = i > 0 && words[i - 1] == "according" && word == "to";
            let named = k == DOCUMENT || (naming.contains(&i) && of_name(k));
            if !named && !after_according {
                rest.push((word, k));
            }
        }
        // "Who wrote the 'spawns actual couple' article" and "what was the huffpost
        // soko article called" ask about the document itself (its writer, its
        // title, whom it interviews), not about anything it says.
        let its_people = |k: &String| self.names[source].iter().any(|n| n.person && n.keys.contains(k));
        let asks_of_it =
            |&(w, k): &(&str, &String)| !text::is_stopword(w) && !ABOUT_A_DOCUMENT.contains(&w) && !its_people(k);
        let writer = rest.iter().any(|(w, _)| WRITER.contains(w));
        // "Who called Pilieva, per her essay" asks of a call, not of a name.
        let title = rest.iter().any(|(w, _)| TITLE.contains(w)) && !words.iter().any(|w| crate::matcher::is_wh_word(w));
        if !rest.iter().any(asks_of_it) {
            return Some(Located::AboutIt { source, writer, title });
        }
        // "Who wrote the 'first kiss video goes viral, spawns actual couple' article":
        // the rest of the title quoted asks nothing more.
        let in_title = |k: &String| self.titles[source].contains(k);
        if writer && !rest.iter().any(|r| asks_of_it(r) && !in_title(r.1)) {
            return Some(Located::AboutIt { source, writer, title });
        }
        let rest: Vec<&str> = rest.into_iter().map(|(w, _)| w).collect();
        Some(Located::Asks(Reference { source, rest: rest.join(" ") }))
    }
}

/// Words that ask who wrote a document.
const WRITER: &[&str] = &["author", "authored", "write", "writer", "writes", "written", "wrote"];
/// Words that ask what a document is called.
const TITLE: &[&str] = &["call", "called", "headline", "headlines", "name", "named", "title", "titled"];

/// A document a question names, and whether it asks what the document says or
/// about the document itself (and then, whether its writer or its title).
#[derive(Debug, Clone, PartialEq)]
pub enum Located {
    Asks(Reference),
    AboutIt { source: usize, writer: bool, title: bool },
}

/// Whether a curated name of a document can name it: it needs a word for a
/// document ("the HuffPost interview", "Mallin's article"), as every name does.
pub fn names_a_document(name: &str) -> bool {
    text::words(name).iter().any(|w| DOCUMENT_WORDS.contains(&w.as_str()))
}

/// A name's words as keys: stems, a document word as [`DOCUMENT`], filler dropped.
fn keys(stemmer: &Stemmer, name: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    text::words(name)
        .iter()
        .filter(|w| !text::is_stopword(w))
        .map(|w| key(stemmer, w))
        .filter(|k| seen.insert(k.clone()))
        .collect()
}

fn key(stemmer: &Stemmer, word: &str) -> String {
    if DOCUMENT_WORDS.contains(&word) {
        DOCUMENT.to_string()
    } else {
        stemmer.stem(word).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(question: &str) -> Option<(String, String)> {
        let kb = KnowledgeBase::builtin().expect("the shipped base is valid");
        let Located::Asks(found) = References::new(&kb).locate(&text::question_words(question))? else {
            return None;
        };
        Some((kb.source(found.source).id.clone(), found.rest))
    }

    /// What `question` asks of the document it names, as (document id, writer, title).
    fn about_it(question: &str) -> Option<(String, bool, bool)> {
        let kb = KnowledgeBase::builtin().expect("the shipped base is valid");
        match References::new(&kb).locate(&text::question_words(question))? {
            Located::AboutIt { source, writer, title } => Some((kb.source(source).id.clone(), writer, title)),
            Located::Asks(_) => None,
        }
    }

    #[test]
    fn who_wrote_a_document_is_asked_of_the_document() {
        let writer = |id: &str| Some((id.to_string(), true, false));
        assert_eq!(about_it("who wrote the 'spawns actual couple' article"), writer("viral-couple"));
        let whole = "who wrote the 'first kiss video goes viral, spawns actual couple' article";
        assert_eq!(about_it(whole), writer("viral-couple"), "the whole title quoted");
        assert_eq!(about_it("who wrote the song in the spawns actual couple article"), None, "asks of the song");
    }

    #[test]
    fn a_documents_title_is_asked_of_the_document() {
        let title = |id: &str| Some((id.to_string(), false, true));
        assert_eq!(about_it("title of alexander mallin's piece?"), title("mallin"));
        assert_eq!(about_it("whats the headline of the huffpost interview"), title("soko-interview"));
        assert_eq!(about_it("what was the spawns actual couple article called"), title("viral-couple"));
        assert_eq!(about_it("who called tatia, according to her essay"), Some(("pilieva-story".into(), false, false)));
        assert_eq!(about_it("what's the name of the song in the huffpost interview"), None, "asks of the song");
    }

    #[test]
    fn a_names_words_stay_in_the_question_where_they_do_not_name_it() {
        assert_eq!(
            named("first kiss was filmed in how long per the fashion film article"),
            Some(("wren-label".into(), "first kiss was filmed in how long the".into()))
        );
        assert_eq!(naming_span(&["a", "x", "x", "b", "x", "a", "b"].map(String::from), |k| k != "x"), 5..7);
    }

    #[test]
    fn an_author_names_a_document_beside_a_word_for_one() {
        assert_eq!(
            named("according to mallin how long is the video"),
            Some(("mallin".into(), "how long is the video".into()))
        );
        assert_eq!(named("what did mallins piece say about the cameras").map(|n| n.0), Some("mallin".into()));
        assert_eq!(named("mallin how long is the video"), None, "a name alone is a person, not an article");
    }

    #[test]
    fn an_interviews_subject_and_a_curated_name_name_it_too() {
        assert_eq!(
            named("what did soko say in her interview about record labels").map(|n| n.0),
            Some("soko-interview".into())
        );
        assert_eq!(
            named("the huffpost interview says how many youtube views").map(|n| n.0),
            Some("soko-interview".into())
        );
        assert_eq!(
            named("how many views does the spawns actual couple article give").map(|n| n.0),
            Some("viral-couple".into())
        );
    }

    #[test]
    fn a_question_about_the_document_itself_or_naming_none_is_left_alone() {
        assert_eq!(named("who wrote mallins article"), None, "nothing asked of what it says");
        assert_eq!(named("what was the huffpost soko article called"), None, "its title, not what it says");
        assert_eq!(named("how long is the video"), None);
        assert_eq!(named(""), None);
    }
}
