//! The record: what fans asked that the bot missed, the feedback they gave, the
//! suggestions they took, and each server's settings. This is an adapter around the
//! domain (the library's `engine` never sees it): the Discord handler writes to it
//! through a [`Recorder`], which never makes a reply wait, and the curator's
//! `review` reads it.
//!
//! The backends: [`Store::memory`] (tests, and a bot run without a database) and
//! SQL (SQLite by default, PostgreSQL for several processes sharing the work).

mod memory;

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

pub use memory::Memory;

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

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database URL {0:?} is not one of sqlite://PATH, postgres://... or memory:")]
    BadUrl(String),
    #[error("database: {0}")]
    Database(String),
}

/// Where records are kept.
#[derive(Debug, Clone)]
pub enum Store {
    Memory(Memory),
}

impl Store {
    pub fn memory() -> Store {
        Store::Memory(Memory::default())
    }

    pub async fn write(&self, record: &Record) -> Result<(), StoreError> {
        match self {
            Store::Memory(m) => m.write(record),
        }
    }

    pub async fn guild_settings(&self) -> Result<Vec<(u64, GuildSettings)>, StoreError> {
        match self {
            Store::Memory(m) => Ok(m.guild_settings()),
        }
    }

    pub async fn save_guild_settings(&self, guild: u64, settings: &GuildSettings) -> Result<(), StoreError> {
        match self {
            Store::Memory(m) => {
                m.save_guild_settings(guild, settings.clone());
                Ok(())
            }
        }
    }
}

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
    queue: tokio::sync::mpsc::Sender<Record>,
    store: Store,
    key: HashKey,
}

impl Recorder {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(store: Store, key: HashKey) -> Recorder {
        let (queue, mut receive) = tokio::sync::mpsc::channel::<Record>(QUEUE);
        let writer = store.clone();
        tokio::spawn(async move {
            while let Some(record) = receive.recv().await {
                if let Err(e) = writer.write(&record).await {
                    tracing::warn!(error = %e, "a record was lost: the database refused it");
                }
            }
        });
        Recorder { queue, store, key }
    }

    pub fn record(&self, record: Record) {
        if let Err(e) = self.queue.try_send(record) {
            tracing::warn!(reason = %e, "a record was lost: the database is not keeping up");
        }
    }

    pub fn user(&self, user_id: u64) -> UserKey {
        self.key.user(user_id)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
}
