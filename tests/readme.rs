//! The README, followed as a reader follows it: every `ask` example prints what the
//! README shows, byte for byte; the curator's example fact, added to the shipped
//! base, validates without a warning and answers its own questions; and the errors
//! the README shows are the ones `validate` prints. A README that drifts from the
//! binary fails here, not in a newcomer's terminal.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn readme() -> String {
    std::fs::read_to_string("README.md").expect("README.md")
}

fn bot(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_firstkiss-bot"));
    cmd.args(args).current_dir(dir).env_remove("FIRSTKISS_KNOWLEDGE").env_remove("RUST_LOG");
    cmd
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

/// Each `$ cargo run -q --release -- ask "..."` example with the lines shown under it.
fn ask_examples(readme: &str) -> Vec<(String, String)> {
    let mut examples = Vec::new();
    let mut lines = readme.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(question) = line.trim().strip_prefix("$ cargo run -q --release -- ask \"") else { continue };
        let question = question.strip_suffix('"').expect("one quoted question").to_string();
        let mut shown = String::new();
        while let Some(next) = lines.next_if(|l| l.starts_with("    ") && !l.trim().starts_with('$')) {
            shown.push_str(&next[4..]);
            shown.push('\n');
        }
        examples.push((question, shown));
    }
    examples
}

#[test]
fn every_ask_example_prints_what_the_readme_shows() {
    let examples = ask_examples(&readme());
    assert!(examples.len() >= 3, "the fans' section shows its examples: {examples:?}");
    for (question, shown) in examples {
        let printed = stdout(&bot(Path::new("."), &["ask", &question]).output().expect("runs"));
        assert_eq!(printed, shown, "README example {question:?}");
    }
}

/// The curators' example block, as TOML (the README indents it inside a list item).
fn curator_example(readme: &str) -> String {
    let section = &readme[readme.find("## For curators").expect("a curators' section")..];
    let start = section.find("```toml\n").expect("an example block") + "```toml\n".len();
    let block = &section[start..start + section[start..].find("```").expect("closed")];
    block.lines().map(|l| l.strip_prefix("   ").unwrap_or(l)).collect::<Vec<_>>().join("\n") + "\n"
}

/// A copy of the shipped base in a temporary folder, with `extra` at its end.
fn base_with(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("sources")).unwrap();
    for entry in std::fs::read_dir("sources").unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join("sources").join(entry.file_name())).unwrap();
    }
    let base = std::fs::read_to_string("knowledge.toml").unwrap();
    std::fs::write(dir.path().join("knowledge.toml"), format!("{base}\n{extra}")).unwrap();
    dir
}

#[test]
fn the_curators_example_validates_without_a_warning_and_answers_its_questions() {
    let example = curator_example(&readme());
    let parsed: toml::Value = toml::from_str(&example).expect("the example is TOML");
    let fact = &parsed["fact"][0];
    let id = fact["id"].as_str().expect("an id");
    let dir = base_with(&example);

    let out = stdout(&bot(dir.path(), &["validate"]).output().expect("runs"));
    assert!(out.starts_with("knowledge.toml: OK: "), "validated the edited file: {out}");
    assert!(!out.contains("warning"), "the example duplicates or is shadowed by a fact:\n{out}");

    let questions: Vec<&str> =
        fact["questions"].as_array().expect("questions").iter().map(|q| q.as_str().unwrap()).collect();
    let mut child = bot(dir.path(), &["ask", "--json", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), (questions.join("\n") + "\n").as_bytes()).unwrap();
    let out = stdout(&child.wait_with_output().unwrap());
    for (question, line) in questions.iter().zip(out.lines()) {
        let reply: serde_json::Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(reply["fact"], id, "{question:?} gets another answer: {reply}");
    }
    // The try-it question in step 3 too.
    let step3 = readme().split("cargo run -- ask \"").nth(1).and_then(|r| r.split('"').next()).map(str::to_string);
    let step3 = step3.expect("step 3 asks a question");
    let reply: serde_json::Value =
        serde_json::from_str(&stdout(&bot(dir.path(), &["ask", "--json", &step3]).output().unwrap())).unwrap();
    assert_eq!(reply["fact"], id, "step 3's {step3:?}: {reply}");
}

/// The lines of the README's indented block that holds `needle`.
fn shown_block(readme: &str, needle: &str) -> Vec<String> {
    let at = readme.find(needle).unwrap_or_else(|| panic!("the README shows {needle:?}"));
    let start = readme[..at].rfind("\n\n").expect("a block after a blank line") + 2;
    let indent = readme[start..].len() - readme[start..].trim_start_matches(' ').len();
    readme[start..]
        .lines()
        .take_while(|l| l.len() > indent && l[..indent].trim().is_empty())
        .map(|l| l[indent..].to_string())
        .collect()
}

/// Line numbers depend on the length of the shipped base, which changes: `:N`.
fn without_line_numbers(text: &str) -> String {
    // The gutter is as wide as the line number: it grows with the shipped base.
    let text: Vec<&str> =
        text.lines().map(|line| if line.trim_start().starts_with('|') { line.trim_start() } else { line }).collect();
    let text = text.join("\n");
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == ':' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.next_if(char::is_ascii_digit).is_some() {}
            out.push('N');
        }
        if c == '\n' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.next_if(char::is_ascii_digit).is_some() {}
            out.push('N');
        }
    }
    out
}

#[test]
fn the_errors_the_readme_shows_are_what_validate_prints() {
    let readme = readme();
    let example = curator_example(&readme);
    for (needle, broken) in [
        (
            "is not found word for word in sources/003",
            example.replace("Purely by instinct, I paired the kissers.", "I paired the kissers by instinct."),
        ),
        (
            "`questions` is a list",
            example.replace(
                "questions = [                            # ways a fan might ask; the more varied the better\n  \"did tatia pilieva write about making first kiss\",\n  \"is there an account by the director herself\",\n  \"did the director tell the story in her own words\",\n  \"where can i read the director's own story\",\n]",
                "questions = \"did tatia write about it\"",
            ),
        ),
    ] {
        assert_ne!(broken, example, "the edit for {needle:?} applies");
        let shown = shown_block(&readme, needle);
        let dir = base_with(&broken);
        let out = bot(dir.path(), &["validate"]).output().expect("runs");
        assert!(!out.status.success());
        let printed = String::from_utf8(out.stderr).unwrap();
        let printed: Vec<&str> = printed.lines().map(str::trim_end).collect();
        let shown: Vec<&str> = shown.iter().map(|l| l.trim_end()).collect();
        assert_eq!(without_line_numbers(&printed.join("\n")), without_line_numbers(&shown.join("\n")));
    }
}
