//! Question sets with the answers they expect (`tests/data/*.toml`, in the format
//! `dev.toml`'s header describes), and the judge that scores the bot on them. Used by
//! `firstkiss-bot eval`, the quality tests and the benchmarks.

use std::fmt;

use serde::Deserialize;

use crate::reply::{Reply, Status};
use crate::{render, Engine};

#[derive(Debug, Deserialize)]
pub struct QuestionSet {
    pub case: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub q: String,
    pub kind: Kind,
    /// The reply must contain at least one of these (case-insensitive).
    #[serde(default)]
    pub expect_any: Vec<String>,
    /// The reply must contain every one of these.
    #[serde(default)]
    pub expect_all: Vec<String>,
    /// The reply must cite at least one of these documents (file names).
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Answer,
    Contested,
    Abstain,
}

/// As the question sets write it (`kind = "abstain"`).
impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Answer => "answer",
            Kind::Contested => "contested",
            Kind::Abstain => "abstain",
        })
    }
}

impl QuestionSet {
    pub fn parse(text: &str) -> Result<QuestionSet, toml::de::Error> {
        toml::from_str(text)
    }
}

/// Why `reply` fails `case`, or `None` when it passes. The answer is judged on its
/// body (the text without the source list), so a quote cannot pass for an answer.
pub fn judge(case: &Case, reply: &Reply) -> Option<String> {
    if case.kind == Kind::Abstain {
        return (reply.status != Status::Unknown).then(|| format!("answered with {}", answered(reply)));
    }
    if reply.status == Status::Unknown {
        return Some(format!("abstained (confidence {:.2})", reply.confidence));
    }
    let answer = render::body(reply).to_lowercase();
    let has = |s: &String| answer.contains(&s.to_lowercase());
    if !case.expect_any.is_empty() && !case.expect_any.iter().any(has) {
        return Some(format!("{}: has none of {}", answered(reply), listed(&case.expect_any)));
    }
    if let Some(missing) = case.expect_all.iter().find(|s| !has(s)) {
        return Some(format!("{}: lacks \"{missing}\"", answered(reply)));
    }
    if !case.sources.is_empty() && !reply.citations.iter().any(|c| case.sources.contains(&c.file)) {
        return Some(format!("{}: cites none of {}", answered(reply), listed(&case.sources)));
    }
    None
}

/// The fact a reply gives, as a curator writes it (`five-cameras`), or what
/// answered instead: these lines are read by curators, not by Rust programmers.
fn answered(reply: &Reply) -> String {
    match &reply.fact_id {
        Some(id) => format!("`{id}`"),
        None => "a reply that cites no fact".to_string(),
    }
}

/// `"a", "b"`: the texts a case expected, quoted as in the question set.
fn listed(texts: &[String]) -> String {
    texts.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ")
}

/// How the bot did on a question set: answer and contested cases together, abstain
/// cases apart, and every miss.
#[derive(Debug, Default)]
pub struct Score {
    pub answered: (usize, usize),
    pub abstained: (usize, usize),
    /// Questions answered, but wrongly: a wrong fact, or an answer where the
    /// documents don't say. Worse than an honest "I don't know".
    pub wrong: usize,
    /// For each tenth of confidence: (answers given, answers right), for every
    /// question the bot answered. A calibrated bot is right about as often as it
    /// says.
    pub bands: [(usize, usize); 10],
    /// The same table had the bot answered every question with its best fact, at
    /// no threshold: where declined questions would have landed.
    pub best_bands: [(usize, usize); 10],
    /// Answer and contested cases whose best fact, at no threshold, is right: how
    /// good the ranking is, apart from the decision to answer.
    pub ranked: usize,
    pub misses: Vec<(Case, String)>,
}

impl Score {
    pub fn answer_rate(&self) -> f64 {
        rate(self.answered)
    }

    pub fn abstain_rate(&self) -> f64 {
        rate(self.abstained)
    }
}

fn rate((pass, all): (usize, usize)) -> f64 {
    if all == 0 {
        1.0
    } else {
        pass as f64 / all as f64
    }
}

pub fn score(engine: &Engine, set: &QuestionSet) -> Score {
    let mut score = Score::default();
    for case in &set.case {
        let tally = if case.kind == Kind::Abstain { &mut score.abstained } else { &mut score.answered };
        tally.1 += 1;
        let reply = engine.ask(&case.q);
        let verdict = judge(case, &reply);
        if reply.is_answer() {
            tally_band(&mut score.bands, reply.confidence, verdict.is_none());
        }
        let best = engine.ask_with(&case.q, 0.0);
        if best.is_answer() {
            let right = judge(case, &best).is_none();
            tally_band(&mut score.best_bands, best.confidence, right);
            score.ranked += usize::from(right && case.kind != Kind::Abstain);
        }
        match verdict {
            None => tally.0 += 1,
            Some(why) => {
                score.wrong += usize::from(reply.is_answer());
                score.misses.push((case.clone(), why));
            }
        }
    }
    score
}

fn tally_band(bands: &mut [(usize, usize); 10], confidence: f32, right: bool) {
    let band = &mut bands[((confidence * 10.0) as usize).min(9)];
    band.0 += 1;
    band.1 += usize::from(right);
}

impl Score {
    /// The reliability table: per band of confidence, how many answers were given
    /// and how many were right.
    pub fn calibration(&self) -> String {
        calibration(&self.bands)
    }

    /// The reliability table of the best facts at no threshold.
    pub fn best_calibration(&self) -> String {
        calibration(&self.best_bands)
    }
}

fn calibration(bands: &[(usize, usize); 10]) -> String {
    let mut out = String::from("confidence  answers  right");
    for (i, &(given, right)) in bands.iter().enumerate().filter(|(_, b)| b.0 > 0) {
        let share = 100.0 * right as f64 / given as f64;
        out.push_str(&format!(
            "\n{:.1}-{:.1}     {given:>7}  {right:>5} ({share:.0}%)",
            i as f64 / 10.0,
            (i + 1) as f64 / 10.0
        ));
    }
    out
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = (self.answered, self.abstained);
        write!(
            f,
            "answer and contested: {}/{} ({:.1}%), abstain: {}/{} ({:.1}%), wrong answers: {} of {} ({:.1}%)",
            a.0,
            a.1,
            100.0 * self.answer_rate(),
            b.0,
            b.1,
            100.0 * self.abstain_rate(),
            self.wrong,
            a.1 + b.1,
            100.0 * rate((self.wrong, a.1 + b.1)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: misses read `answered with Some("director")`, Rust's debug form.
    #[test]
    fn misses_name_facts_as_curators_write_them() {
        let engine = Engine::load(None).expect("the built-in base");
        let case = |kind, expect_any: &[&str]| Case {
            q: "who directed first kiss".into(),
            kind,
            expect_any: expect_any.iter().map(|s| s.to_string()).collect(),
            expect_all: Vec::new(),
            sources: Vec::new(),
            note: None,
        };
        let reply = engine.ask("who directed first kiss");
        assert_eq!(judge(&case(Kind::Abstain, &[]), &reply).as_deref(), Some("answered with `director`"));
        assert_eq!(
            judge(&case(Kind::Answer, &["Spielberg", "Kubrick"]), &reply).as_deref(),
            Some("`director`: has none of \"Spielberg\", \"Kubrick\"")
        );
        assert_eq!(Kind::Abstain.to_string(), "abstain");
        assert_eq!(Status::Contested.to_string(), "contested");
    }
}
