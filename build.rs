//! Compiles every document under `sources/` into the binary, so the shipped fact base
//! works from any directory and a curator adds a document without touching Rust.

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=sources");
    println!("cargo:rerun-if-changed=knowledge.toml");
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("sources");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    let mut code = String::from("pub const DOCUMENTS: &[(&str, &str)] = &[\n");
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("document names are UTF-8");
        code.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string()));
    }
    code.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_sources.rs");
    fs::write(out, code).expect("cannot write builtin_sources.rs");
}
