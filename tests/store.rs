//! The record against real databases: SQLite (a file in a temporary folder) always,
//! and PostgreSQL when `FIRSTKISS_TEST_POSTGRES` names a server (`.ci/run` starts
//! one; `.ci/postgres.sh start DIR` does it by hand). Without it, each test says
//! "SKIPPED: PostgreSQL tests" on standard error, past libtest's capture, so a plain
//! `cargo test` shows it: never a silent pass. Each PostgreSQL test runs in a
//! database of its own.

#[path = "common/captured.rs"]
mod captured;

use captured::Captured;
use std::io::Write;
use std::time::{Duration, Instant};

use firstkiss::store::{
    self, Asked, DatabaseUrl, Feedback, GuildSettings, HashKey, Record, RecordId, RecordSettings, Recorder, Store,
    SuggestionTaken,
};

const POSTGRES_ENV: &str = "FIRSTKISS_TEST_POSTGRES";

/// One database to run a test on, removed when dropped (the SQLite folder) or at
/// [`Db::finish`] (the PostgreSQL database).
struct Db {
    name: &'static str,
    url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl Db {
    async fn finish(self) {
        if let Some((admin, database)) = &self.postgres {
            if let Ok(pool) = sqlx::PgPool::connect(admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).execute(&pool).await;
                pool.close().await;
            }
        }
    }
}

/// A fresh SQLite file, and a fresh PostgreSQL database if a server is set.
async fn databases(test: &str) -> Vec<Db> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("records.db").display());
    let mut all = vec![Db { name: "sqlite", url, _dir: Some(dir), postgres: None }];
    match std::env::var(POSTGRES_ENV).ok().filter(|v| !v.trim().is_empty()) {
        None => {
            // Straight to the process's stderr: libtest hides a passing test's
            // `eprintln!`, and a skip must show in a plain `cargo test`.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: PostgreSQL tests ({test}): set {POSTGRES_ENV}=postgres://USER@HOST:PORT/DB (.ci/run does, with .ci/postgres.sh)"
            );
        }
        Some(admin) => {
            let pool = sqlx::PgPool::connect(&admin).await.unwrap_or_else(|e| panic!("{POSTGRES_ENV} is set but: {e}"));
            let database = format!("fk_{}_{}", test, RecordId::random());
            sqlx::query(&format!("CREATE DATABASE {database}")).execute(&pool).await.expect("CREATE DATABASE");
            pool.close().await;
            let (base, _) = admin.rsplit_once('/').expect("a database URL has a path");
            let url = format!("{base}/{database}");
            all.push(Db { name: "postgres", url, _dir: None, postgres: Some((admin, database)) });
        }
    }
    all
}

fn key() -> HashKey {
    HashKey::new([7; 32])
}

fn asked(id: u64, at: i64, text: Option<&str>, answered: bool) -> Asked {
    Asked {
        id: RecordId(id),
        at,
        guild: Some(1_234_567_890_123_456_789),
        text: text.map(str::to_string),
        fact: Some("director".into()),
        confidence: 0.5,
        answered,
    }
}

fn feedback(answer: u64, user: u64, at: i64, helpful: bool) -> Feedback {
    Feedback {
        answer: RecordId(answer),
        at,
        guild: Some(9),
        user: key().user(user),
        helpful,
        fact: Some("director".into()),
        confidence: 0.71,
        question: Some("who directed it".into()),
    }
}

