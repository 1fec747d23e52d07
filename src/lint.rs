//! What `validate` warns a curator about in a fact base that is valid but would
//! answer badly: two facts that share a phrasing word for word, and a fact that fans
//! can never reach because another fact answers every one of its phrasings.
//!
//! These are warnings, not load errors: the base still answers, and a reload must
//! not be refused for them. They are read through the engine's public API only (a
//! phrasing is asked as a fan would ask it), so they say what fans would actually
//! get, whatever the matcher does inside.

use std::collections::HashMap;
use std::fmt;

use crate::knowledge::{FactId, KnowledgeBase};
use crate::reply::Status;
use crate::Engine;

/// One thing a curator should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// Two curated facts list the same phrasing (compared word for word, as the
    /// matcher reads words: case, punctuation and spacing aside).
    SharedPhrasing { question: String, first: String, second: String },
    /// Every phrasing of `fact`, asked as it is written, is answered by another fact
    /// the engine is surer of: `by` lists each phrasing with the fact that won it.
    Unreachable { fact: String, by: Vec<(String, String)> },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::SharedPhrasing { question, first, second } => write!(
                f,
                "`{first}` and `{second}` both list the question \"{question}\": keep it in the fact that answers it, \
                 and remove it from the other"
            ),
            Warning::Unreachable { fact, by } => {
                let mut winners: Vec<&str> = by.iter().map(|(_, winner)| winner.as_str()).collect();
                winners.sort_unstable();
                winners.dedup();
                let winners = winners.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ");
                write!(
                    f,
                    "`{fact}`: every one of its questions gets another fact's answer ({winners}), so fans never \
                     see it: reword its questions, or merge it into {winners}"
                )?;
                for (question, winner) in by {
                    write!(f, "\n    \"{question}\" is answered by `{winner}`")?;
                }
                Ok(())
            }
        }
    }
}

/// Every warning for the engine's fact base, shared phrasings first, each list in
/// the base's order. Facts the loader made from an entity's summary are left out:
/// they are not the curator's to reword.
pub fn warnings(engine: &Engine) -> Vec<Warning> {
    review_with(engine.kb(), |question| {
        let reply = engine.ask(question);
        reply.fact.filter(|_| reply.status != Status::Unknown)
    })
}

/// [`review`], with `answer` saying which fact, if any, answers a question: the
/// engine's choice is the engine's business, so the tests can pin this logic with
/// answers of their own.
fn review_with(kb: &KnowledgeBase, answer: impl Fn(&str) -> Option<FactId>) -> Vec<Warning> {
    let curated: Vec<FactId> = kb.fact_ids().filter(|&id| kb.fact(id).introduces.is_none()).collect();
    let mut warnings = shared_phrasings(kb, &curated);
    warnings.extend(unreachable(kb, &curated, answer));
    warnings
}

/// Each phrasing two curated facts share, word for word as the matcher reads words.
fn shared_phrasings(kb: &KnowledgeBase, curated: &[FactId]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut owner: HashMap<String, FactId> = HashMap::new();
    for &id in curated {
        for question in &kb.fact(id).questions {
            let key = crate::text::words(question).join(" ");
            match owner.get(&key) {
                Some(&first) if first != id => warnings.push(Warning::SharedPhrasing {
                    question: question.clone(),
                    first: kb.fact(first).id.clone(),
                    second: kb.fact(id).id.clone(),
                }),
                Some(_) => {}
                None => {
                    owner.insert(key, id);
                }
            }
        }
    }
    warnings
}

