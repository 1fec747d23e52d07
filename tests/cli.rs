//! The `firstkiss-bot` command end to end: the binary run as a user runs it, on a
//! small fixture fact base (tests/data/fixture) whose exact output is pinned by golden
//! files, and on the shipped base for what must hold whatever its content.
//!
//! `UPDATE_GOLDEN=1 cargo test --test cli` rewrites the golden files after an
//! intended change; review the diff before committing it.

mod common;

use common::fixture_copy;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const FIXTURE: &str = "tests/data/fixture/knowledge.toml";

fn bot(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_firstkiss-bot"));
    cmd.args(args).env_remove("FIRSTKISS_KNOWLEDGE").env_remove("RUST_LOG");
    cmd
}

fn run(args: &[&str]) -> Output {
    bot(args).output().expect("the binary runs")
}

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child =
        bot(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&stdin));
    let output = child.wait_with_output().expect("the binary runs");
    writer.join().expect("writer").expect("stdin accepted");
    output
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn golden(name: &str, actual: &str) {
    let path = Path::new("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 creates it)", path.display()));
    assert_eq!(actual, expected, "output differs from {}", path.display());
}

#[test]
fn ask_prints_a_cited_answer() {
    golden("ask_answer.txt", &stdout(&run(&["--knowledge", FIXTURE, "ask", "who", "directd", "first", "kiss?"])));
}

#[test]
fn ask_presents_every_side_of_a_contested_fact() {
    golden("ask_contested.txt", &stdout(&run(&["--knowledge", FIXTURE, "ask", "how long is the video"])));
}

#[test]
fn ask_says_it_does_not_know_and_suggests() {
    golden("ask_unknown.txt", &stdout(&run(&["--knowledge", FIXTURE, "ask", "who won the world cup in 2014"])));
}

#[test]
fn preview_shows_a_fact_as_discord_would_with_its_buttons() {
    golden("preview_director.txt", &stdout(&run(&["--knowledge", FIXTURE, "preview", "director"])));
    golden("preview_contested.txt", &stdout(&run(&["--knowledge", FIXTURE, "preview", "film-length"])));
    let out = run(&["--knowledge", FIXTURE, "preview", "no-such-fact"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no fact has the id \"no-such-fact\"") && err.contains("facts"), "{err}");
}

#[test]
fn ask_json_holds_the_contract() {
    let out = stdout(&run(&["--knowledge", FIXTURE, "ask", "--json", "what's the song called"]));
    golden("ask_answer.json", &out);
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    let keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["question", "status", "fact", "confidence", "answer", "citations", "suggestions", "text"]);
    assert_eq!(v["status"], "answered");
    assert_eq!(v["fact"], "song-title");
    assert_eq!(v["citations"][0]["file"], "004_736a8f1e1b3ec492.txt");
    let confidence = v["confidence"].as_f64().expect("number");
    assert!((0.0..=1.0).contains(&confidence));
    assert!(v["text"].as_str().unwrap().starts_with(v["answer"].as_str().unwrap()));
}

#[test]
fn batch_answers_line_by_line_in_order() {
    let input = b"who is the director\n\nhow long is the video\r\nwho won the world cup\n\xff\xfe broken utf-8";
    let out = stdout(&run_with_stdin(&["--knowledge", FIXTURE, "ask", "--json", "--batch"], input));
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    let summary: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|v| (v["question"].as_str().unwrap(), v["status"].as_str().unwrap(), v["fact"].as_str().unwrap_or("-")))
        .collect();
    assert_eq!(
        summary,
        [
            ("who is the director", "answered", "director"),
            ("", "unknown", "-"),
            ("how long is the video", "contested", "film-length"),
            ("who won the world cup", "unknown", "-"),
            ("\u{fffd}\u{fffd} broken utf-8", "unknown", "-"),
        ]
    );
    assert!(lines[1]["answer"].as_str().unwrap().starts_with("Ask me something"), "an empty line gets the prompt");
}