#[tokio::test]
async fn migrations_apply_on_a_fresh_database_and_again_on_a_migrated_one() {
    for db in databases("migrate").await {
        let store = Store::connect(&db.url).await.unwrap_or_else(|e| panic!("{}: {e}", db.name));
        store.write(&Record::Asked(asked(1, store::now(), None, false))).await.unwrap();
        store.close().await;
        // Opening again applies nothing new and keeps what was written.
        let again = Store::connect(&db.url).await.unwrap_or_else(|e| panic!("{}: reopening: {e}", db.name));
        assert_eq!(again.review_records(0).await.unwrap().asked.len(), 1, "{}", db.name);
        again.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn a_missing_sqlite_file_is_created_and_a_missing_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    Store::connect(&format!("sqlite:{}", path.display())).await.unwrap().close().await;
    assert!(path.is_file());
    let err = Store::connect(&format!("sqlite://{}/no/such/folder/x.db", dir.path().display())).await.unwrap_err();
    assert!(err.to_string().starts_with("cannot open the database sqlite://"), "{err}");
    assert!(matches!(Store::connect("memory:").await, Ok(Store::Memory(_))));
    assert!(Store::connect("mysql://x/y").await.unwrap_err().to_string().contains("is not one of"));
}

#[tokio::test]
async fn a_postgresql_server_that_is_down_is_a_prompt_one_line_error_without_the_password() {
    // Port 1 on loopback: nothing listens there.
    let started = Instant::now();
    let err = Store::connect("postgres://fk:averysecretpassword@127.0.0.1:1/fk").await.unwrap_err().to_string();
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(err.starts_with("cannot open the database postgres://fk:***@127.0.0.1:1/fk: "), "{err}");
    assert!(err.to_lowercase().contains("refused"), "says why: {err}");
    assert!(!err.contains("averysecretpassword") && !err.contains('\n'), "{err}");
}

#[tokio::test]
async fn each_record_kind_is_written_and_read_back() {
    for db in databases("kinds").await {
        let store = Store::connect(&db.url).await.unwrap();
        let now = store::now();
        let question = asked(RecordId::random().0, now, Some("who direted it??"), false);
        let unrecorded = asked((1 << 63) - 1, now, None, true);
        let thumbs = feedback(77, 1, now, false);
        let taken = SuggestionTaken {
            question: question.id,
            at: now,
            guild: None,
            user: key().user(5),
            fact: "director".into(),
        };
        for record in [
            Record::Asked(question.clone()),
            Record::Asked(unrecorded.clone()),
            Record::Feedback(thumbs.clone()),
            Record::SuggestionTaken(taken.clone()),
        ] {
            store.write(&record).await.unwrap_or_else(|e| panic!("{}: {e}", db.name));
        }
        let read = store.review_records(now - 10).await.unwrap();
        let mut got = read.asked.clone();
        got.sort_by_key(|a| a.id);
        let mut want = vec![question.clone(), unrecorded.clone()];
        want.sort_by_key(|a| a.id);
        assert_eq!(got, want, "{}", db.name);
        assert_eq!(read.feedback, vec![(thumbs.clone(), None)], "{}", db.name);
        assert_eq!(read.suggestions, vec![taken.clone()], "{}", db.name);
        // `since` excludes older records.
        assert!(store.review_records(now + 1).await.unwrap().asked.is_empty(), "{}", db.name);
        store.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn feedback_counts_once_per_user_per_answer_and_a_note_attaches_to_it() {
    for db in databases("feedback").await {
        let store = Store::connect(&db.url).await.unwrap();
        let now = store::now();
        let first = feedback(10, 1, now, false);
        store.write(&Record::Feedback(first.clone())).await.unwrap();
        // The same user clicking again (either button) changes nothing.
        store.write(&Record::Feedback(feedback(10, 1, now, true))).await.unwrap();
        store.write(&Record::Feedback(feedback(10, 1, now, false))).await.unwrap();
        // Another user, and the same user on another answer, each count.
        store.write(&Record::Feedback(feedback(10, 2, now, true))).await.unwrap();
        store.write(&Record::Feedback(feedback(11, 1, now, false))).await.unwrap();
        let note = "the name of the song";
        store.write(&Record::Note { answer: RecordId(10), user: key().user(1), text: note.into() }).await.unwrap();
        // A note with no feedback to attach to is dropped, not an error.
        store.write(&Record::Note { answer: RecordId(99), user: key().user(1), text: "x".into() }).await.unwrap();
        let all = store.review_records(0).await.unwrap().feedback;
        assert_eq!(all.len(), 3, "{}: {all:?}", db.name);
        let ten_one: Vec<_> = all.iter().filter(|(f, _)| f.answer == RecordId(10) && f.user == key().user(1)).collect();
        assert_eq!(ten_one, vec![&(first.clone(), Some(note.to_string()))], "{}", db.name);
        assert!(all
            .iter()
            .filter(|(f, _)| f.answer != RecordId(10) || f.user != key().user(1))
            .all(|(_, n)| n.is_none()));
        store.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn guild_settings_survive_reopening_and_are_replaced_not_duplicated() {
    for db in databases("settings").await {
        let store = Store::connect(&db.url).await.unwrap();
        let first = GuildSettings { record_questions: Some(true), qa_channels: Some(vec![1, 2]), ..Default::default() };
        store.save_guild_settings(42, &first).await.unwrap();
        let second = GuildSettings { unprompted_threshold: Some(0.9), ..first.clone() };
        store.save_guild_settings(42, &second).await.unwrap();
        store.save_guild_settings(u64::from(u32::MAX) << 20, &GuildSettings::default()).await.unwrap();
        store.close().await;
        let reopened = Store::connect(&db.url).await.unwrap();
        let all = reopened.guild_settings().await.unwrap();
        assert_eq!(all, vec![(42, second), (u64::from(u32::MAX) << 20, GuildSettings::default())], "{}", db.name);
        reopened.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn prune_deletes_records_older_than_the_retention_and_keeps_settings() {
    for db in databases("prune").await {
        let store = Store::connect(&db.url).await.unwrap();
        let now = store::now();
        let day = 86_400;
        let old = now - 91 * day;
        store.write(&Record::Asked(asked(1, old, Some("old"), false))).await.unwrap();
        store.write(&Record::Asked(asked(2, now - day, Some("recent"), false))).await.unwrap();
        store.write(&Record::Feedback(feedback(3, 1, old, false))).await.unwrap();
        store.write(&Record::Feedback(feedback(4, 1, now, false))).await.unwrap();
        let taken =
            |at| SuggestionTaken { question: RecordId(1), at, guild: None, user: key().user(1), fact: "f".into() };
        store.write(&Record::SuggestionTaken(taken(old))).await.unwrap();
        store
            .save_guild_settings(5, &GuildSettings { record_questions: Some(true), ..Default::default() })
            .await
            .unwrap();
        let pruned = store.prune(Duration::from_secs(90 * day as u64)).await.unwrap();
        assert_eq!(pruned, 3, "{}", db.name);
        let left = store.review_records(0).await.unwrap();
        assert_eq!(left.asked.iter().map(|a| a.id.0).collect::<Vec<_>>(), [2], "{}", db.name);
        assert_eq!(left.feedback.iter().map(|(f, _)| f.answer.0).collect::<Vec<_>>(), [4], "{}", db.name);
        assert!(left.suggestions.is_empty(), "{}", db.name);
        assert_eq!(store.guild_settings().await.unwrap().len(), 1, "{}: settings are not records", db.name);
        store.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn dismissed_questions_are_kept() {
    for db in databases("dismiss").await {
        let store = Store::connect(&db.url).await.unwrap();
        store.dismiss(&["who directed it".into(), "b".into()]).await.unwrap();
        store.dismiss(&["b".into()]).await.unwrap();
        assert_eq!(store.review_records(0).await.unwrap().dismissed, ["b", "who directed it"], "{}", db.name);
        store.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn start_up_opens_migrates_prunes_and_keeps_the_hash_key_beside_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fk.db");
    let records = RecordSettings {
        database: DatabaseUrl::Sqlite(path.clone()),
        retention: Duration::from_secs(86_400),
        review_confidence: 0.75,
        record_questions: false,
        hash_key_file: None,
        config_dir: dir.path().to_path_buf(),
    };
    let (store, key) = store::open(&records).await.unwrap();
    store.write(&Record::Asked(asked(1, store::now() - 2 * 86_400, None, false))).await.unwrap();
    store.close().await;
    let (store, again) = store::open(&records).await.unwrap();
    assert!(store.review_records(0).await.unwrap().asked.is_empty(), "pruned at start-up");
    assert_eq!(key.user(1), again.user(1), "the same key after a restart");
    assert!(dir.path().join("fk.db.key").is_file());
    store.close().await;
}

#[tokio::test]
async fn a_database_gone_while_the_recorder_runs_costs_a_log_line_not_a_panic() {
    for db in databases("gone").await {
        let logs = Captured::default();
        let subscriber = tracing_subscriber::fmt().with_writer(logs.clone()).with_ansi(false).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let store = Store::connect(&db.url).await.unwrap();
        let recorder = Recorder::start(store.clone(), key());
        recorder.record(Record::Asked(asked(1, store::now(), None, false)));
        let deadline = Instant::now() + Duration::from_secs(10);
        while store.review_records(0).await.unwrap().asked.is_empty() {
            assert!(Instant::now() < deadline, "{}: the first record was never written", db.name);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        store.close().await;
        // `record` is not async: the reply goes on whatever the database does.
        recorder.record(Record::Asked(asked(2, store::now(), None, false)));
        let lost = loop {
            let text = logs.text();
            if text.contains("a record was lost") {
                break text;
            }
            assert!(Instant::now() < deadline, "{}: no log line for the lost record: {text}", db.name);
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(lost.contains("WARN"), "{}: {lost}", db.name);
        assert!(!lost.contains("panicked"), "{}: {lost}", db.name);
        // The writer lives on: a record after the failure is still taken (and lost).
        recorder.record(Record::Asked(asked(3, store::now(), None, false)));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let lines = String::from_utf8_lossy(&logs.0.lock().unwrap()).matches("a record was lost").count();
        assert_eq!(lines, 2, "{}: one line per lost record", db.name);
        db.finish().await;
    }
}
