//! The dev question set (`tests/data/dev.toml`) and its judging rules, exactly as
//! `tests/eval.rs` applies them: the reply body must contain one of `expect_any`
//! and all of `expect_all` (case-insensitive), and cite one of `sources`; an
//! "abstain" case passes only on "I don't know".

use std::path::PathBuf;

use firstkiss::render;
use firstkiss::reply::{Reply, Status};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub q: String,
    pub kind: String,
    #[serde(default)]
    pub expect_any: Vec<String>,
    #[serde(default)]
    pub expect_all: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Deserialize)]
struct CaseFile {
    case: Vec<Case>,
}

pub fn dev_path() -> PathBuf {
    crate::repo_root().join("tests/data/dev.toml")
}

/// The cases of a question file.
pub fn load(path: &std::path::Path) -> Result<Vec<Case>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: CaseFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(file.case)
}

/// The dev set, or a panic naming the file: the benchmarks cannot run without it.
pub fn dev_cases() -> Vec<Case> {
    load(&dev_path()).unwrap_or_else(|e| panic!("{e}"))
}

/// Why a reply fails its case, or `None` when it passes (tests/eval.rs's rules).
pub fn judge(case: &Case, reply: &Reply) -> Option<String> {
    let answer = render::body(reply).to_lowercase();
    if case.kind == "abstain" {
        return (reply.status != Status::Unknown).then(|| format!("answered with {:?}", reply.fact_id));
    }
    if reply.status == Status::Unknown {
        return Some(format!("abstained (confidence {:.2})", reply.confidence));
    }
    let has = |s: &String| answer.contains(&s.to_lowercase());
    if !case.expect_any.is_empty() && !case.expect_any.iter().any(has) {
        return Some(format!("{:?}: none of {:?}", reply.fact_id, case.expect_any));
    }
    if let Some(missing) = case.expect_all.iter().find(|s| !has(s)) {
        return Some(format!("{:?}: lacks {missing:?}", reply.fact_id));
    }
    if !case.sources.is_empty() && !reply.citations.iter().any(|c| case.sources.contains(&c.file)) {
        return Some(format!("{:?}: cites none of {:?}", reply.fact_id, case.sources));
    }
    None
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
        let abstain = case.kind == "abstain";
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
            score.misses.push((case.q.clone(), case.kind.clone(), why));
        }
    }
    score
}
