//! The record: what fans asked that the bot missed, the feedback they gave, the
//! suggestions they took, and each server's settings. This is an adapter around the
//! domain (the library's `engine` never sees it): the Discord handler writes to it
//! through a [`Recorder`], which never makes a reply wait, and the curator's
//! `review` reads it.
//!
//! The backends: [`Store::memory`] (tests, and a bot run without a database) and
//! SQL (SQLite by default, PostgreSQL for several processes sharing the work).

pub mod key;
mod memory;
mod sql;
mod url;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

pub use memory::Memory;
pub use sql::Sql;
pub use url::DatabaseUrl;

/// A record's id: made by the bot (not the database), so that a reply can carry it
/// in a button's custom id without waiting for the write. Printed in base 36.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordId(pub u64);

impl RecordId {
    /// A fresh id, unpredictable and unique for all practical purposes.
    pub fn random() -> RecordId {
        // 63 bits, so that PostgreSQL's signed BIGINT holds every id.
        RecordId(rand_u64() >> 1)
    }

    pub fn parse(text: &str) -> Option<RecordId> {
        u64::from_str_radix(text, 36).ok().filter(|&n| n < 1 << 63).map(RecordId)
    }
}

impl std::fmt::Display for RecordId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut n = self.0;
        let mut out = [0u8; 13];
        let mut at = out.len();
        loop {
            at -= 1;
            out[at] = DIGITS[(n % 36) as usize];
            n /= 36;
            if n == 0 {
                break;
            }
        }
        f.write_str(std::str::from_utf8(&out[at..]).expect("ASCII digits"))
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    // std's RandomState is seeded from the OS; a counter makes each call differ.
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    h.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    h.finish()
}

/// A user as the record knows them: a keyed hash of their Discord id, enough to
/// count each user's click once and never the id itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserKey(pub [u8; 16]);

/// Seconds since the Unix epoch.
pub type Timestamp = i64;

pub fn now() -> Timestamp {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// A question the bot did not answer, or answered below the review confidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asked {
    pub id: RecordId,
    pub at: Timestamp,
    pub guild: Option<u64>,
    /// The question's text: only where the server has turned recording on.
    pub text: Option<String>,
    /// The best fact (answered or suggested first), by id.
    pub fact: Option<String>,
    pub confidence: f32,
    pub answered: bool,
}

/// A 👍 or 👎 on an answer. At most one per user per answer is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    /// The answer's record id (the one its buttons carry).
    pub answer: RecordId,
    pub at: Timestamp,
    pub guild: Option<u64>,
    pub user: UserKey,
    pub helpful: bool,
    pub fact: Option<String>,
    pub confidence: f32,
    /// The question answered: only where the server records questions.
    pub question: Option<String>,
}

/// A fan took a "did you mean" suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionTaken {
    /// The record of the question that was not answered.
    pub question: RecordId,
    pub at: Timestamp,
    pub guild: Option<u64>,
    pub user: UserKey,
    pub fact: String,
}

/// One write, as the [`Recorder`] queues it.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Asked(Asked),
    Feedback(Feedback),
    /// What a 👎 was looking for (the modal's text), added to that feedback.
    Note {
        answer: RecordId,
        user: UserKey,
        text: String,
    },
    SuggestionTaken(SuggestionTaken),
}

/// A server's own settings: each `None` falls back to `config.toml`'s default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GuildSettings {
    pub qa_channels: Option<Vec<u64>>,
    pub unprompted: Option<bool>,
    pub unprompted_threshold: Option<f32>,
    pub user_cooldown_seconds: Option<f64>,
    pub channel_cooldown_seconds: Option<f64>,
    pub record_questions: Option<bool>,
    pub private_by_default: Option<bool>,
}

/// What `review` reads: the records since a time, and the questions a curator
/// dismissed (by normalised text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewRecords {
    pub asked: Vec<Asked>,
    /// Every 👍 and 👎, each with its note, if any.
    pub feedback: Vec<(Feedback, Option<String>)>,
    pub suggestions: Vec<SuggestionTaken>,
    pub dismissed: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database URL {0:?} is not one of sqlite://PATH, postgres://... or memory:")]
    BadUrl(String),
    #[error("database: {0}")]
    Database(String),
    #[error("cannot open the database {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("cannot bring the database {url} up to date (migrations/): {reason}")]
    Migrate { url: String, reason: String },
    #[error("the key that hashes user ids ({path}): {reason}")]
    Key { path: String, reason: String },
}

/// Where records are kept.
#[derive(Debug, Clone)]
pub enum Store {
    Memory(Memory),
    Sql(Sql),
}