#[test]
fn knowledge_path_also_comes_from_the_environment() {
    let out = bot(&["validate"]).env("FIRSTKISS_KNOWLEDGE", FIXTURE).output().expect("runs");
    assert!(stdout(&out).contains("2 sources, 3 facts (1 contested)"));
}

#[test]
fn the_built_in_base_works_from_any_directory() {
    let out = bot(&["ask", "who directed first kiss"]).current_dir(std::env::temp_dir()).output().expect("runs");
    assert!(stdout(&out).contains("Pilieva"));
}

#[test]
fn hostile_input_is_answered_or_declined_without_fuss() {
    let mut huge = "who directed first kiss ".repeat(5_000); // about 120 KB
    huge.push_str("@everyone");
    for question in [
        huge.as_str(),
        "\u{202e}\u{200b}ti detcerid ohw",
        "👩‍❤️‍💋‍👩 who made the song?",
        "Z̷̢͎a̶l̸g̵o̴ ̷t̶e̴x̶t̵",
        "مرحبا من أخرج الفيلم",
    ] {
        let out = run(&["--knowledge", FIXTURE, "ask", "--json", question]);
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
        assert!(["answered", "contested", "unknown"].contains(&v["status"].as_str().unwrap()));
    }
}

#[test]
fn a_missing_fact_base_is_one_line_and_a_failure() {
    let out = run(&["--knowledge", "/nonexistent/knowledge.toml", "ask", "hi"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.starts_with("error: cannot read the fact base /nonexistent/knowledge.toml:"), "{err}");
    assert_eq!(err.matches("os error 2").count(), 1, "the reason is given once: {err}");
}

fn validate_broken(edit: impl Fn(String) -> String) -> String {
    let (_dir, path) = fixture_copy();
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = edit(text.clone());
    assert_ne!(broken, text, "the edit must change the file");
    std::fs::write(&path, broken).unwrap();
    let out = run(&["--knowledge", path.to_str().unwrap(), "validate"]);
    assert!(!out.status.success(), "a broken base must fail validation");
    assert!(out.stdout.is_empty(), "nothing is printed as a result");
    String::from_utf8(out.stderr).unwrap().replace(path.to_str().unwrap(), "KB")
}

#[test]
fn validate_rejects_a_changed_quote() {
    let err = validate_broken(|t| t.replace("said filmmaker Tatia Pilieva", "said director Tatia Pilieva"));
    assert_eq!(
        err.trim(),
        "error: KB: 1 problem\nKB:30: `director`: quote \"said director Tatia Pilieva\" is not found word for word in sources/001_039ab0e369966f82.txt"
    );
}

#[test]
fn validate_rejects_a_duplicate_id() {
    let err = validate_broken(|t| {
        t.replace("id = \"song-title\"", "id = \"director\"").replace("related = [\"song-title\"]", "")
    });
    assert!(err.contains("KB:37: `director`: this fact id is already used at line 21"), "{err}");
}

#[test]
fn validate_rejects_a_toml_syntax_error_with_line_and_column() {
    let err = validate_broken(|t| t.replace("title = \"The song in the film\"", "title = \"The song in the film"));
    assert_eq!(
        err.trim_end(),
        "error: KB:38:30: this text has no closing \" on its line: end it with \" (a text over several lines goes \
         between \"\"\" and \"\"\")\n   |\n38 | title = \"The song in the film\n   |                              ^"
    );
}

#[test]
fn validate_rejects_an_empty_document_instead_of_skipping_its_quotes() {
    let (_dir, path) = fixture_copy();
    let document = path.parent().unwrap().join("sources/001_039ab0e369966f82.txt");
    for empty in ["", " \n\t\n"] {
        std::fs::write(&document, empty).unwrap();
        let out = run(&["--knowledge", path.to_str().unwrap(), "validate"]);
        let err = String::from_utf8_lossy(&out.stderr).replace(path.to_str().unwrap(), "KB");
        assert!(!out.status.success() && out.stdout.is_empty(), "an empty document must fail validation: {err}");
        assert!(
            err.contains("KB:3: `mallin`: sources/001_039ab0e369966f82.txt is empty: a document must hold the text"),
            "{err}"
        );
    }
}

#[test]
fn a_missing_field_names_its_fact() {
    let err = validate_broken(|t| t.replacen("answer = ", "# answer = ", 1));
    assert!(err.contains("KB:21: `director`: missing field `answer`"), "{err}");
    let err = validate_broken(|t| t.replacen("title = \"Who directed", "# title = \"", 1));
    assert!(err.contains("KB:21: `director`: missing field `title`"), "{err}");
}

#[test]
fn invalid_utf8_in_the_fact_base_is_placed() {
    let (_dir, path) = fixture_copy();
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(9).position(|w| w == b"id = \"dir").expect("the director fact") + 6;
    bytes[at] = 0xff;
    std::fs::write(&path, bytes).unwrap();
    let out = run(&["--knowledge", path.to_str().unwrap(), "validate"]);
    let err = String::from_utf8_lossy(&out.stderr).replace(path.to_str().unwrap(), "KB");
    assert!(!out.status.success());
    assert_eq!(err.trim(), "error: KB:21:7: invalid UTF-8 (byte 0xFF): save the file as UTF-8");
}

#[test]
fn only_regular_files_of_a_bounded_size_are_read() {
    let (dir, path) = fixture_copy();
    let big = dir.path().join("big.toml");
    std::fs::File::create(&big).unwrap().set_len(8 * 1024 * 1024 + 1).unwrap();
    let document = dir.path().join("sources/004_736a8f1e1b3ec492.txt");
    std::fs::File::options().append(true).open(&document).unwrap().set_len(8 * 1024 * 1024 + 1).unwrap();
    let mut cases = vec![
        (big.to_str().unwrap().to_string(), "larger than the 8 MiB limit"),
        (
            path.to_str().unwrap().to_string(),
            "cannot read sources/004_736a8f1e1b3ec492.txt: larger than the 8 MiB limit",
        ),
        (dir.path().to_str().unwrap().to_string(), "not a regular file"),
    ];
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo.toml");
        assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
        cases.push((fifo.to_str().unwrap().to_string(), "not a regular file"));
        cases.push(("/dev/zero".into(), "not a regular file"));
    }
    for (knowledge, expected) in cases {
        // A FIFO or /dev/zero used to hang: give up after a while rather than hang CI.
        let mut child = bot(&["--knowledge", &knowledge, "validate"]).stderr(Stdio::piped()).spawn().unwrap();
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(20) {
                child.kill().unwrap();
                panic!("validate --knowledge {knowledge} hangs");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(expected), "{knowledge}: {err}");
        assert_eq!(err.trim().lines().count(), if expected.starts_with("cannot") { 2 } else { 1 }, "{err}");
    }
}

