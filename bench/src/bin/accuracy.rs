//! Accuracy of firstkiss and of the tantivy peer on the question sets, judged by the
//! rules of `tests/data/dev.toml`'s header (as `tests/eval.rs` applies them).
//!
//!     cargo run --release -p firstkiss-bench --bin accuracy [-- [--tune A.toml,B.toml] FILE.toml ...]
//!
//! Without arguments it scores `tests/data/dev.toml`, prints every miss, and writes
//! `bench/results/accuracy.json`. With `--tune`, the peer is also scored with a BM25
//! threshold (it answers only when its top score reaches it) chosen on the listed
//! sets by the rule our threshold follows: the least cost, when an answerable
//! question declined costs 1 and a wrong answer costs
//! [`firstkiss::matcher::WRONG_ANSWER_COST`].

use std::path::PathBuf;

use firstkiss::Engine;
use firstkiss_bench::dev;
use firstkiss_bench::peer::Tantivy;
use serde_json::json;

fn main() {
    let (tune, files) = match arguments(std::env::args().skip(1).collect()) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("error: {message}\nusage: accuracy [--tune A.toml,B.toml] [FILE.toml ...]");
            std::process::exit(2);
        }
    };
    let default = files.is_empty();
    let files = if default { vec![dev::dev_path()] } else { files };
    let engine = Engine::load(None).expect("the shipped fact base is valid");
    let peer = Tantivy::build(engine.kb()).expect("tantivy indexes the facts");
    let threshold = (!tune.is_empty()).then(|| {
        let cases: Vec<_> = tune.iter().flat_map(|f| dev::load(f).unwrap_or_else(|e| panic!("{e}"))).collect();
        let threshold = tuned_threshold(&engine, &peer, &cases);
        println!("tantivy BM25 threshold {threshold:.3}, tuned on {} questions", cases.len());
        threshold
    });
    let mut report = Vec::new();
    for file in &files {
        let cases = dev::load(file).unwrap_or_else(|e| panic!("{e}"));
        let ours = dev::score(&cases, |q| engine.ask(q));
        let theirs = dev::score(&cases, |q| peer.ask(engine.kb(), q));
        let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
        for (system, score) in [("firstkiss", &ours), ("tantivy", &theirs)] {
            println!("{name}: {system:<9} {}", score.summary());
            for (q, kind, why) in &score.misses {
                println!("    MISS [{kind}] {q:?}: {why}");
            }
        }
        if let Some(threshold) = threshold {
            let tuned = dev::score(&cases, |q| peer.ask_with(engine.kb(), q, threshold));
            let wrong = wrong_answers(&cases, |q| peer.ask_with(engine.kb(), q, threshold));
            println!("{name}: tantivy at {threshold:.3}: {}, wrong answers {wrong}", tuned.summary());
        }
        report.push(json!({
            "file": name,
            "cases": cases.len(),
            "firstkiss": ours,
            "tantivy": theirs,
        }));
    }
    if default {
        firstkiss_bench::write_results("accuracy.json", &json!(report));
    }
}

/// The sets to tune the peer's threshold on (after `--tune`, comma-separated) and
/// the sets to score.
fn arguments(mut args: Vec<String>) -> Result<(Vec<PathBuf>, Vec<PathBuf>), String> {
    let tune = match args.iter().position(|a| a == "--tune") {
        None => Vec::new(),
        Some(at) => {
            let sets = args.get(at + 1).filter(|s| !s.starts_with("--")).cloned();
            let sets = sets.ok_or("--tune needs the sets to tune on, comma-separated")?;
            args.drain(at..=at + 1);
            let sets: Vec<PathBuf> = sets.split(',').filter(|s| !s.is_empty()).map(PathBuf::from).collect();
            if sets.is_empty() {
                return Err("--tune needs at least one set".into());
            }
            sets
        }
    };
    if let Some(flag) = args.iter().find(|a| a.starts_with("--")) {
        return Err(format!("unknown option {flag}"));
    }
    Ok((tune, args.into_iter().map(PathBuf::from).collect()))
}

/// The questions of `cases` given a fact that does not pass: a wrong answer on an
/// answerable question, or any answer to one the documents leave open.
fn wrong_answers(cases: &[dev::Case], mut ask: impl FnMut(&str) -> firstkiss::reply::Reply) -> usize {
    cases
        .iter()
        .filter(|case| {
            let reply = ask(&case.q);
            reply.fact.is_some() && dev::judge(case, &reply).is_some()
        })
        .count()
}

/// The BM25 score the peer should need to answer, chosen on `cases` as our threshold
/// is: of the top scores seen, the one with the least cost.
fn tuned_threshold(engine: &Engine, peer: &Tantivy, cases: &[dev::Case]) -> f32 {
    // Per question: its top score, and whether answering it is right.
    let scored: Vec<(f32, bool, bool)> = cases
        .iter()
        .map(|case| {
            let answerable = case.kind != dev::Kind::Abstain;
            match peer.top1(&case.q) {
                Some((_, score)) => {
                    let right = dev::judge(case, &peer.ask(engine.kb(), &case.q)).is_none();
                    (score, answerable, right && answerable)
                }
                None => (f32::NEG_INFINITY, answerable, false),
            }
        })
        .collect();
    let cost = |threshold: f32| -> f64 {
        scored
            .iter()
            .map(|&(score, answerable, right)| match (score >= threshold, right) {
                (true, true) => 0.0,
                (true, false) => firstkiss::matcher::WRONG_ANSWER_COST,
                (false, _) if answerable => 1.0,
                (false, _) => 0.0,
            })
            .sum()
    };
    let mut candidates: Vec<f32> = scored.iter().map(|s| s.0).filter(|s| s.is_finite()).collect();
    candidates.push(f32::INFINITY);
    candidates.sort_by(f32::total_cmp);
    candidates.into_iter().min_by(|&a, &b| cost(a).total_cmp(&cost(b)).then(a.total_cmp(&b))).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Result<(Vec<PathBuf>, Vec<PathBuf>), String> {
        arguments(line.split_whitespace().map(str::to_string).collect())
    }

    #[test]
    fn tune_takes_a_comma_separated_list_and_leaves_the_files() {
        let (tune, files) = args("a.toml --tune b.toml,c.toml d.toml").expect("valid");
        assert_eq!(tune, [PathBuf::from("b.toml"), PathBuf::from("c.toml")]);
        assert_eq!(files, [PathBuf::from("a.toml"), PathBuf::from("d.toml")]);
        assert_eq!(args("").expect("valid"), (Vec::new(), Vec::new()));
    }

    #[test]
    fn bad_arguments_are_said_not_read_as_files() {
        assert!(args("--tune").unwrap_err().contains("needs the sets"));
        assert!(args("--tune --other").unwrap_err().contains("needs the sets"));
        assert!(args("--tune ,").unwrap_err().contains("at least one"));
        assert!(args("--tunes a.toml").unwrap_err().contains("unknown option --tunes"));
    }
}
