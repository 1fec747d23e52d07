//! The curator's loop run over graded question sets: each question of the sets
//! becomes a phrasing of the entry it belongs to, as a curator accepting it in
//! `firstkiss-bot review` would add it.
//!
//!     cargo run --release -p firstkiss-bench --bin harvest -- knowledge.toml tests/data/blind3.toml ...
//!
//! - An answerable question goes to the fact the set's judge accepts. The judge is
//!   loose where the expected word is a name ("Pilieva" is in many answers), so a
//!   question takes a fact only when the choice is clear: at most three facts pass
//!   and it takes the one the matcher ranks highest, or more pass and the matcher
//!   already ranks one of them first. A question asking a measure ("how many",
//!   "how long", "how old") takes a fact on such a loose label only if the fact is
//!   asked that measure already: "how many ppl went before soko", expecting "none",
//!   passes the judge on "none of the participants were paid", and had taught that
//!   fact to answer counts.
//! - A question the documents don't answer goes to the `[[unknown]]` entry, written
//!   for one subject (not for every person), that is about the first entity the
//!   question names and that the matcher ranks highest among its first candidates.
//!   (Further down, an entry about the same person is mostly about something else:
//!   "which site did it launch on" had gone to the director's folder of kisses, and
//!   that entry then drew "when did first kiss go online" from the launch's fact.)
//!   A question that a templated entry about the same person (`age/soko`) ranks
//!   above every such entry is left where it is: the template already declines it.
//!   A question naming nothing the base knows goes to such an entry only if it also
//!   accounts for most of the question; else it is left to a curator.
//!
//! Every label is chosen against the base as it was before the run, so the result
//! does not depend on the order of the sets or of their questions. Each addition
//! is checked by the bot's own loader (`curate::edit`), which refuses a phrasing
//! that would make the base invalid.

use std::path::{Path, PathBuf};

use firstkiss::curate::edit::{self, EditError, Entry};
use firstkiss::eval::{judge, Case, Kind, QuestionSet};
use firstkiss::knowledge::FactId;
use firstkiss::matcher::{QType, Scored, Target, CANDIDATES};
use firstkiss::reply::Reply;
use firstkiss::Engine;

/// More facts than this passing the judge makes a label a guess, unless the matcher
/// already ranks one of them first.
const CLEAR: usize = 3;

/// A question naming nothing the base knows goes to an unknown entry only if the
/// entry accounts for this share of it and the matcher gives it this confidence.
const UNNAMED_COVERAGE: f32 = 0.6;
const UNNAMED_CONFIDENCE: f32 = 0.55;

/// Where a question goes, or why it goes nowhere.
enum Label {
    To(Entry, String),
    /// Several facts pass the judge and the matcher's first is none of them (or two
    /// sets, or a set and the base, file the question under different entries).
    Unclear,
    /// No fact passes the judge (the base lacks the fact, or the set's expectation
    /// is one no single answer meets).
    NoFact,
    /// A question the documents don't answer that names nothing the base knows, or
    /// only what no single-subject unknown entry is about.
    NoGap,
}

fn main() {
    let args: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let [base, sets @ ..] = args.as_slice() else { usage() };
    if sets.is_empty() {
        usage()
    }
    match harvest(base, sets) {
        Ok(tally) => {
            // The base is written by now; a reader that went away (`| head`) loses
            // only this line, so a closed pipe is no reason to panic.
            use std::io::Write;
            let _ = writeln!(std::io::stdout(), "{}: {tally}", base.display());
        }
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    }
}

/// What a run did with the questions.
#[derive(Debug, Default, PartialEq)]
struct Tally {
    facts: usize,
    gaps: usize,
    present: usize,
    refused: usize,
    generated: usize,
    unclear: usize,
    no_fact: usize,
    no_gap: usize,
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Tally { facts, gaps, present, refused, generated, unclear, no_fact, no_gap } = self;
        write!(
            f,
            "{facts} phrasings added to facts and {gaps} to unknown entries; {present} were there already, \
             {refused} refused by validation, {generated} belong to facts built from entities; left out: \
             {unclear} unclear, {no_fact} that no single fact answers, {no_gap} with no unknown entry for what they name"
        )
    }
}