#[test]
fn validate_summarizes_the_shipped_base() {
    let out = stdout(&bot(&["validate"]).current_dir(std::env::temp_dir()).output().expect("runs"));
    assert!(out.starts_with("knowledge.toml (built in): OK: 5 sources, "), "{out}");
    assert!(!out.contains("warning"), "the shipped base has no overlapping facts:\n{out}");
}

/// Regression: a curator edited ./knowledge.toml and every command (and SIGHUP)
/// kept using the copy built into the binary.
#[test]
fn without_knowledge_the_file_in_the_current_folder_is_used() {
    let (dir, path) = fixture_copy();
    let out = stdout(&bot(&["validate"]).current_dir(dir.path()).output().expect("runs"));
    assert!(out.starts_with("knowledge.toml: OK: 2 sources, 3 facts"), "{out}");
    std::fs::write(&path, std::fs::read_to_string(&path).unwrap().replace("filmmaker Tatia", "director Tatia"))
        .unwrap();
    let out = String::from_utf8(bot(&["validate"]).current_dir(dir.path()).output().unwrap().stderr).unwrap();
    assert!(out.starts_with("error: knowledge.toml: 1 problem"), "the edit is what is checked: {out}");
    let out = stdout(&bot(&["--knowledge", FIXTURE, "validate"]).current_dir(".").output().unwrap());
    assert!(out.starts_with(&format!("{FIXTURE}: OK")), "a named base comes first: {out}");
}

