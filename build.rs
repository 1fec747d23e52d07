//! Compiles every document under `sources/` into the binary, so the shipped fact base
//! works from any directory and a curator adds a document without touching Rust.
//! An empty document stops the build: it would hold no quote, and the fact base's
//! own check (src/knowledge/build.rs) rejects it at run time anyway.
//!
//! Then compiles the shipped base itself (`src/compiled.rs`): checked and read into
//! the matcher's index by the library's own modules, included here, so that the
//! binary starts without parsing it. A base that fails its checks does not stop the
//! build: it compiles to nothing, and the binary reports its problems at their lines.

// The domain's modules, as the library has them (they name each other as `crate::`).
// The build uses only what compiling the base needs of them.
#[allow(dead_code, unused_imports)]
#[path = "src/compiled.rs"]
mod compiled;
#[allow(dead_code, unused_imports)]
#[path = "src/knowledge/mod.rs"]
mod knowledge;
#[allow(dead_code, unused_imports)]
#[path = "src/matcher/mod.rs"]
mod matcher;
#[allow(dead_code, unused_imports)]
#[path = "src/reference.rs"]
mod reference;
#[allow(dead_code, unused_imports)]
#[path = "src/text/mod.rs"]
mod text;

use std::env;
use std::fs;
use std::path::Path;

/// As the library's: a scoped worker's result, its panic carried on.
fn joined<T>(worker: std::thread::ScopedJoinHandle<'_, T>) -> T {
    worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn main() -> Result<(), String> {
    println!("cargo:rerun-if-changed=sources");
    println!("cargo:rerun-if-changed=knowledge.toml");
    let manifest = env::var("CARGO_MANIFEST_DIR").map_err(|e| format!("CARGO_MANIFEST_DIR: {e}"))?;
    let dir = Path::new(&manifest).join("sources");
    let mut files = Vec::new();
    for entry in fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?.path();
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    let mut code = String::from("pub const DOCUMENTS: &[(&str, &str)] = &[\n");
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).ok_or(format!("{}: not a UTF-8 name", path.display()))?;
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if text.trim().is_empty() {
            return Err(format!("sources/{name} is empty: a document must hold the text its quotes are taken from"));
        }
        code.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string()));
    }
    code.push_str("];\n");
    let out_dir = env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?;
    let out = Path::new(&out_dir).join("builtin_sources.rs");
    fs::write(&out, code).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let out = Path::new(&out_dir).join("builtin.bin");
    fs::write(&out, compiled_base(Path::new(&manifest))?).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// The shipped base as `src/compiled.rs` writes it, or nothing if it fails its checks.
fn compiled_base(root: &Path) -> Result<Vec<u8>, String> {
    let path = root.join("knowledge.toml");
    let Ok(text) = fs::read_to_string(&path) else { return Ok(Vec::new()) };
    let sources = root.join("sources");
    let document = |file: &str| fs::read_to_string(sources.join(file));
    match knowledge::KnowledgeBase::parse(compiled::ORIGIN, &text, document) {
        Ok(kb) => compiled::compile(&kb).map_err(|e| format!("cannot compile the built-in base: {e}")),
        Err(_) => Ok(Vec::new()),
    }
}
