//! The SQL backend: SQLite (a file, created and migrated at start-up) or PostgreSQL
//! (several processes sharing the work). Both run the same queries through sqlx's
//! typed drivers, written once: `on_pool!` expands each body for both pools. sqlx's
//! `Any` driver would be one pool type, but it maps types by what the database
//! reports, so a SQLite `BOOLEAN` or an aggregate decodes differently from its
//! PostgreSQL twin; the typed drivers decode each column as declared. The schema is
//! in `migrations/`, one folder per dialect (BLOB/BYTEA, REAL/DOUBLE PRECISION).

use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::Connection;
use sqlx::Row;

use super::{
    Asked, DatabaseUrl, Feedback, GuildSettings, Record, RecordId, ReviewRecords, StoreError, SuggestionTaken,
    Timestamp, UserKey,
};

/// How long start-up (or a write) waits for a connection before it gives up: a
/// database that is down says so in seconds, not minutes.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct Sql {
    pool: Pool,
    /// The URL with any password masked, for messages.
    shown: String,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$p` bound to whichever pool this is: the same query text and
/// binds for both dialects (`$1`-style placeholders, which SQLite also takes).
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            Pool::Sqlite($p) => $body,
            Pool::Postgres($p) => $body,
        }
    };
}

/// The migrations, compiled in so that the binary needs no `migrations/` folder.
#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

const SQLITE_MIGRATIONS: Embedded =
    Embedded(&[(1, "records", include_str!("../../migrations/sqlite/0001_records.sql"))]);
const POSTGRES_MIGRATIONS: Embedded =
    Embedded(&[(1, "records", include_str!("../../migrations/postgres/0001_records.sql"))]);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        let migrations = self
            .0
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(version, description.into(), MigrationType::Simple, sql.into(), false)
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}

impl Sql {
    /// Connects and brings the schema up to date. A SQLite file that does not exist
    /// is created (its folder must exist).
    pub async fn connect(url: &DatabaseUrl) -> Result<Sql, StoreError> {
        let shown = url.to_string();
        let failed = |e: sqlx::Error| StoreError::Connect { url: shown.clone(), reason: describe(&e) };
        let (pool, migrations) = match url {
            DatabaseUrl::Sqlite(path) => {
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    // Readers (review) do not block the bot's writes, nor it them.
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(5));
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(failed)?;
                (Pool::Sqlite(pool), SQLITE_MIGRATIONS)
            }
            DatabaseUrl::Postgres(text) => {
                let options = PgConnectOptions::from_str(text).map_err(failed)?;
                // One connection first, so that a server that is down or refuses the
                // login says why at once: the pool would retry until its timeout and
                // then say only that.
                let first = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
                    .await
                    .map_err(|_| failed(sqlx::Error::PoolTimedOut))?
                    .map_err(failed)?;
                let _ = first.close().await;
                let pool = PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(failed)?;
                (Pool::Postgres(pool), POSTGRES_MIGRATIONS)
            }
            DatabaseUrl::Memory => unreachable!("Store::connect keeps memory: in memory"),
        };
        let migrator = Migrator::new(migrations)
            .await
            .map_err(|e| StoreError::Migrate { url: shown.clone(), reason: e.to_string() })?;
        let migrated = on_pool!(&pool, |p| migrator.run(p).await);
        migrated.map_err(|e| StoreError::Migrate { url: shown.clone(), reason: e.to_string() })?;
        Ok(Sql { pool, shown })
    }

    pub async fn write(&self, record: &Record) -> Result<(), StoreError> {
        let done = match record {
            Record::Asked(a) => on_pool!(&self.pool, |p| {
                sqlx::query(
                    "INSERT INTO asked (id, at, guild, text, fact, confidence, answered)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
                )
                .bind(id(a.id))
                .bind(a.at)
                .bind(guild(a.guild))
                .bind(a.text.as_deref())
                .bind(a.fact.as_deref())
                .bind(f64::from(a.confidence))
                .bind(a.answered)
                .execute(p)
                .await
                .map(drop)
            }),
            // The first click of a user on an answer is the one kept, as in memory.
            Record::Feedback(f) => on_pool!(&self.pool, |p| {
                sqlx::query(
                    "INSERT INTO feedback (answer, user_key, at, guild, helpful, fact, confidence, question)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (answer, user_key) DO NOTHING",
                )
                .bind(id(f.answer))
                .bind(&f.user.0[..])
                .bind(f.at)
                .bind(guild(f.guild))
                .bind(f.helpful)
                .bind(f.fact.as_deref())
                .bind(f64::from(f.confidence))
                .bind(f.question.as_deref())
                .execute(p)
                .await
                .map(drop)
            }),
            Record::Note { answer, user, text } => on_pool!(&self.pool, |p| {
                sqlx::query("UPDATE feedback SET note = $1 WHERE answer = $2 AND user_key = $3")
                    .bind(text.as_str())
                    .bind(id(*answer))
                    .bind(&user.0[..])
                    .execute(p)
                    .await
                    .map(drop)
            }),
            Record::SuggestionTaken(s) => on_pool!(&self.pool, |p| {
                sqlx::query(
                    "INSERT INTO suggestion_taken (question, user_key, at, guild, fact) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id(s.question))
                .bind(&s.user.0[..])
                .bind(s.at)
                .bind(guild(s.guild))
                .bind(s.fact.as_str())
                .execute(p)
                .await
                .map(drop)
            }),
        };
        done.map_err(|e| self.error(e))
    }

    pub async fn guild_settings(&self) -> Result<Vec<(u64, GuildSettings)>, StoreError> {
        let rows: Vec<(i64, String)> = on_pool!(&self.pool, |p| {
            sqlx::query_as("SELECT guild, settings FROM guild_settings ORDER BY guild").fetch_all(p).await
        })
        .map_err(|e| self.error(e))?;
        let mut all = Vec::with_capacity(rows.len());
        for (guild, json) in rows {
            // A row this version cannot read (written by a newer one, or by hand) is
            // that server back on the defaults, said once, not the whole bot down.
            match serde_json::from_str(&json) {
                Ok(settings) => all.push((guild as u64, settings)),
                Err(e) => {
                    tracing::warn!(guild, error = %e, "a server's stored settings are unreadable; it uses the defaults")
                }
            }
        }
        Ok(all)
    }

    pub async fn save_guild_settings(&self, guild: u64, settings: &GuildSettings) -> Result<(), StoreError> {
        let json = serde_json::to_string(settings).map_err(|e| StoreError::Database(e.to_string()))?;
        on_pool!(&self.pool, |p| {
            sqlx::query(
                "INSERT INTO guild_settings (guild, settings, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (guild) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
            )
            .bind(guild as i64)
            .bind(json.as_str())
            .bind(super::now())
            .execute(p)
            .await
            .map(drop)
        })
        .map_err(|e| self.error(e))
    }

    /// Deletes every record (and dismissal) from before `before`; returns how many.
    pub async fn prune(&self, before: Timestamp) -> Result<u64, StoreError> {
        let mut deleted = 0;
        for table in ["asked", "feedback", "suggestion_taken", "dismissed"] {
            let sql = format!("DELETE FROM {table} WHERE at < $1");
            let done =
                on_pool!(&self.pool, |p| sqlx::query(&sql).bind(before).execute(p).await.map(|r| r.rows_affected()));
            deleted += done.map_err(|e| self.error(e))?;
        }
        Ok(deleted)
    }

    pub async fn review_records(&self, since: Timestamp) -> Result<ReviewRecords, StoreError> {
        let asked = on_pool!(&self.pool, |p| {
            sqlx::query(
                "SELECT id, at, guild, text, fact, confidence, answered FROM asked WHERE at >= $1 ORDER BY at, id",
            )
            .bind(since)
            .fetch_all(p)
            .await
            .and_then(|rows| {
                rows.iter()
                    .map(|r| {
                        Ok(Asked {
                            id: RecordId(r.try_get::<i64, _>("id")? as u64),
                            at: r.try_get("at")?,
                            guild: r.try_get::<Option<i64>, _>("guild")?.map(|g| g as u64),
                            text: r.try_get("text")?,
                            fact: r.try_get("fact")?,
                            confidence: r.try_get::<f64, _>("confidence")? as f32,
                            answered: r.try_get("answered")?,
                        })
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()
            })
        })
        .map_err(|e| self.error(e))?;
        let feedback = on_pool!(&self.pool, |p| {
            sqlx::query(
                "SELECT answer, user_key, at, guild, helpful, fact, confidence, question, note FROM feedback
                 WHERE at >= $1 ORDER BY at, answer, user_key",
            )
            .bind(since)
            .fetch_all(p)
            .await
            .and_then(|rows| {
                rows.iter()
                    .map(|r| {
                        let f = Feedback {
                            answer: RecordId(r.try_get::<i64, _>("answer")? as u64),
                            at: r.try_get("at")?,
                            guild: r.try_get::<Option<i64>, _>("guild")?.map(|g| g as u64),
                            user: user_key(r.try_get("user_key")?)?,
                            helpful: r.try_get("helpful")?,
                            fact: r.try_get("fact")?,
                            confidence: r.try_get::<f64, _>("confidence")? as f32,
                            question: r.try_get("question")?,
                        };
                        Ok((f, r.try_get("note")?))
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()
            })
        })
        .map_err(|e| self.error(e))?;
        let suggestions = on_pool!(&self.pool, |p| {
            sqlx::query(
                "SELECT question, user_key, at, guild, fact FROM suggestion_taken WHERE at >= $1 ORDER BY at, question",
            )
            .bind(since)
            .fetch_all(p)
            .await
            .and_then(|rows| {
                rows.iter()
                    .map(|r| {
                        Ok(SuggestionTaken {
                            question: RecordId(r.try_get::<i64, _>("question")? as u64),
                            at: r.try_get("at")?,
                            guild: r.try_get::<Option<i64>, _>("guild")?.map(|g| g as u64),
                            user: user_key(r.try_get("user_key")?)?,
                            fact: r.try_get("fact")?,
                        })
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()
            })
        })
        .map_err(|e| self.error(e))?;
        let dismissed: Vec<(String,)> = on_pool!(&self.pool, |p| {
            sqlx::query_as("SELECT question FROM dismissed ORDER BY question").fetch_all(p).await
        })
        .map_err(|e| self.error(e))?;
        Ok(ReviewRecords { asked, feedback, suggestions, dismissed: dismissed.into_iter().map(|(q,)| q).collect() })
    }

    pub async fn dismiss(&self, questions: &[String], at: Timestamp) -> Result<(), StoreError> {
        for question in questions {
            on_pool!(&self.pool, |p| {
                sqlx::query("INSERT INTO dismissed (question, at) VALUES ($1, $2) ON CONFLICT (question) DO NOTHING")
                    .bind(question.as_str())
                    .bind(at)
                    .execute(p)
                    .await
                    .map(drop)
            })
            .map_err(|e| self.error(e))?;
        }
        Ok(())
    }

    /// Closes the pool: what a database that goes away looks like to the writer.
    pub async fn close(&self) {
        on_pool!(&self.pool, |p| p.close().await)
    }

    fn error(&self, e: sqlx::Error) -> StoreError {
        StoreError::Database(format!("{}: {}", self.shown, describe(&e)))
    }
}

fn id(id: RecordId) -> i64 {
    // Record ids are 63-bit by construction (RecordId::random).
    id.0 as i64
}

fn guild(guild: Option<u64>) -> Option<i64> {
    // Discord's snowflakes fit 63 bits.
    guild.map(|g| g as i64)
}

fn user_key(bytes: Vec<u8>) -> Result<UserKey, sqlx::Error> {
    let key: [u8; 16] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| sqlx::Error::Decode(format!("a user key of {} bytes, not 16", b.len()).into()))?;
    Ok(UserKey(key))
}

/// sqlx's error, in a line: its Display, which for a refused connection is the
/// I/O error ("Connection refused"), never the URL.
fn describe(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::PoolTimedOut => format!("no connection within {} s", CONNECT_TIMEOUT.as_secs()),
        other => other.to_string(),
    }
}