/// Adds the questions of `sets` to the fact base at `base` (see the module doc).
/// A set that cannot be read or parsed stops the run before the base changes.
fn harvest(base: &Path, sets: &[PathBuf]) -> Result<Tally, String> {
    let engine = Engine::load(Some(base)).map_err(|e| e.to_string())?;
    let mut labels = Vec::new();
    for set in sets {
        let text = std::fs::read_to_string(set).map_err(|e| format!("{}: {e}", set.display()))?;
        let questions = QuestionSet::parse(&text).map_err(|e| format!("{}: {e}", set.display()))?;
        labels.extend(questions.case.iter().map(|case| (label(&engine, case), case.q.clone())));
    }
    // A question two sets, or a set and the base, file under different entries is a
    // guess either way; kept in both, it would be one phrasing two facts share,
    // which `lint` warns of.
    let kb = engine.kb();
    let curated =
        kb.facts().iter().map(|f| (&f.id, &f.questions)).chain(kb.gaps().iter().map(|g| (&g.id, &g.questions)));
    let filed = curated.flat_map(|(id, questions)| questions.iter().map(move |q| (id, q))).chain(
        labels.iter().filter_map(|(label, q)| match label {
            Label::To(_, id) => Some((id, q)),
            _ => None,
        }),
    );
    let mut entries_of: std::collections::HashMap<String, Vec<&String>> = std::collections::HashMap::new();
    for (id, question) in filed {
        let ids = entries_of.entry(edit::phrasing(question)).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let mut tally = Tally::default();
    for (label, question) in &labels {
        let (entry, id) = match label {
            Label::To(..) if entries_of.get(&edit::phrasing(question)).is_some_and(|ids| ids.len() > 1) => {
                tally.unclear += 1;
                continue;
            }
            Label::To(entry, id) => (*entry, id),
            Label::Unclear => {
                tally.unclear += 1;
                continue;
            }
            Label::NoFact => {
                tally.no_fact += 1;
                continue;
            }
            Label::NoGap => {
                tally.no_gap += 1;
                continue;
            }
        };
        match edit::add_phrasing(base, entry, id, &edit::phrasing(question)) {
            Ok(_) if entry == Entry::Fact => tally.facts += 1,
            Ok(_) => tally.gaps += 1,
            Err(EditError::AlreadyThere { .. }) => tally.present += 1,
            // A fact the base builds from an entity has no phrasings of its own.
            Err(EditError::NoEntry { .. }) => tally.generated += 1,
            Err(EditError::Invalid { reason, .. }) => {
                tally.refused += 1;
                eprintln!("refused {question:?} for {id}: {reason}");
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(tally)
}

fn label(engine: &Engine, case: &Case) -> Label {
    let kb = engine.kb();
    let ranking = engine.matcher().rank_top(&case.q, kb.facts().len() + kb.gaps().len());
    if case.kind == Kind::Abstain {
        // Naming nothing, it must be close to the entry already: among the first
        // candidates, with most of its words accounted for. Off-topic chat ("how do
        // i make a sourdough starter") is not. A templated entry's id is
        // `id/person`: its phrasings are templates, not questions about one subject.
        let entity = ranking.entities.first();
        let near =
            |s: &&Scored| entity.is_some() || (s.coverage >= UNNAMED_COVERAGE && s.confidence >= UNNAMED_CONFIDENCE);
        return ranking
            .ranked
            .iter()
            .take(CANDIDATES)
            .filter(near)
            .find_map(|s| match s.target {
                Target::Gap(id) if entity.is_none_or(|e| kb.gap(id).about.contains(e)) => {
                    // A templated entry about it, ranked first, already declines it
                    // ("how old is soko": `age/soko`); filed further down, it would
                    // teach Soko's discography to answer her age.
                    let templated = kb.gap(id).id.contains('/');
                    Some(if templated { Label::NoGap } else { Label::To(Entry::Unknown, kb.gap(id).id.clone()) })
                }
                _ => None,
            })
            .unwrap_or(Label::NoGap);
    }
    let passing: Vec<FactId> =
        kb.fact_ids().filter(|&id| judge(case, &Reply::for_fact(kb, id, &case.q, 1.0)).is_none()).collect();
    let ranked: Vec<FactId> = ranking.ranked.iter().filter_map(|s| s.fact()).collect();
    let pick = match passing.len() {
        0 => return Label::NoFact,
        1..=CLEAR => ranked.iter().find(|id| passing.contains(id)).or(passing.first()),
        _ => ranked.first().filter(|&&id| passing.contains(&id) && asked_so(engine, id, ranking.qtype)),
    };
    pick.map_or(Label::Unclear, |&id| Label::To(Entry::Fact, kb.fact(id).id.clone()))
}

/// Whether a question of type `qtype` fits fact `id` as its phrasings ask it: any
/// type but a measure does; a measure only if some phrasing asks it.
fn asked_so(engine: &Engine, id: FactId, qtype: Option<QType>) -> bool {
    match qtype {
        Some(q) if q.measures() => {
            engine.kb().fact(id).questions.iter().any(|p| engine.matcher().rank_top(p, 0).qtype == Some(q))
        }
        _ => true,
    }
}

fn usage() -> ! {
    eprintln!("usage: harvest KNOWLEDGE.toml SET.toml ...");
    std::process::exit(2);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the command line's fixture base in a fresh directory.
    fn fixture(name: &str) -> PathBuf {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/fixture");
        let dir = std::env::temp_dir().join(format!("harvest-{name}-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sources")).expect("temp dir");
        for file in ["001_039ab0e369966f82.txt", "004_736a8f1e1b3ec492.txt"] {
            std::fs::copy(from.join("sources").join(file), dir.join("sources").join(file)).expect("copy source");
        }
        std::fs::copy(from.join("knowledge.toml"), dir.join("knowledge.toml")).expect("copy base");
        dir
    }

    /// [`fixture`] with `entries` added to its base.
    fn fixture_with(name: &str, entries: &str) -> PathBuf {
        let dir = fixture(name);
        let base = dir.join("knowledge.toml");
        let text = std::fs::read_to_string(&base).expect("base") + entries;
        std::fs::write(&base, text).expect("write base");
        dir
    }

    /// A fact of the base about Soko's tune, with one phrasing, cited verbatim: an
    /// entry to add with [`fixture_with`].
    fn tune_fact(id: &str, question: &str) -> String {
        format!(
            r#"
[[fact]]
id = "{id}"
title = "Soko's tune"
answer = "The tune is Soko's."
questions = ["{question}"]

  [[fact.cite]]
  source = "soko-interview"
  quote = "she also provided the pretty tune"
"#
        )
    }

    fn set(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("set.toml");
        std::fs::write(&path, text).expect("write set");
        path
    }

    #[test]
    fn an_answerable_question_becomes_a_phrasing_of_its_fact_and_chat_goes_nowhere() {
        let dir = fixture("adds");
        let base = dir.join("knowledge.toml");
        let sets = [set(
            &dir,
            r#"
[[case]]
q = "Who was the filmmaker behind it??"
kind = "answer"
expect_any = ["Pilieva"]
sources = ["001_039ab0e369966f82.txt"]

[[case]]
q = "how do i make a sourdough starter"
kind = "abstain"
"#,
        )];
        let tally = harvest(&base, &sets).expect("harvests");
        assert_eq!(tally, Tally { facts: 1, no_gap: 1, ..Tally::default() });
        let engine = Engine::load(Some(&base)).expect("the edited base loads");
        let director = engine.kb().facts().iter().find(|f| f.id == "director").expect("director");
        assert!(director.questions.iter().any(|q| q == "who was the filmmaker behind it"), "{:?}", director.questions);
        // Run again, nothing new: the phrasing is there already.
        assert_eq!(harvest(&base, &sets).expect("harvests"), Tally { present: 1, no_gap: 1, ..Tally::default() });
        std::fs::remove_dir_all(dir).ok();
    }

    /// A question the base already files under one fact, labelled by a set to
    /// another, stays where the curator put it: in both, it would be one phrasing
    /// two facts share.
    #[test]
    fn a_question_filed_under_two_entries_is_left_out() {
        let dir = fixture_with("conflict", &tune_fact("tune-maker", "who was the filmmaker behind it"));
        let base = dir.join("knowledge.toml");
        let case =
            "[[case]]\nq = \"Who was the filmmaker behind it??\"\nkind = \"answer\"\nexpect_any = [\"Pilieva\"]\n";
        let sets = [set(&dir, case)];
        assert_eq!(harvest(&base, &sets).expect("harvests"), Tally { unclear: 1, ..Tally::default() });
        let engine = Engine::load(Some(&base)).expect("the base loads");
        let director = engine.kb().facts().iter().find(|f| f.id == "director").expect("director");
        assert!(!director.questions.iter().any(|q| q == "who was the filmmaker behind it"), "{:?}", director.questions);
        std::fs::remove_dir_all(dir).ok();
    }

    /// On a loose label (every fact's answer has "the"), a count goes to the
    /// matcher's first fact only if that fact is asked counts already.
    #[test]
    fn a_loose_label_does_not_teach_a_fact_a_measure() {
        let dir = fixture_with("measure", &tune_fact("soko-tune", "who made the tune"));
        let base = dir.join("knowledge.toml");
        let case = |q: &str| format!("[[case]]\nq = \"{q}\"\nkind = \"answer\"\nexpect_any = [\"the\"]\n\n");
        let sets = [set(
            &dir,
            &(case("how many songs did soko write for the tune") + &case("how many minutes long is the video")),
        )];
        assert_eq!(harvest(&base, &sets).expect("harvests"), Tally { facts: 1, unclear: 1, ..Tally::default() });
        let engine = Engine::load(Some(&base)).expect("the edited base loads");
        let fact = |id: &str| engine.kb().facts().iter().find(|f| f.id == id).expect("the fact").questions.clone();
        assert!(fact("film-length").contains(&"how many minutes long is the video".to_string()));
        assert!(!fact("song-title").iter().any(|q| q.contains("how many")), "{:?}", fact("song-title"));
        std::fs::remove_dir_all(dir).ok();
    }

    /// A near miss that a per-person template ranks first ("how old is soko":
    /// `age/soko`) stays where it is; one about a single-subject entry's subject
    /// goes there. Filed under Soko's records, the age question would teach that
    /// entry to answer it.
    #[test]
    fn a_near_miss_a_template_declines_is_left_where_it_is() {
        let dir = fixture_with(
            "template",
            r#"
[[entity]]
id = "soko"
kind = "person"
name = "Soko"
names = ["Soko", "SoKo"]
summary = "Soko is a French musician."

  [[entity.cite]]
  source = "soko-interview"
  quote = "French musician SoKo"

[[fact]]
id = "soko-tune"
title = "Soko's tune"
about = ["soko"]
answer = "Soko provided the film's tune."
questions = ["what did soko do for the film"]

  [[fact.cite]]
  source = "soko-interview"
  quote = "she also provided the pretty tune"

[[unknown]]
id = "age"
about = ["{person}"]
questions = ["how old is {person}", "what is {person}'s age", "when was {person} born"]
reply = "The documents don't give {person}'s age."

[[unknown]]
id = "soko-discography"
about = ["soko"]
questions = ["what other songs has soko released", "what was soko's first album", "how many albums has soko put out"]
reply = "The documents name one song of Soko's and no album."
"#,
        );
        let base = dir.join("knowledge.toml");
        let sets = [set(
            &dir,
            r#"
[[case]]
q = "how old is soko now"
kind = "abstain"

[[case]]
q = "whats the name of sokos latest album"
kind = "abstain"
"#,
        )];
        assert_eq!(harvest(&base, &sets).expect("harvests"), Tally { gaps: 1, no_gap: 1, ..Tally::default() });
        let engine = Engine::load(Some(&base)).expect("the edited base loads");
        let discography = engine.kb().gaps().iter().find(|g| g.id == "soko-discography").expect("the entry");
        assert!(discography.questions.iter().any(|q| q.contains("latest album")), "{:?}", discography.questions);
        assert!(!discography.questions.iter().any(|q| q.contains("old")), "{:?}", discography.questions);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_set_that_cannot_be_read_stops_the_run_before_the_base_changes() {
        let dir = fixture("bad");
        let base = dir.join("knowledge.toml");
        let before = std::fs::read_to_string(&base).expect("base");
        let good = set(&dir, "[[case]]\nq = \"who directed it\"\nkind = \"answer\"\nexpect_any = [\"Pilieva\"]\n");
        let broken = dir.join("broken.toml");
        std::fs::write(&broken, "[[case]]\nq = \"unclosed").expect("write");
        let err = harvest(&base, &[good.clone(), broken.clone()]).unwrap_err();
        assert!(err.contains("broken.toml"), "{err}");
        let err = harvest(&base, &[good, dir.join("missing.toml")]).unwrap_err();
        assert!(err.contains("missing.toml"), "{err}");
        assert_eq!(std::fs::read_to_string(&base).expect("base"), before, "the base is unchanged");
        std::fs::remove_dir_all(dir).ok();
    }
}
