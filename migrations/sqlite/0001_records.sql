-- The record (src/store/sql.rs), SQLite dialect; migrations/postgres/ holds the same
-- schema for PostgreSQL. Times are seconds since the Unix epoch; ids are the bot's
-- own 63-bit record ids and Discord's snowflakes, both within a signed 64-bit integer.
-- A user is only ever a 16-byte keyed hash (user_key), never a Discord id.

-- A question not answered, or answered below the review confidence. `text` is NULL
-- unless the server turned recording on.
CREATE TABLE asked (
    id BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    guild BIGINT,
    text TEXT,
    fact TEXT,
    confidence REAL NOT NULL,
    answered BOOLEAN NOT NULL
);
CREATE INDEX asked_at ON asked (at);

-- A thumbs up or down, one per user per answer; `note` is what a thumbs down was
-- looking for.
CREATE TABLE feedback (
    answer BIGINT NOT NULL,
    user_key BLOB NOT NULL,
    at BIGINT NOT NULL,
    guild BIGINT,
    helpful BOOLEAN NOT NULL,
    fact TEXT,
    confidence REAL NOT NULL,
    question TEXT,
    note TEXT,
    PRIMARY KEY (answer, user_key)
);
CREATE INDEX feedback_at ON feedback (at);

-- A "did you mean" suggestion taken, for the question record it was offered on.
CREATE TABLE suggestion_taken (
    question BIGINT NOT NULL,
    user_key BLOB NOT NULL,
    at BIGINT NOT NULL,
    guild BIGINT,
    fact TEXT NOT NULL
);
CREATE INDEX suggestion_taken_at ON suggestion_taken (at);
CREATE INDEX suggestion_taken_question ON suggestion_taken (question);

-- Each server's own settings, as JSON (store::GuildSettings).
CREATE TABLE guild_settings (
    guild BIGINT PRIMARY KEY,
    settings TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Questions a curator dismissed in `review`, by their normalised text.
CREATE TABLE dismissed (
    question TEXT PRIMARY KEY,
    at BIGINT NOT NULL
);
