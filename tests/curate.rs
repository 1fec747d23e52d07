//! The curator's commands through the binary: `review` on a real SQLite record
//! (written with the library, as the bot writes it), `review --accept`, `--unknown`
//! and `--dismiss` editing a copy of the fixture base, and `coverage`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use firstkiss::store::{self, Asked, Feedback, HashKey, Record, RecordId, Store, SuggestionTaken};
use serde_json::Value;

fn bot(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_firstkiss-bot"))
        .args(args)
        .current_dir(dir)
        .env_remove("FIRSTKISS_KNOWLEDGE")
        .env_remove("FIRSTKISS_DATABASE")
        .env_remove("RUST_LOG")
        .output()
        .expect("the binary runs")
}

fn ok(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

fn failed(output: &Output) -> String {
    assert!(!output.status.success(), "succeeded: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8(output.stderr.clone()).expect("UTF-8")
}

fn missed(id: u64, text: Option<&str>, minutes_ago: i64) -> Record {
    Record::Asked(Asked {
        id: RecordId(id),
        at: store::now() - 60 * minutes_ago,
        guild: Some(1),
        text: text.map(str::to_string),
        fact: None,
        confidence: 0.3,
        answered: false,
    })
}

fn thumbs_down(answer: u64, user: u64, question: Option<&str>, fact: &str) -> Record {
    Record::Feedback(Feedback {
        answer: RecordId(answer),
        at: store::now() - 60,
        guild: Some(1),
        user: HashKey::new([1; 32]).user(user),
        helpful: false,
        fact: Some(fact.into()),
        confidence: 0.7,
        question: question.map(str::to_string),
    })
}

/// Writes `records` to the SQLite file `db` as the bot's recorder would.
fn seed(db: &Path, records: Vec<Record>) -> String {
    let url = format!("sqlite://{}", db.display());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        for record in &records {
            store.write(record).await.unwrap();
        }
        store.close().await;
    });
    url
}

/// What fans asked in this story: three spellings of one question, a question
/// twice, a 👎 with a note, a 👎 whose question was not recorded, and a question
/// from a server that does not record text.
fn story() -> Vec<Record> {
    let user = HashKey::new([1; 32]).user(9);
    vec![
        missed(1, Some("who made first kiss"), 50),
        missed(2, Some("Who made First Kiss??"), 40),
        missed(3, Some("who mde first kiss"), 30),
        Record::SuggestionTaken(SuggestionTaken {
            question: RecordId(3),
            at: store::now(),
            guild: Some(1),
            user,
            fact: "director".into(),
        }),
        missed(4, Some("what was the budget"), 20),
        missed(5, Some("what was the budget?"), 10),
        thumbs_down(6, 1, Some("how long is the film in seconds"), "film-length"),
        Record::Note {
            answer: RecordId(6),
            user: HashKey::new([1; 32]).user(1),
            text: "the exact running time".into(),
        },
        thumbs_down(7, 2, None, "song-title"),
        missed(8, None, 5),
        // Answered, confidently enough to be kept? No: a thumbs up is not listed.
        Record::Feedback(Feedback {
            answer: RecordId(9),
            at: store::now(),
            guild: Some(1),
            user,
            helpful: true,
            fact: Some("director".into()),
            confidence: 0.9,
            question: Some("who is the director".into()),
        }),
    ]
}

