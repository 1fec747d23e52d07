//! What several integration test files share.

use std::path::PathBuf;

/// A writable copy of the test fixture fact base and its documents, in a fresh
/// folder: a test may edit or break it. The folder lives as long as the `TempDir`.
pub fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("sources")).expect("sources folder");
    for entry in std::fs::read_dir("tests/data/fixture/sources").expect("fixture sources") {
        let entry = entry.expect("fixture source");
        std::fs::copy(entry.path(), dir.path().join("sources").join(entry.file_name())).expect("copy a document");
    }
    let path = dir.path().join("knowledge.toml");
    std::fs::copy("tests/data/fixture/knowledge.toml", &path).expect("copy the fixture base");
    (dir, path)
}