impl Store {
    pub fn memory() -> Store {
        Store::Memory(Memory::default())
    }

    /// Opens the store `url` names (see [`DatabaseUrl::parse`]): connects, creates a
    /// SQLite file that is missing, and applies the migrations not yet applied.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::open(&DatabaseUrl::parse(url)?).await
    }

    pub async fn open(url: &DatabaseUrl) -> Result<Store, StoreError> {
        match url {
            DatabaseUrl::Memory => Ok(Store::memory()),
            url => Ok(Store::Sql(Sql::connect(url).await?)),
        }
    }

    pub async fn write(&self, record: &Record) -> Result<(), StoreError> {
        match self {
            Store::Memory(m) => m.write(record),
            Store::Sql(s) => s.write(record).await,
        }
    }

    pub async fn guild_settings(&self) -> Result<Vec<(u64, GuildSettings)>, StoreError> {
        match self {
            Store::Memory(m) => Ok(m.guild_settings()),
            Store::Sql(s) => s.guild_settings().await,
        }
    }

    pub async fn save_guild_settings(&self, guild: u64, settings: &GuildSettings) -> Result<(), StoreError> {
        match self {
            Store::Memory(m) => {
                m.save_guild_settings(guild, settings.clone());
                Ok(())
            }
            Store::Sql(s) => s.save_guild_settings(guild, settings).await,
        }
    }

    /// Deletes the records (and dismissals) older than `older_than`; returns how many.
    /// Settings are kept: they are the servers' choices, not records of anyone.
    pub async fn prune(&self, older_than: Duration) -> Result<u64, StoreError> {
        let before = now().saturating_sub(i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX));
        match self {
            Store::Memory(m) => Ok(m.prune(before)),
            Store::Sql(s) => s.prune(before).await,
        }
    }

    /// The records at or after `since`, for `review`.
    pub async fn review_records(&self, since: Timestamp) -> Result<ReviewRecords, StoreError> {
        match self {
            Store::Memory(m) => Ok(m.review_records(since)),
            Store::Sql(s) => s.review_records(since).await,
        }
    }

    /// Hides questions (by normalised text) from later `review` listings.
    pub async fn dismiss(&self, questions: &[String]) -> Result<(), StoreError> {
        match self {
            Store::Memory(m) => {
                m.dismiss(questions);
                Ok(())
            }
            Store::Sql(s) => s.dismiss(questions, now()).await,
        }
    }

    /// Closes the connections: later writes fail (as when the database goes away).
    pub async fn close(&self) {
        if let Store::Sql(s) = self {
            s.close().await;
        }
    }
}

/// The `[records]` settings, resolved: what start-up needs to open the record.
#[derive(Debug, Clone)]
pub struct RecordSettings {
    pub database: DatabaseUrl,
    /// Records older than this are deleted at start-up, daily, and by `review`.
    pub retention: Duration,
    /// Answers below this confidence are recorded for review; so are all questions
    /// not answered.
    pub review_confidence: f32,
    /// The default for servers that have not chosen: whether question text is kept.
    pub record_questions: bool,
    /// The key file named in the config, if any (see [`key`]).
    pub hash_key_file: Option<PathBuf>,
    /// The config file's folder: where a PostgreSQL store's key file is by default.
    pub config_dir: PathBuf,
}

impl RecordSettings {
    /// Where the key that hashes user ids is kept for this database (see [`key`]);
    /// `None` for `memory:`, which gets a random key each run.
    pub fn key_file(&self) -> Option<PathBuf> {
        if let Some(file) = &self.hash_key_file {
            return Some(file.clone());
        }
        match &self.database {
            DatabaseUrl::Memory => None,
            DatabaseUrl::Sqlite(path) => {
                let mut name = path.clone().into_os_string();
                name.push(".key");
                Some(PathBuf::from(name))
            }
            DatabaseUrl::Postgres(_) => Some(self.config_dir.join("firstkiss.key")),
        }
    }
}

/// The record as the bot starts it: opens (and creates, and migrates) the database,
/// prunes what is older than the retention period (now, and daily after), and loads
/// the key that hashes user ids. Call it on the bot's Tokio runtime. A database that cannot be opened stops the start with this error: the
/// servers' settings live there, and a bot that went on with the defaults would
/// answer where a server turned it off and keep what a server asked not to.
pub async fn open(records: &RecordSettings) -> Result<(Store, HashKey), StoreError> {
    use tracing::Instrument;
    let span = tracing::info_span!("records", database = %records.database);
    async {
        // The database first: one that cannot be opened leaves no key file behind.
        let store = Store::open(&records.database).await?;
        let key = match records.key_file() {
            None => key::ephemeral()?,
            Some(file) => key::load(std::env::var(key::HASH_KEY_ENV).ok().as_deref(), &file)?,
        };
        let pruned = store.prune(records.retention).await?;
        tracing::info!(pruned, retention_days = records.retention.as_secs() / 86_400, "records open");
        // A bot that runs for months must not keep records past the retention either.
        tokio::spawn(prune_daily(store.clone(), records.retention).instrument(tracing::Span::current()));
        Ok((store, key))
    }
    .instrument(span)
    .await
}

