//! The bot's configuration: `config.toml` (documented in `config.example.toml`) plus
//! `DISCORD_TOKEN` from the environment. Everything is checked before the bot
//! connects, and the token is held in a [`Secret`] that never prints.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serenity::all::{ChannelId, GatewayIntents, GuildId, UserId};

use crate::store::{DatabaseUrl, RecordSettings};

/// Where a token can be set, for error messages.
const TOKEN_HELP: &str = "set DISCORD_TOKEN in the environment (or `token` in the config file) to the bot token from the Discord developer portal";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    // The reason is in the message, so not a `source` as well (it would print twice).
    #[error("cannot read the config file {}: {reason} (copy config.example.toml to config.toml to start)", path.display())]
    Read { path: PathBuf, reason: std::io::Error },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("no Discord token: {TOKEN_HELP}")]
    MissingToken,
    #[error("the Discord token is malformed (it should be three dot-separated parts): {TOKEN_HELP}")]
    MalformedToken,
}

/// A value that must never reach a log, an error or a panic message. Making one
/// registers it with [`crate::logging`], so no log line can show it either.
///
/// Not `secrecy`'s `SecretString` (issue 12 asked): what keeps the token out of the
/// logs is that making a `Secret` registers it with the scrubber, which `secrecy`
/// cannot do, so it would only wrap this type. Its zeroing on drop would clear one
/// copy of several (serenity's client, reqwest's headers and the IDENTIFY frame keep
/// their own), and `secrecy` 0.8, the version serenity brings, differs in API from
/// the current 0.10, so either choice pins or duplicates it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        crate::logging::remember_secret(&value);
        Secret(value)
    }

    /// The secret itself, for the one place that needs it (the Discord client).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// `config.toml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub token: Option<Secret>,
    pub knowledge: Option<PathBuf>,
    pub guild_id: Option<u64>,
    #[serde(default)]
    pub answers: AnswersConfig,
    #[serde(default)]
    pub community: CommunityConfig,
    #[serde(default)]
    pub cooldown: CooldownConfig,
    /// Users (ids) allowed to use /reload.
    #[serde(default)]
    pub owners: Vec<u64>,
    pub shards: Option<ShardsConfig>,
    #[serde(default)]
    pub serve: ServeConfig,
    #[serde(default)]
    pub records: RecordsConfig,
}

/// What the bot records for curators (README, "What the bot records, and why").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecordsConfig {
    /// `sqlite://PATH` (relative to the config file), `postgres://...` or `memory:`.
    pub database: String,
    pub retention_days: u32,
    pub review_confidence: f32,
    /// The default for servers that have not chosen in /settings.
    pub record_questions: bool,
    /// Where the key that hashes user ids is kept (relative to the config file).
    pub hash_key_file: Option<PathBuf>,
}

/// The record's default database: a file beside the config, no server to install.
pub const DEFAULT_DATABASE: &str = "sqlite://firstkiss.db";

impl Default for RecordsConfig {
    fn default() -> Self {
        RecordsConfig {
            database: DEFAULT_DATABASE.to_string(),
            retention_days: 90,
            // A little above the threshold the shipped base learns (about 0.67): the
            // answers given with some doubt are the ones a curator should see, and
            // below the unprompted threshold (0.8), which answers only when sure.
            review_confidence: 0.75,
            record_questions: false,
            hash_key_file: None,
        }
    }
}

/// The HTTP side: the interactions endpoint and the metrics listener. The command
/// line's `--listen` and `--metrics` override these.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Where `serve` (or `run --listen`) takes Discord's interactions, and serves
    /// `/metrics`, `/healthz` and `/readyz`.
    pub listen: Option<String>,
    /// The application's public key, in hex; `DISCORD_PUBLIC_KEY` overrides it.
    pub public_key: Option<String>,
    /// Where `run` serves `/metrics`, `/healthz` and `/readyz` without an endpoint.
    pub metrics: Option<String>,
}

/// Discord's sharding: the guilds are split across `total` shards, and this process
/// runs the shards `range[0]` to `range[1]` (inclusive).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardsConfig {
    pub total: u32,
    pub range: Option<[u32; 2]>,
}

/// The shards this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardPlan {
    pub total: u32,
    pub first: u32,
    /// Inclusive.
    pub last: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnswersConfig {
    /// Unset: the threshold learned with the fact base's model.
    pub threshold: Option<f32>,
    pub unprompted_threshold: f32,
    pub private_by_default: bool,
}