/// Regression: `ask who directed it --json` printed text, the flag read as a word.
#[test]
fn options_may_follow_the_question_and_after_two_dashes_everything_is_the_question() {
    let out = stdout(&run(&["--knowledge", FIXTURE, "ask", "who", "directed", "it", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON, not text");
    assert_eq!((v["question"].as_str(), v["fact"].as_str()), (Some("who directed it"), Some("director")));
    let out = stdout(&run(&["--knowledge", FIXTURE, "ask", "--json", "--", "--help"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["question"], "--help", "asked literally");
    let out = stdout(&run(&["ask", "--help"]));
    assert!(out.contains("Usage: firstkiss-bot ask"), "--help before `--` is help: {out}");
}

#[test]
fn facts_json_lists_every_fact() {
    let out = stdout(&run(&["--knowledge", FIXTURE, "facts", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let ids: Vec<&str> = v.as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["director", "song-title", "film-length"]);
    assert_eq!(v[2]["citations"].as_array().unwrap().len(), 2);
}

#[test]
fn repl_answers_until_end_of_input() {
    let out = stdout(&run_with_stdin(&["--knowledge", FIXTURE, "repl"], b"who is the director\nwhat song plays\n"));
    assert_eq!(out.matches("[1] ").count(), 2, "{out}");
    assert!(out.contains("Pilieva") && out.contains("We Might Be Dead Tomorrow"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = bot(&["facts"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    drop(child.stdout.take());
    let status = child.wait().expect("exits");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.success(), "a reader that went away is not an error: {status}");
}

#[cfg(feature = "mock")]
#[test]
fn mock_answers_a_script_from_a_pipe() {
    let script = b"/ask who directed first kiss?\n@bot how long is the video\nlol nice video\n/fact song\n[Sources]\n";
    let out = stdout(&run_with_stdin(&["mock"], script));
    let replies: Vec<&str> = out.split("\n> ").collect();
    assert_eq!(replies.len(), 5, "one reply per line:\n{out}");
    assert!(replies[0].contains("Pilieva") && replies[0].contains("[Sources]"), "{}", replies[0]);
    assert!(replies[1].contains("bot, replying to you:") && replies[1].contains("three"), "{}", replies[1]);
    assert!(replies[2].contains("(the bot stays quiet: in a Q&A channel it answers only"), "{}", replies[2]);
    assert!(!out.contains("**") && !out.contains('\u{1b}'), "markdown shown as plain text in a pipe:\n{out}");
    assert!(
        replies[3].contains("suggestions as you type") && replies[3].contains("We Might Be Dead Tomorrow"),
        "{}",
        replies[3]
    );
    assert!(replies[4].contains("only you can see this"), "{}", replies[4]);
}

/// The fan's side of the loop in the console: a miss, a suggestion taken, a 👎 with
/// a note, a related fact, and the buttons each reply carries, in text and in JSON.
#[cfg(feature = "mock")]
#[test]
fn mock_presses_buttons_and_fills_in_the_note() {
    let script =
        "/ask who won the world cup in 2014\n[1]\n[👎 the year it came out]\n[Related: The song in the film]\n\
        [👍]\n[9]\n";
    let out = stdout(&run_with_stdin(&["--knowledge", FIXTURE, "mock", "--database", "memory:"], script.as_bytes()));
    let replies: Vec<&str> = out.split("\n> ").collect();
    assert_eq!(replies.len(), 6, "one reply per line:\n{out}");
    assert!(replies[0].contains("I don't know") && replies[0].contains("\n[Who directed"), "{}", replies[0]);
    assert!(
        replies[1].contains("only you can see this") && replies[1].contains("[Sources] [👍] [👎]"),
        "{}",
        replies[1]
    );
    assert!(replies[1].contains("[Related: The song in the film]"), "{}", replies[1]);
    assert!(replies[2].contains("(a form opens") && replies[2].contains("Thanks for the feedback"), "{}", replies[2]);
    assert!(replies[3].contains("== The song in the film =="), "{}", replies[3]);
    assert!(replies[4].contains("Thanks for the feedback"), "{}", replies[4]);
    assert!(replies[5].contains("(unknown command [9]"), "no ninth button: {}", replies[5]);

    let out = stdout(&run_with_stdin(&["--knowledge", FIXTURE, "mock", "--json"], b"/ask who directed it\n"));
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON");
    let rows = &v["requests"][0]["body"]["data"]["components"];
    let labels: Vec<&str> =
        rows[0]["components"].as_array().unwrap().iter().filter_map(|b| b["label"].as_str()).collect();
    assert_eq!(labels, ["Sources", "👍", "👎"], "{rows}");
    assert_eq!(rows[1]["components"][0]["custom_id"], "rel:song-title");

    // Nothing listens on loopback port 1: a clear error and a non-zero exit.
    let out = run_with_stdin(&["mock", "--database", "postgres://fk@127.0.0.1:1/fk"], b"");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error: cannot open the database postgres://fk@127.0.0.1:1/fk"), "{stderr}");
    let out = run_with_stdin(&["mock", "--database", "mysql://fk@127.0.0.1/fk"], b"");
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not one of"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[cfg(feature = "mock")]
#[test]
fn mock_reads_on_past_a_line_of_invalid_utf8() {
    let out = run_with_stdin(&["mock", "--json"], b"/about\n/ask who directed \xff first kiss\n/sources\n");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert_eq!(lines.len(), 3, "every line was read: {lines:?} {err}");
    assert_eq!(lines[1]["input"], "/ask who directed \u{fffd} first kiss");
    assert_eq!(lines[1]["requests"].as_array().unwrap().len(), 1, "and answered");
    assert_eq!(lines[2]["requests"].as_array().unwrap().len(), 1, "and so was the next");
}

#[cfg(feature = "mock")]
#[test]
fn mock_json_lists_the_requests_per_line() {
    let out = stdout(&run_with_stdin(&["mock", "--json"], b"/ask @everyone who directed it\nlol\n\n/about\n"));
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(lines.len(), 4, "one object per input line, blank ones included");
    let keys: Vec<&str> = lines[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["input", "requests"]);
    let request = &lines[0]["requests"][0];
    let request_keys: Vec<&str> = request.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(request_keys, ["method", "path", "body"]);
    assert_eq!(request["method"], "POST");
    assert!(request["path"].as_str().unwrap().ends_with("/callback"));
    assert_eq!(request["body"]["data"]["allowed_mentions"]["parse"], serde_json::json!([]));
    assert_eq!(lines[1]["requests"], serde_json::json!([]), "quiet on chat");
    assert_eq!(lines[2]["requests"], serde_json::json!([]));
    assert_eq!(lines[3]["requests"].as_array().unwrap().len(), 1);
}

fn run_bot(token: Option<&str>, extra: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bot(&[&["run"], extra].concat());
    cmd.current_dir(dir.path()).env_remove("DISCORD_TOKEN");
    if let Some(token) = token {
        cmd.env("DISCORD_TOKEN", token);
    }
    let out = cmd.output().expect("runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).trim().to_string())
}

#[test]
fn run_without_a_token_says_how_to_set_one() {
    let (ok, err) = run_bot(None, &[]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: no Discord token: set DISCORD_TOKEN"), "{err}");
}

#[test]
fn a_malformed_token_is_refused_without_being_echoed() {
    let (ok, err) = run_bot(Some("not-a-token-SECRETVALUE"), &[]);
    assert!(!ok);
    assert!(err.contains("malformed") && !err.contains("SECRETVALUE"), "{err}");
}

#[test]
fn a_token_pasted_into_the_config_is_not_printed() {
    const TOKEN: &str = "MTA1MDAwMDAwMDAwMDAwMDAw.GsEcRe.Zq9xTyU3pLmN8vB2cX4kJh7Wd5Rf1Gt6Ys0";
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    for (text, env) in [
        (format!("guild_id = \"{TOKEN}\""), Some(TOKEN)),
        (format!("token = \"{TOKEN}\" # mine\nowners = [\"{TOKEN}\"]"), None),
        (format!("{TOKEN} = 1"), None),
    ] {
        std::fs::write(&config, &text).unwrap();
        let (ok, err) = run_bot(env, &["--config", config.to_str().unwrap()]);
        assert!(!ok && err.starts_with(&format!("error: {}:", config.display())), "{err}");
        assert!(!err.contains("MTA1MDAw") && !err.contains("Zq9xTyU3"), "{text}: {err}");
    }
}

#[test]
fn a_named_config_must_exist_and_be_valid() {
    let (ok, err) = run_bot(Some("x"), &["--config", "/nonexistent/config.toml"]);
    assert!(!ok && err.starts_with("error: cannot read the config file /nonexistent/config.toml"), "{err}");
    assert_eq!(err.matches("os error 2").count(), 1, "the reason is given once: {err}");
    #[cfg(unix)]
    {
        // It would have waited for ever on /dev/zero.
        let (ok, err) = run_bot(Some("x"), &["--config", "/dev/zero"]);
        assert!(!ok && err.starts_with("error: cannot read the config file /dev/zero: not a regular file"), "{err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[answers]\nthreshold = 2.0\n").unwrap();
    let (ok, err) = run_bot(Some("x"), &["--config", config.to_str().unwrap()]);
    assert!(!ok && err.contains("answers.threshold = 2 must be between 0 and 1"), "{err}");
}

/// `mock` run in `dir` with its console on pipes: the child, its input, and its
/// output line by line.
#[cfg(unix)]
fn mock_console(
    dir: &Path,
) -> (std::process::Child, std::process::ChildStdin, std::io::BufReader<std::process::ChildStdout>) {
    let mut child = bot(&["mock"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = std::io::BufReader::new(child.stdout.take().expect("piped stdout"));
    (child, stdin, stdout)
}

#[cfg(unix)]
#[cfg(feature = "mock")]
#[test]
fn sighup_reloads_a_valid_base_and_keeps_the_old_one_otherwise() {
    use std::io::BufRead;
    // As the README has it: run from the folder that holds knowledge.toml, no option.
    let (dir, path) = fixture_copy();
    let (child, mut stdin, mut stdout) = mock_console(dir.path());
    let mut ask = |question: &str| -> String {
        writeln!(stdin, "/ask {question}").unwrap();
        stdin.flush().unwrap();
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            assert!(stdout.read_line(&mut line).unwrap() > 0, "the console ended early");
            if line == "\n" && !reply.is_empty() {
                return reply;
            }
            reply.push_str(&line);
        }
    };
    let hangup = |pid: u32| {
        assert!(Command::new("kill").args(["-HUP", &pid.to_string()]).status().unwrap().success());
    };
    assert!(ask("who directed first kiss").contains("directed by the filmmaker Tatia Pilieva"));

    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        original.replace("directed by the filmmaker Tatia Pilieva", "directed by Tatia Pilieva, the filmmaker"),
    )
    .unwrap();
    hangup(child.id());
    // The reload runs beside the console; ask until it shows, a bounded number of times.
    let reloaded = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        ask("who directed first kiss").contains("Tatia Pilieva, the filmmaker")
    });
    assert!(reloaded, "the new base answers after SIGHUP");

    std::fs::write(&path, "[[fact]]\nthis is not valid").unwrap();
    hangup(child.id());
    std::thread::sleep(Duration::from_millis(500));
    assert!(ask("who directed first kiss").contains("Tatia Pilieva, the filmmaker"), "the last valid base stays");
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("rejected on SIGHUP; the old one stays") && err.contains("knowledge.toml:2:"), "{err}");
}

/// Started where there is no knowledge.toml, the bot answers from its built-in base,
/// which no edit can change: SIGHUP says so instead of "reloaded".
#[cfg(unix)]
#[test]
fn sighup_on_the_built_in_base_says_there_is_nothing_to_reload() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let (child, mut stdin, mut stdout) = mock_console(dir.path());
    writeln!(stdin, "/about").unwrap();
    let mut line = String::new();
    assert!(stdout.read_line(&mut line).unwrap() > 0, "the console answers once it is connected");
    assert!(Command::new("kill").args(["-HUP", &child.id().to_string()]).status().unwrap().success());
    std::thread::sleep(Duration::from_millis(500));
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        err.matches("nothing to reload: this bot answers from the fact base built into its binary").count(),
        1,
        "{err}"
    );
    assert!(!err.contains("reloaded"), "{err}");
}

#[test]
fn repl_ends_on_exit_and_quit() {
    for word in ["exit", "quit", "QUIT"] {
        let out =
            run_with_stdin(&["repl"], format!("who directed first kiss\n{word}\nwho made the music\n").as_bytes());
        assert!(out.status.success());
        let text = stdout(&out);
        assert!(text.contains("Pilieva"), "{text}");
        // The song's title is in the music answer only, not in the director's.
        assert!(!text.contains("We Might Be Dead Tomorrow"), "the question after {word:?} was answered:\n{text}");
    }
}

#[test]
fn small_talk_and_command_words_never_get_a_fact() {
    for word in ["help", "exit", "quit", "test", "no", "stop", "hi", "thanks", "ok", "lol", "good bot"] {
        let out = run(&["ask", "--json", word]);
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
        assert_eq!(json["fact"], serde_json::Value::Null, "{word:?} got {json}");
        assert_eq!(json["status"], "unknown", "{word:?}");
        assert!(json["citations"].as_array().is_some_and(Vec::is_empty), "{word:?}");
    }
    let help = stdout(&run(&["ask", "help"]));
    assert!(help.contains("First Kiss") && help.lines().count() == 1, "{help}");
}

#[test]
fn a_question_the_documents_leave_open_says_what_they_do_say() {
    let out = run(&["ask", "--json", "how old is soko"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["status"], "unknown", "{json}");
    assert_eq!(json["fact"], serde_json::Value::Null);
    assert_eq!(json["gap"], "age/soko", "{json}");
    assert!(json["answer"].as_str().is_some_and(|a| a.contains("age")), "{json}");
    // An answered question keeps the contract: no gap field at all.
    let answered: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["ask", "--json", "who directed first kiss"]))).expect("JSON");
    assert!(answered.get("gap").is_none(), "{answered}");
}

#[test]
fn who_said_a_quote_is_answered_from_the_document_with_the_phrase_cited() {
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["ask", "--json", "who said \"Everyone was a volunteer\"?"])))
            .expect("JSON");
    assert_eq!(json["status"], "answered", "{json}");
    assert!(json["answer"].as_str().is_some_and(|a| a.starts_with("Melissa Coker said it")), "{json}");
    assert_eq!(json["citations"][0]["quote"], "Everyone was a volunteer");
    // A quote no document holds is not attributed to anyone.
    let made_up: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["ask", "--json", "who said \"the moon is made of cheese\""])))
            .expect("JSON");
    assert_eq!(made_up["status"], "unknown", "{made_up}");
}

/// Regression: logs carried colour codes into files and pipes, and RUST_LOG=debug
/// was mostly hyper and h2. By default only the bot's own events are logged.
#[test]
fn logs_are_plain_in_a_pipe_json_on_request_and_the_bots_own_by_default() {
    let out = run_with_stdin(&["mock"], b"/ask who directed first kiss\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.contains("fact base loaded"), "{err}");
    assert!(!err.contains('\u{1b}'), "no colour codes in a pipe: {err:?}");

    let out = run_with_stdin(&["mock", "--log-format", "json"], b"/ask who directed first kiss\n");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> =
        err.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert!(lines.iter().any(|l| l["message"] == "fact base loaded"), "{err}");
    for line in &lines {
        let target = line["target"].as_str().expect("a target");
        assert!(target.starts_with("firstkiss"), "only the bot's own events by default: {line}");
    }
}

/// Regression: `/foo`, `/ASK` and `[sources]` got "(the bot stays quiet)", an early
/// `[Sources]` pressed an older answer's button, and cooldown silence went unexplained.
#[test]
fn the_mock_says_what_it_did_not_send_and_why_the_bot_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[cooldown]\nper_user_seconds = 60.0\nper_channel_seconds = 0.0\n").unwrap();
    let script = b"[Sources]\n/ask who directed first kiss\n/ask how old is tatia pilieva\n[Sources]\n/foo bar\n\
        /ASK hi\n[sources]\n@bot who directed first kiss\n@bot who wrote the song\n";
    let out = stdout(&run_with_stdin(&["mock", "--config", config.to_str().unwrap()], script));
    let replies: Vec<&str> = out.split("\n> ").collect();
    assert_eq!(replies.len(), 9, "one reply per line:\n{out}");
    assert!(replies[0].contains("(no answer yet has a Sources button"), "{}", replies[0]);
    assert!(replies[3].contains("(the last answer has no Sources button"), "not the older one's:\n{}", replies[3]);
    for (reply, command) in [(replies[4], "/foo"), (replies[5], "/ASK"), (replies[6], "[sources]")] {
        assert!(reply.contains(&format!("(unknown command {command}: the console takes /ask")), "{reply}");
    }
    assert!(replies[7].contains("Pilieva"), "{}", replies[7]);
    assert!(replies[8].contains("it is cooling down") && replies[8].contains("once every 60 s"), "{}", replies[8]);

    let out = stdout(&run_with_stdin(&["mock", "--json"], b"/foo\n"));
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON");
    assert!(v["note"].as_str().is_some_and(|n| n.starts_with("unknown command /foo")), "{v}");
}

#[test]
fn completions_and_the_manual_page_are_generated_from_the_options() {
    for (shell, marker) in [
        ("bash", "complete -F _firstkiss__bot"),
        ("zsh", "#compdef firstkiss-bot"),
        ("fish", "complete -c firstkiss-bot"),
    ] {
        let script = stdout(&run(&["completions", shell]));
        assert!(script.contains(marker), "{shell}: {script}");
        for option in ["knowledge", "log-format", "validate", "mock"] {
            assert!(script.contains(option), "{shell} completes {option}");
        }
    }
    let page = stdout(&run(&["man"]));
    assert!(page.contains(".TH firstkiss-bot 1"), "{page}");
    assert!(page.contains("\\-\\-knowledge") && page.contains("completions"), "{page}");
}

#[test]
fn the_license_file_is_the_one_cargo_toml_names() {
    let manifest = std::fs::read_to_string("Cargo.toml").unwrap();
    assert!(manifest.contains("license = \"MIT\""), "Cargo.toml's license changed: update LICENSE too");
    let license = std::fs::read_to_string("LICENSE").expect("a LICENSE file");
    assert!(license.starts_with("MIT License\n") && license.contains("Permission is hereby granted, free of charge"));
}