/// Prunes once a day, for as long as the process runs. A failure is a log line; the
/// next day tries again.
async fn prune_daily(store: Store, retention: Duration) {
    let mut days = tokio::time::interval_at(tokio::time::Instant::now() + DAY, DAY);
    loop {
        days.tick().await;
        match store.prune(retention).await {
            Ok(pruned) => tracing::info!(pruned, "old records pruned"),
            Err(e) => tracing::warn!(error = %e, "old records could not be pruned; trying again tomorrow"),
        }
    }
}

const DAY: Duration = Duration::from_secs(86_400);

/// The key the user ids are hashed with. Whoever holds the database and not this
/// key cannot tell which Discord user a record counts.
#[derive(Clone)]
pub struct HashKey([u8; 32]);

impl HashKey {
    pub fn new(key: [u8; 32]) -> HashKey {
        HashKey(key)
    }

    pub fn user(&self, user_id: u64) -> UserKey {
        let hash = blake3::keyed_hash(&self.0, &user_id.to_le_bytes());
        let mut key = [0; 16];
        key.copy_from_slice(&hash.as_bytes()[..16]);
        UserKey(key)
    }
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey([redacted])")
    }
}

/// How many records may wait for the database before new ones are dropped.
const QUEUE: usize = 4096;

/// The handler's side of the record: [`Recorder::record`] queues a write and
/// returns at once; one task writes them in order. A database that is slow, down
/// or full costs a log line per lost record, never a reply.
#[derive(Debug, Clone)]
pub struct Recorder {
    queue: tokio::sync::mpsc::Sender<Queued>,
    store: Store,
    key: HashKey,
}

/// What the writer task takes, in order: a record to write, or a caller waiting
/// until every record queued before it is written.
#[derive(Debug)]
enum Queued {
    Record(Box<Record>),
    Flush(tokio::sync::oneshot::Sender<()>),
}

impl Recorder {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(store: Store, key: HashKey) -> Recorder {
        let (queue, mut receive) = tokio::sync::mpsc::channel::<Queued>(QUEUE);
        let writer = store.clone();
        tokio::spawn(async move {
            while let Some(queued) = receive.recv().await {
                match queued {
                    Queued::Record(record) => {
                        if let Err(e) = writer.write(&record).await {
                            tracing::warn!(error = %e, "a record was lost: the database refused it");
                        }
                    }
                    Queued::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
        Recorder { queue, store, key }
    }

    pub fn record(&self, record: Record) {
        if let Err(e) = self.queue.try_send(Queued::Record(Box::new(record))) {
            tracing::warn!(reason = %e, "a record was lost: the database is not keeping up");
        }
    }

    /// Waits, up to `deadline`, until every record queued so far is written: at
    /// shutdown the writer task dies with the runtime, and a record queued a moment
    /// before (the last fan's 👎 note) would go with it. Whether all were written.
    pub async fn flush(&self, deadline: std::time::Duration) -> bool {
        let (done, written) = tokio::sync::oneshot::channel();
        let flushed = async { self.queue.send(Queued::Flush(done)).await.is_ok() && written.await.is_ok() };
        tokio::time::timeout(deadline, flushed).await.unwrap_or(false)
    }

    pub fn user(&self, user_id: u64) -> UserKey {
        self.key.user(user_id)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the handler queued just before shutdown is in the store once `flush`
    /// returns, though the writer task runs on its own.
    #[tokio::test]
    async fn flush_waits_for_every_record_queued_before_it() {
        let key = HashKey::new([7; 32]);
        let recorder = Recorder::start(Store::memory(), key.clone());
        for n in 0..200 {
            recorder.record(Record::SuggestionTaken(SuggestionTaken {
                question: RecordId(n),
                at: now(),
                guild: Some(1),
                user: key.user(n),
                fact: "director".into(),
            }));
        }
        assert!(recorder.flush(std::time::Duration::from_secs(10)).await, "the writer keeps up");
        let written = recorder.store().review_records(0).await.expect("the memory store reads");
        assert_eq!(written.suggestions.len(), 200);
    }
}