impl Default for AnswersConfig {
    fn default() -> Self {
        AnswersConfig { threshold: None, unprompted_threshold: 0.8, private_by_default: false }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CommunityConfig {
    pub answer_mentions: bool,
    pub qa_channels: Vec<u64>,
}

impl Default for CommunityConfig {
    fn default() -> Self {
        CommunityConfig { answer_mentions: true, qa_channels: Vec::new() }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CooldownConfig {
    pub per_user_seconds: f64,
    pub per_channel_seconds: f64,
}

impl Default for CooldownConfig {
    fn default() -> Self {
        CooldownConfig { per_user_seconds: 20.0, per_channel_seconds: 5.0 }
    }
}

/// What the running bot needs to know, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Register commands in this guild only (instant, for testing); globally otherwise.
    pub guild_id: Option<GuildId>,
    pub answer_mentions: bool,
    pub qa_channels: HashSet<ChannelId>,
    /// The confidence a direct question needs; `None` for the threshold learned with
    /// the fact base's model.
    pub threshold: Option<f32>,
    pub unprompted_threshold: f32,
    pub private_by_default: bool,
    pub user_cooldown: Duration,
    pub channel_cooldown: Duration,
    pub owners: HashSet<UserId>,
    /// `None`: one shard for all guilds.
    pub shards: Option<ShardPlan>,
    /// Where /reload and SIGHUP read the fact base from; `None` is the built-in one.
    pub knowledge: Option<PathBuf>,
    /// The record: where, for how long, and what (`[records]`).
    pub records: RecordSettings,
    /// Whether the bot answers unprompted in its Q&A channels (a server's
    /// `/settings` may turn it off there).
    pub unprompted: bool,
}

impl Default for Settings {
    fn default() -> Self {
        ConfigFile::default().settings(Path::new("(defaults)")).expect("the defaults are valid")
    }
}

impl Settings {
    /// Commands are registered by one process only: the one running shard 0.
    pub fn registers_commands(&self) -> bool {
        self.shards.is_none_or(|s| s.first == 0)
    }

    /// The gateway intents the bot asks for: message content, a privileged intent,
    /// only when it answers unprompted in Q&A channels. Mentions arrive with their
    /// content without it.
    pub fn intents(&self) -> GatewayIntents {
        self.intents_with(false)
    }

    /// The intents, where `guild_qa` says whether some server named Q&A channels
    /// of its own (`/settings`). Answering unprompted also takes the reactions, for
    /// the ❌ that removes a wrong answer.
    pub fn intents_with(&self, guild_qa: bool) -> GatewayIntents {
        let mut intents = GatewayIntents::GUILDS;
        let unprompted = !self.qa_channels.is_empty() || guild_qa;
        if self.answer_mentions || unprompted {
            intents |= GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES;
        }
        if unprompted {
            intents |= GatewayIntents::MESSAGE_CONTENT | GatewayIntents::GUILD_MESSAGE_REACTIONS;
        }
        intents
    }
}

impl ConfigFile {
    /// Reads `path`; a missing file is an error only if it was asked for by name.
    /// `env_token` (`DISCORD_TOKEN`) is only used to keep it out of error messages.
    pub fn load(path: &Path, required: bool, env_token: Option<&str>) -> Result<ConfigFile, ConfigError> {
        // As the fact base is read: a regular file of bounded size (a FIFO or a
        // device would hang the start), in UTF-8, or an error that says where not.
        let bytes = match crate::knowledge::read_limited(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(ConfigFile::default()),
            Err(reason) => return Err(ConfigError::Read { path: path.to_path_buf(), reason }),
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            let (line, column, byte) = crate::knowledge::first_invalid_utf8(e.as_bytes(), e.utf8_error());
            let message = format!("invalid UTF-8 (byte 0x{byte:02X}): save the file as UTF-8");
            ConfigError::Syntax { path: path.to_path_buf(), line, column, message }
        })?;
        toml::from_str(&text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| crate::knowledge::line_col(&text, s.start));
            // toml and serde quote the offending value ("invalid type: string "...",
            // expected u64"), which may be a token pasted in the wrong place: remove
            // every token known by value, then any long quoted value.
            let mut known = tokens_in(&text);
            known.extend(env_token.map(str::to_string));
            let message = e.message().trim_end().lines().collect::<Vec<_>>().join(": ");
            let message = mask_long_quotes(&redact(&message, &known));
            ConfigError::Syntax { path: path.to_path_buf(), line, column, message }
        })
    }