/// Each curated fact whose every phrasing, asked as written, another fact answers.
fn unreachable(kb: &KnowledgeBase, curated: &[FactId], answer: impl Fn(&str) -> Option<FactId>) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for &id in curated {
        let fact = kb.fact(id);
        let mut by = Vec::new();
        for question in &fact.questions {
            match answer(question) {
                Some(winner) if winner != id => by.push((question.clone(), kb.fact(winner).id.clone())),
                // Answered by this fact, or by none: fans can reach it, or the
                // question is one nothing answers, which is not another fact's doing.
                _ => break,
            }
        }
        if !fact.questions.is_empty() && by.len() == fact.questions.len() {
            warnings.push(Warning::Unreachable { fact: fact.id.clone(), by });
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "Five cameras were used. Tatia Pilieva directed it.";
    const SOURCE: &str = "[[source]]\nid = \"doc\"\nfile = \"doc.txt\"\ntitle = \"Doc\"\nkind = \"interview\"\n";

    fn fact(id: &str, answer: &str, questions: &[&str], quote: &str) -> String {
        let questions: Vec<String> = questions.iter().map(|q| format!("{q:?}")).collect();
        format!(
            "\n[[fact]]\nid = \"{id}\"\ntitle = \"{id}\"\nanswer = \"{answer}\"\nquestions = [{}]\n\
             [[fact.cite]]\nsource = \"doc\"\nquote = \"{quote}\"\n",
            questions.join(", ")
        )
    }

    fn engine(facts: &[String]) -> Engine {
        let toml = format!("{SOURCE}{}", facts.concat());
        Engine::new(KnowledgeBase::parse("kb.toml", &toml, |_| Ok(DOC.to_string())).expect("a valid base"))
    }

    #[test]
    fn a_phrasing_two_facts_share_is_named_with_both_facts() {
        let warnings = warnings(&engine(&[
            fact("cameras", "Five.", &["how many cameras did they use"], "Five cameras were used"),
            fact("director", "Tatia.", &["who directed it"], "Tatia Pilieva directed it"),
            fact("camera-count", "Five.", &["How many cameras did they use?"], "Five cameras were used"),
        ]));
        let shared = Warning::SharedPhrasing {
            question: "How many cameras did they use?".into(),
            first: "cameras".into(),
            second: "camera-count".into(),
        };
        assert!(warnings.contains(&shared), "{warnings:?}");
        assert!(shared.to_string().starts_with("`cameras` and `camera-count` both list the question"), "{shared}");
    }

    #[test]
    fn distinct_facts_get_no_warning() {
        let warnings = warnings(&engine(&[
            fact("cameras", "Five.", &["how many cameras did they use", "number of cameras"], "Five cameras were used"),
            fact("director", "Tatia.", &["who directed it", "who is the director"], "Tatia Pilieva directed it"),
        ]));
        assert_eq!(warnings, []);
    }

    #[test]
    fn a_fact_whose_every_phrasing_another_fact_answers_is_unreachable() {
        let e = engine(&[
            fact("cameras", "Five.", &["how many cameras did they use", "camera count"], "Five cameras were used"),
            fact("director", "Tatia.", &["who directed it"], "Tatia Pilieva directed it"),
            fact("five", "Five.", &["were there five cameras", "how many cameras"], "Five cameras were used"),
        ]);
        let kb = e.kb();
        let answers =
            |winner: &'static str| move |q: &str| kb.find(if q.contains("direct") { "director" } else { winner });
        let unreachable = |warnings: Vec<Warning>| -> Vec<Warning> {
            warnings.into_iter().filter(|w| matches!(w, Warning::Unreachable { .. })).collect()
        };
        let five = Warning::Unreachable {
            fact: "five".into(),
            by: vec![
                ("were there five cameras".into(), "cameras".into()),
                ("how many cameras".into(), "cameras".into()),
            ],
        };
        assert_eq!(unreachable(review_with(kb, answers("cameras"))), std::slice::from_ref(&five));
        assert!(five
            .to_string()
            .starts_with("`five`: every one of its questions gets another fact's answer (`cameras`)"));
        assert!(five.to_string().contains("\n    \"how many cameras\" is answered by `cameras`"), "{five}");
        // One phrasing answered by the fact itself, or by nothing, and fans can reach it.
        let one_own = |q: &str| match q {
            "how many cameras" => kb.find("five"),
            _ => answers("cameras")(q),
        };
        assert_eq!(unreachable(review_with(kb, one_own)), []);
        let one_unanswered = |q: &str| (q != "how many cameras").then(|| answers("cameras")(q)).flatten();
        assert_eq!(unreachable(review_with(kb, one_unanswered)), []);
    }
}
