//! Shared helpers for the benchmarks of firstkiss-bot (see BENCHMARKS.md at the
//! repository root): the dev set and its judging rules, the tantivy peer, the
//! generator of large synthetic fact bases, and measurement utilities.

pub mod dev;
pub mod hostile;
pub mod measure;
pub mod peer;
pub mod rng;
pub mod synth;

use std::path::PathBuf;

/// The repository root (the parent of this package).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the benchmarks write their figures (`bench/results/*.json`), read by
/// `scripts/plot_scaling.py` and quoted in BENCHMARKS.md.
pub fn results_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results")
}

/// Writes `value` as pretty JSON to `bench/results/<name>`, and says where.
pub fn write_results(name: &str, value: &serde_json::Value) {
    let dir = results_dir();
    let path = dir.join(name);
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, serde_json::to_string_pretty(value).unwrap_or_default() + "\n"));
    match written {
        Ok(()) => eprintln!("wrote {}", path.display()),
        Err(e) => eprintln!("warning: cannot write {}: {e}", path.display()),
    }
}