    /// The token: `DISCORD_TOKEN` if set, else the file's; checked for shape.
    pub fn token(&self, env: Option<String>) -> Result<Secret, ConfigError> {
        let token = env.filter(|t| !t.trim().is_empty()).map(Secret::new).or_else(|| self.token.clone());
        let token = token.ok_or(ConfigError::MissingToken)?;
        let trimmed = Secret::new(token.expose().trim().trim_start_matches("Bot ").to_string());
        // serenity checks the three parts only; a space or line break inside would
        // reach the Authorization header (or be rejected there, naming it).
        let well_formed = trimmed.expose().bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !well_formed || serenity::utils::token::validate(trimmed.expose()).is_err() {
            return Err(ConfigError::MalformedToken);
        }
        Ok(trimmed)
    }

    pub fn settings(&self, path: &Path) -> Result<Settings, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: path.to_path_buf(), message };
        let a = &self.answers;
        for (name, value) in
            [("answers.threshold", a.threshold), ("answers.unprompted_threshold", Some(a.unprompted_threshold))]
                .into_iter()
                .filter_map(|(name, value)| Some((name, value?)))
        {
            if !(0.0..=1.0).contains(&value) {
                return Err(invalid(format!("{name} = {value} must be between 0 and 1")));
            }
        }
        if a.threshold.is_some_and(|t| a.unprompted_threshold < t) {
            return Err(invalid("answers.unprompted_threshold must be at least answers.threshold: answering unprompted needs more confidence".into()));
        }
        let c = &self.cooldown;
        for (name, value) in
            [("cooldown.per_user_seconds", c.per_user_seconds), ("cooldown.per_channel_seconds", c.per_channel_seconds)]
        {
            if !(0.0..=86_400.0).contains(&value) {
                return Err(invalid(format!("{name} = {value} must be between 0 and 86400")));
            }
        }
        let nonzero = |name: &str, id: u64| {
            if id == 0 {
                Err(invalid(format!("{name} must be a Discord id, not 0")))
            } else {
                Ok(id)
            }
        };
        let shards = match &self.shards {
            None => None,
            Some(ShardsConfig { total, range }) => {
                let [first, last] = range.unwrap_or([0, total.saturating_sub(1)]);
                if *total == 0 || first > last || last >= *total {
                    return Err(invalid(format!(
                        "shards: range = [{first}, {last}] must be first <= last < total = {total}, e.g. range = [0, 1] for the first two of total = 4"
                    )));
                }
                Some(ShardPlan { total: *total, first, last })
            }
        };
        let r = &self.records;
        if !(0.0..=1.0).contains(&r.review_confidence) {
            return Err(invalid(format!(
                "records.review_confidence = {} must be between 0 and 1",
                r.review_confidence
            )));
        }
        if !(1..=36_500).contains(&r.retention_days) {
            return Err(invalid(format!("records.retention_days = {} must be between 1 and 36500", r.retention_days)));
        }
        let config_dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let database = DatabaseUrl::parse(&r.database).map_err(|e| invalid(format!("records.database: {e}")))?;
        let records = RecordSettings {
            database: database.relative_to(&config_dir),
            retention: Duration::from_secs(u64::from(r.retention_days) * 86_400),
            review_confidence: r.review_confidence,
            record_questions: r.record_questions,
            hash_key_file: r.hash_key_file.as_ref().map(|k| config_dir.join(k)),
            config_dir,
        };
        Ok(Settings {
            guild_id: self.guild_id.map(|g| nonzero("guild_id", g)).transpose()?.map(GuildId::new),
            answer_mentions: self.community.answer_mentions,
            qa_channels: self
                .community
                .qa_channels
                .iter()
                .map(|&c| nonzero("community.qa_channels", c).map(ChannelId::new))
                .collect::<Result<_, _>>()?,
            threshold: a.threshold,
            unprompted_threshold: a.unprompted_threshold,
            private_by_default: a.private_by_default,
            user_cooldown: Duration::from_secs_f64(c.per_user_seconds),
            channel_cooldown: Duration::from_secs_f64(c.per_channel_seconds),
            owners: self.owners.iter().map(|&o| nonzero("owners", o).map(UserId::new)).collect::<Result<_, _>>()?,
            shards,
            knowledge: self.knowledge.as_ref().map(|k| path.parent().unwrap_or(Path::new(".")).join(k)),
            records,
            unprompted: true,
        })
    }
}

