//! The quality bar: the shipped bot, scored on question sets as `tests/data/dev.toml`'s
//! header describes. `dev.toml` is the project's development sample;
//! `holdout.toml` was written from the documents alone, by someone who never saw the
//! fact base, to measure how the matcher does on wordings nobody tuned it for.
//!
//! Run `cargo test --test eval -- --nocapture` to see every miss.

use std::collections::BTreeMap;

use firstkiss::render;
use firstkiss::reply::{Reply, Status};
use firstkiss::Engine;
use serde::Deserialize;

#[derive(Deserialize)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    q: String,
    kind: String,
    #[serde(default)]
    expect_any: Vec<String>,
    #[serde(default)]
    expect_all: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
}

/// Why a reply fails its case, or `None` when it passes.
fn judge(case: &Case, reply: &Reply) -> Option<String> {
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

/// Share of passing cases per group ("answer" covers answer and contested cases).
fn score(file: &str) -> BTreeMap<&'static str, (usize, usize)> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    let cases: CaseFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let engine = Engine::load(None).expect("the shipped fact base is valid");
    let mut tally: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for case in &cases.case {
        let group = if case.kind == "abstain" { "abstain" } else { "answer" };
        let reply = engine.ask(&case.q);
        let entry = tally.entry(group).or_default();
        entry.1 += 1;
        match judge(case, &reply) {
            None => entry.0 += 1,
            Some(why) => println!("MISS [{}] {:?}: {why}", case.kind, case.q),
        }
    }
    for (group, (pass, all)) in &tally {
        println!("{file}: {group}: {pass}/{all} ({:.1}%)", 100.0 * *pass as f64 / *all as f64);
    }
    tally
}

fn assert_at_least(tally: &BTreeMap<&str, (usize, usize)>, group: &str, percent: f64) {
    let (pass, all) = tally[group];
    let got = 100.0 * pass as f64 / all as f64;
    assert!(got >= percent, "{group}: {pass}/{all} = {got:.1}% is below {percent}%");
}

#[test]
fn dev_set_meets_the_quality_bar() {
    let tally = score("tests/data/dev.toml");
    assert_at_least(&tally, "answer", 90.0);
    assert_at_least(&tally, "abstain", 90.0);
}

/// A guard against regressions in generalization, set just below what the matcher
/// achieves on questions written without sight of the fact base. Raise it when the
/// matcher improves; never tune the fact base to these questions.
#[test]
fn held_out_set_does_not_regress() {
    let tally = score("tests/data/holdout.toml");
    assert_at_least(&tally, "answer", 70.0);
    assert_at_least(&tally, "abstain", 75.0);
}
