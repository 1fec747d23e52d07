//! Accuracy of firstkiss and of the tantivy peer on the question sets, judged by the
//! rules of `tests/data/dev.toml`'s header (as `tests/eval.rs` applies them).
//!
//!     cargo run --release -p firstkiss-bench --bin accuracy [-- FILE.toml ...]
//!
//! Without arguments it scores `tests/data/dev.toml`, prints every miss, and writes
//! `bench/results/accuracy.json`.

use std::path::PathBuf;

use firstkiss::Engine;
use firstkiss_bench::dev;
use firstkiss_bench::peer::Tantivy;
use serde_json::json;

fn main() {
    let files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let default = files.is_empty();
    let files = if default { vec![dev::dev_path()] } else { files };
    let engine = Engine::load(None).expect("the shipped fact base is valid");
    let peer = Tantivy::build(engine.kb()).expect("tantivy indexes the facts");
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