/// Quoted values up to this many characters are shown in error messages: enough for
/// a mistyped key or a short value, too few to give away a token.
const MAX_ECHO: usize = 12;

/// Longer quoted names that may be shown: the file's own keys, which serde lists in
/// "unknown field `x`, expected one of ...".
const KEYS: &[&str] = &[
    "token",
    "knowledge",
    "guild_id",
    "answers",
    "threshold",
    "unprompted_threshold",
    "private_by_default",
    "community",
    "answer_mentions",
    "qa_channels",
    "cooldown",
    "per_user_seconds",
    "per_channel_seconds",
    "owners",
    "shards",
    "total",
    "range",
    "serve",
    "listen",
    "public_key",
    "metrics",
    "records",
    "database",
    "retention_days",
    "review_confidence",
    "record_questions",
    "hash_key_file",
];

/// The values given to a `token` key in `text`, read leniently (the file may not
/// parse): after `token =`, up to the closing quote, or a comment or the end of the line.
fn tokens_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(table) = text.parse::<toml::Table>() {
        found.extend(table.get("token").and_then(|t| t.as_str()).map(str::to_string));
    }
    for line in text.lines() {
        let line = line.trim_start().trim_start_matches(['"', '\'']);
        let Some(rest) = line.strip_prefix("token") else { continue };
        let Some(value) = rest.trim_start_matches(['"', '\'', ' ', '\t']).strip_prefix('=') else { continue };
        let value = value.trim_start();
        let value = match value.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let inner = value.trim_start_matches(quote);
                inner.split(quote).next().unwrap_or(inner)
            }
            _ => value.split('#').next().unwrap_or(value),
        };
        found.push(value.trim().to_string());
    }
    found.retain(|t| t.len() >= MAX_ECHO);
    found
}

/// `message` with every `known` value replaced by `[redacted]`, trimmed and with
/// its `Bot ` prefix too.
fn redact(message: &str, known: &[String]) -> String {
    let mut out = message.to_string();
    for value in known {
        for form in [value.as_str(), value.trim(), value.trim().trim_start_matches("Bot ")] {
            if form.len() >= MAX_ECHO {
                out = out.replace(form, "[redacted]");
            }
        }
    }
    out
}