#[test]
fn review_groups_near_identical_questions_most_asked_first() {
    let (dir, _) = common::fixture_copy();
    let url = seed(&dir.path().join("records.db"), story());
    let text = ok(&bot(dir.path(), &["review", "--database", &url]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "4 questions to review, most asked first:", "{text}");
    assert!(lines[2].starts_with("  1. \"who made first kiss\"  ×3 (3 missed)"), "{text}");
    assert!(text.contains("also asked: \"Who made First Kiss??\", \"who mde first kiss\""), "{text}");
    assert!(text.contains("nearest: fact `director` (Who directed First Kiss), confidence"), "{text}");
    assert!(text.contains("fans took the suggestion: `director` ×1"), "{text}");
    assert!(
        text.contains("  2. \"what was the budget?\"  ×2 (2 missed)")
            || text.contains("  2. \"what was the budget\"  ×2 (2 missed)"),
        "{text}"
    );
    assert!(text.contains("\"how long is the film in seconds\"  ×1 (1 👎)"), "{text}");
    assert!(text.contains("👎 note: \"the exact running time\""), "{text}");
    assert!(text.contains("👎 on the answer `song-title` (question not recorded)"), "{text}");
    assert!(text.contains("1 more question was missed in servers that do not record question text"), "{text}");
    assert!(!text.contains("who is the director"), "a 👍 is not for review: {text}");

    // The JSON is the same listing, for scripts; FIRSTKISS_DATABASE names the record too.
    let output = Command::new(env!("CARGO_BIN_EXE_firstkiss-bot"))
        .args(["review", "--json"])
        .current_dir(dir.path())
        .env("FIRSTKISS_DATABASE", &url)
        .output()
        .unwrap();
    let json: Value = serde_json::from_str(&ok(&output)).expect("JSON");
    let first = &json["groups"][0];
    assert_eq!(first["number"], 1);
    assert_eq!(first["count"], 3);
    assert_eq!(first["wordings"].as_array().unwrap().len(), 3);
    assert_eq!(first["nearest"]["kind"], "fact");
    assert_eq!(first["nearest"]["id"], "director");
    assert_eq!(first["taken"], serde_json::json!([{"fact": "director", "count": 1}]));
    assert_eq!(json["groups"].as_array().unwrap().len(), 4);
    assert_eq!(json["unrecorded"], 1);

    // --since leaves out what is older.
    let recent: Value =
        serde_json::from_str(&ok(&bot(dir.path(), &["review", "--json", "--since", "0", "--database", &url]))).unwrap();
    assert_eq!(recent["groups"].as_array().unwrap().len(), 0, "{recent}");
}

#[test]
fn accept_adds_the_question_as_a_phrasing_keeping_the_file_and_the_bot_then_answers_it() {
    let (dir, kb) = common::fixture_copy();
    let url = seed(&dir.path().join("records.db"), story());
    let before = std::fs::read_to_string(&kb).unwrap();
    let asked = ok(&bot(dir.path(), &["ask", "--json", "who made first kiss"]));
    assert!(asked.contains("\"status\":\"unknown\""), "the fixture does not answer it yet: {asked}");

    let said = ok(&bot(dir.path(), &["review", "--database", &url, "--accept", "1", "director"]));
    assert!(
        said.starts_with("added \"who made first kiss\" (question 1) to the phrasings of fact `director`"),
        "{said}"
    );
    assert!(said.contains("the bot now answers it with `director`"), "{said}");
    let after = std::fs::read_to_string(&kb).unwrap();
    assert_eq!(
        after,
        before.replace(
            "questions = [\"who directed first kiss\", \"who is the director\"]",
            "questions = [\"who directed first kiss\", \"who is the director\", \"who made first kiss\"]"
        ),
        "only the one array changed; comments and layout kept"
    );
    assert!(after.starts_with("# A small, stable fact base"));
    assert!(ok(&bot(dir.path(), &["validate"])).contains("OK"));
    for question in ["who made first kiss", "Who made First Kiss??"] {
        let answer = ok(&bot(dir.path(), &["ask", "--json", question]));
        assert!(answer.contains("\"fact\":\"director\""), "{question}: {answer}");
    }
    // The accepted group is gone from the listing; the next is now number 1.
    let text = ok(&bot(dir.path(), &["review", "--database", &url]));
    assert!(!text.contains("first kiss"), "{text}");
    assert!(text.contains("  1. \"what was the budget"), "{text}");
    // No temporary file is left beside the base.
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn an_edit_that_would_not_load_is_refused_and_the_file_is_left_byte_for_byte() {
    let (dir, kb) = common::fixture_copy();
    let url = seed(&dir.path().join("records.db"), vec![thumbs_down(1, 1, Some("who is the director?"), "director")]);
    std::fs::write(
        &kb,
        std::fs::read_to_string(&kb).unwrap()
            + "\n# Open questions.\n[[unknown]]\nid = \"budget\"\nquestions = [\"what was the budget\"]  # keep\nreply = \"The documents don't give the budget.\"\n",
    )
    .unwrap();
    let before = std::fs::read(&kb).unwrap();
    // An unknown entry may not take a phrasing a fact has: the loader says so.
    let err = failed(&bot(dir.path(), &["review", "--database", &url, "--unknown", "1", "budget"]));
    assert!(err.starts_with("error: the edit was refused, and "), "{err}");
    assert!(err.contains("is also a phrasing of fact `director`"), "{err}");
    assert_eq!(std::fs::read(&kb).unwrap(), before);
    // Nor may a fact take a phrasing an unknown entry has.
    let url = seed(&dir.path().join("more.db"), vec![missed(2, Some("What was the budget?"), 1)]);
    let err = failed(&bot(dir.path(), &["review", "--database", &url, "--accept", "1", "song-title"]));
    assert!(err.contains("the edit was refused") && err.contains("also a phrasing of fact `song-title`"), "{err}");
    assert_eq!(std::fs::read(&kb).unwrap(), before);
    // A question number the listing does not have, and an entry the base does not have.
    let err = failed(&bot(dir.path(), &["review", "--database", &url, "--accept", "7", "director"]));
    assert!(err.contains("there is no question 7: the listing has 1"), "{err}");
    let err = failed(&bot(dir.path(), &["review", "--database", &url, "--unknown", "1", "nope"]));
    assert!(err.contains("has no [[unknown]] with id = \"nope\""), "{err}");
    assert_eq!(std::fs::read(&kb).unwrap(), before);
    // A mistyped database path is an error, not a new empty database.
    let err = failed(&bot(dir.path(), &["review", "--database", "sqlite://nope.db"]));
    assert_eq!(
        err,
        "error: there is no record at nope.db: pass --database URL (or set FIRSTKISS_DATABASE) to the bot's database\n"
    );
    assert!(!dir.path().join("nope.db").exists());
}

#[test]
fn unknown_adds_to_an_unknown_entry_and_dismiss_hides_a_question() {
    let (dir, kb) = common::fixture_copy();
    let url = seed(&dir.path().join("records.db"), story());
    let unknown = "\n# Open questions.\n[[unknown]]\nid = \"budget\"\nquestions = [\"how much did it cost\"]  # keep\nreply = \"The documents don't give the budget.\"\n";
    std::fs::write(&kb, std::fs::read_to_string(&kb).unwrap() + unknown).unwrap();
    let before = std::fs::read_to_string(&kb).unwrap();
    let said = ok(&bot(dir.path(), &["review", "--database", &url, "--unknown", "2", "budget"]));
    assert!(said.contains("to the phrasings of unknown entry `budget`"), "{said}");
    let after = std::fs::read_to_string(&kb).unwrap();
    assert!(
        after
            == before.replace(
                "[\"how much did it cost\"]  # keep",
                "[\"how much did it cost\", \"what was the budget?\"]  # keep"
            )
            || after
                == before.replace(
                    "[\"how much did it cost\"]  # keep",
                    "[\"how much did it cost\", \"what was the budget\"]  # keep"
                ),
        "{after}"
    );
    let answer = ok(&bot(dir.path(), &["ask", "--json", "what was the budget"]));
    assert!(answer.contains("\"gap\":\"budget\""), "the base now says what it leaves open: {answer}");

    // Dismissing question 1 hides it (and its other spellings) from later listings.
    let said = ok(&bot(dir.path(), &["review", "--database", &url, "--dismiss", "1"]));
    assert_eq!(said, "dismissed question 1, \"who made first kiss\": later listings leave it out\n");
    let text = ok(&bot(dir.path(), &["review", "--database", &url]));
    assert!(!text.contains("first kiss"), "{text}");
    assert!(text.starts_with("2 questions to review"), "{text}");
}

#[test]
fn coverage_lists_the_uncited_sentences_of_the_fixture_with_file_and_line() {
    let (dir, _) = common::fixture_copy();
    let text = ok(&bot(dir.path(), &["coverage"]));
    assert!(text.contains("sources/001_039ab0e369966f82.txt:5: It's a simple enough concept.\n"), "{text}");
    // Cited: the fact `director` quotes "said filmmaker Tatia Pilieva" from line 7.
    assert!(!text.contains("said filmmaker Tatia Pilieva"), "{text}");
    assert!(
        text.ends_with("total: 4 of 115 sentences cited (3%); 111 not cited by any fact or unknown entry\n"),
        "{text}"
    );
    let json: Value = serde_json::from_str(&ok(&bot(dir.path(), &["coverage", "--json"]))).unwrap();
    assert_eq!((json["sentences"].as_u64(), json["covered"].as_u64()), (Some(115), Some(4)));
    assert_eq!(
        json["documents"][0]["uncovered"][0],
        serde_json::json!({"line": 1, "text": "'First Kiss': The Story Behind Tuesday's Real Viral Hit"})
    );
    // A fact that cites one more sentence covers it.
    let kb = dir.path().join("knowledge.toml");
    let more = std::fs::read_to_string(&kb).unwrap().replace(
        "  quote = \"said filmmaker Tatia Pilieva\"",
        "  quote = \"said filmmaker Tatia Pilieva\"\n\n  [[fact.cite]]\n  source = \"mallin\"\n  quote = \"simple enough concept\"",
    );
    std::fs::write(&kb, more).unwrap();
    let text = ok(&bot(dir.path(), &["coverage"]));
    assert!(!text.contains("It's a simple enough concept."), "{text}");
    assert!(text.contains("total: 5 of 115 sentences cited (4%)"), "{text}");
}

/// The whole loop of issue 10, through the binary only: a fan in the mock asks
/// something the bot misses, takes a suggestion, gives a 👎 with a note and follows
/// a related fact; `review` shows the missed question; `review --accept` makes it a
/// phrasing; and the next `ask` answers it.
#[cfg(feature = "mock")]
#[test]
fn a_missed_question_in_the_mock_becomes_a_phrasing_the_bot_answers() {
    use std::io::Write;
    use std::process::Stdio;

    let (dir, _) = common::fixture_copy();
    let question = "who was behind the camera lens";
    let mut mock = Command::new(env!("CARGO_BIN_EXE_firstkiss-bot"))
        .args(["mock", "--database", "sqlite://record.db"])
        .current_dir(dir.path())
        .env_remove("FIRSTKISS_KNOWLEDGE")
        .env_remove("FIRSTKISS_DATABASE")
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the mock runs");
    let script =
        format!("/ask {question}\n[1]\n/ask who directed it\n[👎 the camera crew]\n[Related: The song in the film]\n");
    mock.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("the script is written");
    let out = mock.wait_with_output().expect("the mock ends");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(shown.contains("I don't know"), "the bot missed it first: {shown}");
    assert!(shown.contains("== The song in the film =="), "the related fact was followed: {shown}");

    let listing = ok(&bot(dir.path(), &["review", "--database", "sqlite://record.db", "--json"]));
    let listing: Value = serde_json::from_str(&listing).expect("JSON");
    let groups = listing["groups"].as_array().expect("the groups");
    let missed = groups
        .iter()
        .find(|g| g["question"] == question)
        .unwrap_or_else(|| panic!("the missed question is listed: {listing}"));
    assert_eq!(missed["missed"], 1, "{missed}");
    assert_eq!(missed["taken"][0]["fact"], "director", "the suggestion taken is counted: {missed}");
    let disliked =
        groups.iter().find(|g| g["question"] == "who directed it").expect("the 👎 is listed with its question");
    assert_eq!(disliked["unhelpful"], 1, "{disliked}");
    assert_eq!(disliked["notes"][0], "the camera crew", "{disliked}");
    let number = missed["number"].as_u64().expect("a group number").to_string();

    ok(&bot(dir.path(), &["review", "--database", "sqlite://record.db", "--accept", &number, "director"]));
    let answer = ok(&bot(dir.path(), &["ask", "--json", question]));
    let answer: Value = serde_json::from_str(&answer).expect("JSON");
    assert_eq!(answer["fact"], "director", "the next ask answers it: {answer}");
}
