//! The dev question set (`tests/data/dev.toml`), judged by `firstkiss::eval` (the
//! rules `tests/eval.rs` applies), for any answerer: ours or the tantivy peer.

use std::path::PathBuf;

use firstkiss::eval::QuestionSet;
pub use firstkiss::eval::{judge, Case, Kind};
use firstkiss::reply::Reply;

pub fn dev_path() -> PathBuf {
    crate::repo_root().join("tests/data/dev.toml")
}

/// The cases of a question file.
pub fn load(path: &std::path::Path) -> Result<Vec<Case>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let set = QuestionSet::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(set.case)
}

/// The dev set, or a panic naming the file: the benchmarks cannot run without it.
pub fn dev_cases() -> Vec<Case> {
    load(&dev_path()).unwrap_or_else(|e| panic!("{e}"))
}

/// Passing cases per group: "answer" (answer and contested cases) and "abstain".
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Score {
    pub answer_pass: usize,
    pub answer_all: usize,
    pub abstain_pass: usize,
    pub abstain_all: usize,
    /// (question, kind, why) for every failing case.
    pub misses: Vec<(String, String, String)>,
}

impl Score {
    pub fn answer_rate(&self) -> f64 {
        rate(self.answer_pass, self.answer_all)
    }

    pub fn abstain_rate(&self) -> f64 {
        rate(self.abstain_pass, self.abstain_all)
    }

    pub fn overall_rate(&self) -> f64 {
        rate(self.answer_pass + self.abstain_pass, self.answer_all + self.abstain_all)
    }

    pub fn summary(&self) -> String {
        format!(
            "answer {}/{} ({:.1}%), abstain {}/{} ({:.1}%), overall {:.1}%",
            self.answer_pass,
            self.answer_all,
            100.0 * self.answer_rate(),
            self.abstain_pass,
            self.abstain_all,
            100.0 * self.abstain_rate(),
            100.0 * self.overall_rate()
        )
    }
}

fn rate(pass: usize, all: usize) -> f64 {
    if all == 0 {
        0.0
    } else {
        pass as f64 / all as f64
    }
}

/// Scores `ask` on `cases`.
pub fn score(cases: &[Case], mut ask: impl FnMut(&str) -> Reply) -> Score {
    let mut score = Score::default();
    for case in cases {
        let reply = ask(&case.q);
        let verdict = judge(case, &reply);
        let abstain = case.kind == Kind::Abstain;
        match (abstain, &verdict) {
            (true, None) => score.abstain_pass += 1,
            (false, None) => score.answer_pass += 1,
            _ => {}
        }
        if abstain {
            score.abstain_all += 1;
        } else {
            score.answer_all += 1;
        }
        if let Some(why) = verdict {
            score.misses.push((case.q.clone(), format!("{:?}", case.kind).to_lowercase(), why));
        }
    }
    score
}
