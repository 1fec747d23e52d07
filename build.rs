//! Compiles every document under `sources/` into the binary, so the shipped fact base
//! works from any directory and a curator adds a document without touching Rust.
//! An empty document stops the build: it would hold no quote, and the fact base's
//! own check (src/knowledge/build.rs) rejects it at run time anyway.

use std::env;
use std::fs;
use std::path::Path;

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
    let out = Path::new(&env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?).join("builtin_sources.rs");
    fs::write(&out, code).map_err(|e| format!("cannot write {}: {e}", out.display()))
}