/// `message` with every value in "..." or `...` longer than [`MAX_ECHO`] characters
/// (and not one of the file's [`KEYS`]) replaced by its length: the value may be a
/// token no one has named yet. An unclosed quote runs to the end.
fn mask_long_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let body = &rest[open + 1..];
        // serde writes strings with Debug escapes: `\"` does not close the quote.
        let mut close = None;
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if quote == '"' => escaped = true,
                c if c == quote => {
                    close = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let value = &body[..close.unwrap_or(body.len())];
        let chars = value.chars().count();
        if chars > MAX_ECHO && !KEYS.contains(&value) {
            out.push_str(&format!("<{chars} characters>"));
        } else {
            out.push_str(value);
        }
        match close {
            Some(i) => {
                out.push(quote);
                rest = &body[i + quote.len_utf8()..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "MTA1MDAwMDAwMDAwMDAwMDAw.GaBcDe.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        ConfigFile::load(&path, true, None)
    }

    #[test]
    fn the_example_config_is_valid() {
        let file = parse(include_str!("../../config.example.toml")).expect("config.example.toml parses");
        let settings = file.settings(Path::new("config.example.toml")).expect("and is valid");
        assert!(settings.threshold.is_none_or(|t| settings.unprompted_threshold > t));
    }

    #[test]
    fn the_environment_token_wins_and_is_checked() {
        let file = parse(&format!("token = \"{TOKEN}\"")).unwrap();
        assert_eq!(file.token(None).unwrap().expose(), TOKEN);
        assert!(matches!(file.token(Some("not a token".into())), Err(ConfigError::MalformedToken)));
        assert!(matches!(ConfigFile::default().token(None), Err(ConfigError::MissingToken)));
        assert!(matches!(ConfigFile::default().token(Some("  ".into())), Err(ConfigError::MissingToken)));
    }

    #[test]
    fn errors_and_debug_output_never_show_the_token() {
        let file = parse(&format!("token = \"{TOKEN}\"")).unwrap();
        assert!(!format!("{file:?}").contains(TOKEN));
        let err = parse(&format!("token = \"{TOKEN}\"\nguild_id = \"{TOKEN}\"")).unwrap_err().to_string();
        assert!(!err.contains(TOKEN), "{err}");
        assert!(ConfigError::MissingToken.to_string().contains("DISCORD_TOKEN"));
    }

    /// A token pasted in the wrong place, in every shape of mistake: no message may
    /// show it, or any long piece of it, and each still says where and what is wrong.
    #[test]
    fn no_config_error_shows_a_token() {
        const T: &str = "MTA1MDAwMDAwMDAwMDAwMDAw.GsEcRe.Zq9xTyU3pLmN8vB2cX4kJh7Wd5Rf1Gt6Ys0";
        let cases: &[(&str, usize, &str)] = &[
            ("guild_id = \"T\"", 1, "expected u64"),
            ("token = \"T\" # my token\nguild_id = \"T\"", 2, "expected u64"),
            ("token=\"T\"\nowners = [1, \"T\"]", 2, "expected u64"),
            ("[community]\nqa_channels = [\"T\"]", 2, "expected u64"),
            ("[answers]\nthreshold = \"T\"", 2, "expected f32"),
            ("[answers]\nprivate_by_default = \"T\"", 2, "expected a boolean"),
            ("[cooldown]\nper_user_seconds = 'T'", 2, "expected f64"),
            ("[shards]\ntotal = \"T\"", 2, "expected u32"),
            ("shards = { total = 2, range = [\"T\", 1] }", 1, "expected u32"),
            ("T = 1", 1, "unknown field"),
            ("\"T\" = 1", 1, "unknown field"),
            ("[T]\nx = 1", 1, "unknown field"),
            ("[community]\nT = true", 2, "unknown field"),
            ("guild_id = \"\"\"T\"\"\"", 1, "expected u64"),
            ("token = \"Bot T\"\nguild_id = \"Bot T\"", 2, "expected u64"),
            ("token = \"T", 1, ""),
            ("token = T", 1, ""),
            ("token = \"T\"\ntoken = \"T\"", 2, "duplicate key"),
        ];
        for (text, line, what) in cases {
            let text = text.replace('T', T);
            let err = parse(&text).expect_err(&text).to_string();
            for window in T.as_bytes().windows(MAX_ECHO + 1) {
                let piece = std::str::from_utf8(window).unwrap();
                assert!(!err.contains(piece), "{text:?}: {err}");
            }
            assert!(err.contains(&format!("config.toml:{line}:")), "{text:?} names the file and line: {err}");
            assert!(err.contains(what), "{text:?} says what is wrong ({what}): {err}");
        }
    }

    #[test]
    fn a_known_token_is_redacted_by_value_and_long_quotes_masked() {
        let known = [format!("  {TOKEN} "), "Bot abcdefghijklmnopqrstuvwxyz".to_string()];
        assert_eq!(redact(&format!("x {TOKEN} y abcdefghijklmnopqrstuvwxyz"), &known), "x [redacted] y [redacted]");
        assert_eq!(
            mask_long_quotes("invalid type: string \"a\\\"bcdefghijklmnop\", expected u64"),
            "invalid type: string \"<18 characters>\", expected u64"
        );
        assert_eq!(
            mask_long_quotes("unknown field `unprompted_thresh0ld`, expected one of `unprompted_threshold`, `x`"),
            "unknown field `<20 characters>`, expected one of `unprompted_threshold`, `x`"
        );
        assert_eq!(mask_long_quotes("unclosed \"abcdefghijklmnopq"), "unclosed \"<17 characters>");
        assert_eq!(mask_long_quotes("short \"abc\" and `def`"), "short \"abc\" and `def`");
    }

    #[test]
    fn a_token_with_a_space_or_line_break_inside_is_malformed() {
        for bad in [TOKEN.replacen('a', " a", 1), TOKEN.replacen('a', "\na", 1), TOKEN.replacen('.', ".\t", 1)] {
            let err = ConfigFile::default().token(Some(bad.clone())).expect_err(&bad);
            assert!(matches!(err, ConfigError::MalformedToken));
            assert!(!err.to_string().contains("aaaaaaaaaaaa"), "{err}");
        }
        assert!(ConfigFile::default().token(Some(format!("Bot {TOKEN}\n"))).is_ok());
    }

    #[test]
    fn invalid_utf8_is_placed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, b"owners = []\n# caf\xe9\n").unwrap();
        let err = ConfigFile::load(&path, true, None).unwrap_err().to_string();
        assert!(err.ends_with("config.toml:2:6: invalid UTF-8 (byte 0xE9): save the file as UTF-8"), "{err}");
    }

    #[test]
    fn bad_values_are_named() {
        let err =
            parse("[answers]\nthreshold = 0.9\nunprompted_threshold = 0.5").unwrap().settings(Path::new("c.toml"));
        assert!(err.unwrap_err().to_string().contains("unprompted_threshold must be at least"));
        let err = parse("[community]\nqa_channel = [1]").unwrap_err().to_string();
        assert!(err.contains("c") && err.contains("unknown field `qa_channel`"), "{err}");
    }

    #[test]
    fn shard_ranges_are_checked() {
        let plan = |text: &str| parse(text).unwrap().settings(Path::new("c.toml")).map(|s| s.shards);
        assert_eq!(plan("").unwrap(), None);
        assert_eq!(plan("[shards]\ntotal = 4").unwrap(), Some(ShardPlan { total: 4, first: 0, last: 3 }));
        assert_eq!(
            plan("[shards]\ntotal = 2\nrange = [1, 1]").unwrap(),
            Some(ShardPlan { total: 2, first: 1, last: 1 })
        );
        assert!(plan("[shards]\ntotal = 2\nrange = [1, 2]").unwrap_err().to_string().contains("last < total"));
        assert!(plan("[shards]\ntotal = 0").is_err());
    }

    #[test]
    fn the_knowledge_path_is_relative_to_the_config_file() {
        let file = parse("knowledge = \"kb/knowledge.toml\"").unwrap();
        let settings = file.settings(Path::new("/etc/firstkiss/config.toml")).unwrap();
        assert_eq!(settings.knowledge, Some(PathBuf::from("/etc/firstkiss/kb/knowledge.toml")));
    }

    #[test]
    fn records_default_to_a_sqlite_file_beside_the_config_and_are_checked() {
        let settings = parse("").unwrap().settings(Path::new("/etc/fk/config.toml")).unwrap();
        let r = &settings.records;
        assert_eq!(r.database, DatabaseUrl::Sqlite(PathBuf::from("/etc/fk/firstkiss.db")));
        assert_eq!(
            (r.retention, r.review_confidence, r.record_questions),
            (Duration::from_secs(90 * 86_400), 0.75, false)
        );
        assert_eq!(r.key_file(), Some(PathBuf::from("/etc/fk/firstkiss.db.key")));
        let settings = parse("[records]\ndatabase = \"postgres://fk@db/fk\"\nrecord_questions = true").unwrap();
        let r = settings.settings(Path::new("/etc/fk/config.toml")).unwrap().records;
        assert_eq!(r.key_file(), Some(PathBuf::from("/etc/fk/firstkiss.key")));
        assert!(r.record_questions);
        let check = |text: &str| parse(text).unwrap().settings(Path::new("c.toml")).unwrap_err().to_string();
        assert!(check("[records]\nreview_confidence = 2.0").contains("records.review_confidence"));
        assert!(check("[records]\nretention_days = 0").contains("records.retention_days"));
        let err = check("[records]\ndatabase = \"mysql://fk:sup3rs3cretpassw0rd@db/fk\"");
        assert!(err.contains("records.database") && !err.contains("sup3rs3cret"), "{err}");
    }

    #[test]
    fn message_content_is_asked_for_only_with_qa_channels() {
        let mut settings = Settings::default();
        let needs = GatewayIntents::MESSAGE_CONTENT | GatewayIntents::GUILD_MESSAGE_REACTIONS;
        assert!(!settings.intents().intersects(needs), "{:?}", settings.intents());
        assert!(settings.intents_with(true).contains(needs), "a server's own Q&A channels need them too");
        settings.qa_channels.insert(ChannelId::new(7));
        assert!(settings.intents().contains(needs));
    }
}
