//! Logging that cannot leak a secret. Every formatted log line goes through
//! [`redact`] before it is written, whatever `RUST_LOG` enables, so a secret is
//! removed by value, in the encodings libraries log bytes in: as text, percent-encoded,
//! as hex (either case), as a list of decimal bytes, and as base64 (standard or
//! URL-safe, at any of the three alignments).
//!
//! The secrets are the bot token (every [`crate::discord::Secret`] registers itself
//! when made) and the interaction tokens, which arrive with each interaction and live
//! 15 minutes. These are learnt from the log lines themselves, at their first plain
//! appearance (`token: "..."`, `"token":"..."`, `/interactions/{id}/{token}`,
//! `/webhooks/{id}/{token}`), and kept, a bounded number, for 15 minutes.
//!
//! A line can only be scrubbed of what is known when it is written, so the one
//! logger that would show an interaction token encoded before anything shows it in
//! plain, tungstenite's frame dumps (hex and decimal bytes, at `trace`), is capped at
//! `debug` by a filter `RUST_LOG` cannot lift.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{self, Write};
use std::sync::{LazyLock, RwLock};
use std::time::{Duration, Instant};

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::{SubscriberInitExt, TryInitError};
use tracing_subscriber::EnvFilter;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";
/// Shorter values are not treated as secrets: their encodings would match ordinary
/// text, and no Discord token is this short.
pub const MIN_SECRET_LEN: usize = 10;
/// How long Discord accepts an interaction token, so how long it is worth scrubbing.
pub const INTERACTION_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// At most this many interaction tokens are remembered (the oldest go first), about
/// 5 KiB each with all their encodings: a bound on memory (20 MiB) under a flood of
/// interactions. A token forgotten too soon is learnt again from the next line that
/// shows it in plain.
pub const MAX_INTERACTION_TOKENS: usize = 4096;
/// At most this many permanent secrets (bot tokens); more would mean a bug.
const MAX_PERMANENT: usize = 16;
/// Learnt tokens are at least this long: shorter runs after `token=` are not tokens.
const MIN_LEARNT_LEN: usize = 16;

/// Targets whose verbose levels dump raw frames, capped whatever `RUST_LOG` says.
const CAPPED_TARGETS: &[(&str, LevelFilter)] =
    &[("tungstenite", LevelFilter::DEBUG), ("tokio_tungstenite", LevelFilter::DEBUG)];

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// Text for a person; colour (ANSI codes) only where they show as colour.
    Text { ansi: bool },
    /// One JSON object per line, for admins who ship logs to a collector. It goes
    /// through the same redaction as text: JSON escapes no token character.
    Json,
    /// Text with colour, as the fmt layer writes by default (the secrets test reads
    /// it: learning a token must see past colour codes).
    #[default]
    Coloured,
}

/// Installs the process's log subscriber (see [`subscriber`]), coloured text.
pub fn init<W>(directives: &str, default: &str, writer: W) -> Result<(), TryInitError>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    init_styled(directives, default, Style::Coloured, writer)
}

/// Installs the process's log subscriber (see [`subscriber`]), written in `style`.
pub fn init_styled<W>(directives: &str, default: &str, style: Style, writer: W) -> Result<(), TryInitError>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    styled(directives, default, style, writer).try_init()
}

/// The log subscriber, coloured text (see [`styled`]).
pub fn subscriber<W>(directives: &str, default: &str, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    styled(directives, default, Style::Coloured, writer)
}

/// The log subscriber: `directives` (`RUST_LOG` syntax; `default` if they do not
/// parse), the frame-dumping targets capped by a filter of their own (so no
/// directive, however specific, lifts it), and every line, text or JSON, redacted
/// before it reaches `writer`.
pub fn styled<W>(directives: &str, default: &str, style: Style, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::Layer;
    let filter = EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new(default));
    let capped = CAPPED_TARGETS
        .iter()
        .fold(Targets::new().with_default(LevelFilter::TRACE), |t, &(target, level)| t.with_target(target, level));
    let writer = Redacting(writer);
    let layer = match style {
        Style::Json => tracing_subscriber::fmt::layer().json().flatten_event(true).with_writer(writer).boxed(),
        Style::Text { ansi } => tracing_subscriber::fmt::layer().with_ansi(ansi).with_writer(writer).boxed(),
        Style::Coloured => tracing_subscriber::fmt::layer().with_ansi(true).with_writer(writer).boxed(),
    };
    tracing_subscriber::registry().with(capped).with(filter).with(layer)
}

/// Remembers a secret for good (a bot token). Values shorter than
/// [`MIN_SECRET_LEN`] are ignored.
pub fn remember_secret(secret: &str) {
    if secret.len() >= MIN_SECRET_LEN {
        write_index().insert(secret, None);
    }
}

/// Remembers an interaction token for [`INTERACTION_TOKEN_LIFETIME`].
pub fn remember_interaction_token(token: &str) {
    if token.len() >= MIN_SECRET_LEN {
        write_index().insert(token, Some(Instant::now()));
    }
}

/// `text` with every known secret, in every encoding, replaced by [`REDACTED`]. New
/// interaction tokens in `text` are learnt first.
pub fn redact(text: &[u8]) -> Cow<'_, [u8]> {
    for token in learn(text) {
        remember_interaction_token(token);
    }
    let index = INDEX.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    index.redact(text)
}

/// A [`MakeWriter`] whose writers redact what they are given (see [`redact`]). A
/// writer holds what it is given until it is flushed or dropped, so a secret split
/// over several writes is still seen whole; the fmt layer makes one writer per event.
pub struct Redacting<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter { inner: self.0.make_writer(), pending: Vec::new() }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        RedactingWriter { inner: self.0.make_writer_for(meta), pending: Vec::new() }
    }
}

pub struct RedactingWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    fn emit(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let result = self.inner.write_all(&redact(&self.pending));
        self.pending.clear();
        result
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.emit()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        // Nowhere to report a failed log write: the fmt layer ignores them too.
        let _ = self.emit();
    }
}

static INDEX: LazyLock<RwLock<Index>> = LazyLock::new(|| RwLock::new(Index::default()));

fn write_index() -> std::sync::RwLockWriteGuard<'static, Index> {
    // A panic while holding the lock leaves the index consistent enough to keep
    // redacting: every insert and removal completes before it can panic.
    INDEX.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Bits of the prefilter: one slot per hash of a needle's last 8 bytes. 2^18 slots
/// keep it sparse (under a quarter full) even with every interaction token held.
const FILTER_BITS: u32 = 18;

/// Every encoding of every secret, found by its last 8 bytes (a token's end is
/// random; its start may not be: Discord's interaction tokens all begin alike). A
/// line is scanned once, and at each position a bit of `occupied` (usually clear;
/// 32 KiB) says whether any needle could end there: the common case, no secret
/// present, costs one multiplication and one load per byte. Optimized, a 164-byte
/// line took 0.3 µs with the bot token known, 0.5 µs with 4,096 interaction tokens
/// as well (this code under rustc -O, on the 2-core development machine, 2026-11-30).
/// `filter` counts the needles per slot, so that removing one knows when to clear
/// its bit.
struct Index {
    occupied: Vec<u64>,
    filter: Vec<u32>,
    needles: HashMap<u64, Vec<Needle>>,
    known: HashSet<Box<str>>,
    permanent: VecDeque<(u64, Box<str>)>,
    expiring: VecDeque<(Instant, u64, Box<str>)>,
    next_id: u64,
}

impl Default for Index {
    fn default() -> Self {
        Index {
            occupied: vec![0; 1 << (FILTER_BITS - 6)],
            filter: vec![0; 1 << FILTER_BITS],
            needles: HashMap::new(),
            known: HashSet::new(),
            permanent: VecDeque::new(),
            expiring: VecDeque::new(),
            next_id: 0,
        }
    }
}

/// One encoding of one secret: the secret's id (to remove it), and the bytes.
type Needle = (u64, Box<[u8]>);

/// The prefilter's key: the last 8 bytes.
fn key(bytes: &[u8]) -> Option<u64> {
    bytes.get(bytes.len().checked_sub(8)?..).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes)
}

fn slot(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - FILTER_BITS)) as usize
}

impl Index {
    /// Adds `secret`, expiring from `since` if given; the oldest go when full.
    fn insert(&mut self, secret: &str, since: Option<Instant>) {
        let now = Instant::now();
        while self.expiring.front().is_some_and(|(t, ..)| now.duration_since(*t) > INTERACTION_TOKEN_LIFETIME) {
            self.pop_expiring();
        }
        if self.known.contains(secret) {
            return;
        }
        let id = self.next_id;
        self.next_id += 1;
        for needle in encodings(secret.as_bytes()) {
            if let Some(k) = key(&needle) {
                self.filter[slot(k)] += 1;
                self.occupied[slot(k) / 64] |= 1 << (slot(k) % 64);
                self.needles.entry(k).or_default().push((id, needle.into_boxed_slice()));
            }
        }
        self.known.insert(secret.into());
        match since {
            Some(t) => {
                self.expiring.push_back((t, id, secret.into()));
                if self.expiring.len() > MAX_INTERACTION_TOKENS {
                    self.pop_expiring();
                }
            }
            None => {
                self.permanent.push_back((id, secret.into()));
                if self.permanent.len() > MAX_PERMANENT {
                    if let Some((id, secret)) = self.permanent.pop_front() {
                        self.remove(id, &secret);
                    }
                }
            }
        }
    }

    fn pop_expiring(&mut self) {
        if let Some((_, id, secret)) = self.expiring.pop_front() {
            self.remove(id, &secret);
        }
    }

    fn remove(&mut self, id: u64, secret: &str) {
        self.known.remove(secret);
        for needle in encodings(secret.as_bytes()) {
            let Some(k) = key(&needle) else { continue };
            if let Some(list) = self.needles.get_mut(&k) {
                let before = list.len();
                list.retain(|(owner, _)| *owner != id);
                let removed = (before - list.len()) as u32;
                self.filter[slot(k)] = self.filter[slot(k)].saturating_sub(removed);
                if self.filter[slot(k)] == 0 {
                    self.occupied[slot(k) / 64] &= !(1 << (slot(k) % 64));
                }
                if list.is_empty() {
                    self.needles.remove(&k);
                }
            }
        }
    }

    fn redact<'t>(&self, text: &'t [u8]) -> Cow<'t, [u8]> {
        if self.needles.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for (at, window) in text.windows(8).enumerate() {
            let Some(k) = key(window) else { continue };
            if self.occupied[slot(k) / 64] & (1 << (slot(k) % 64)) == 0 {
                continue;
            }
            let end = at + 8;
            for (_, needle) in self.needles.get(&k).into_iter().flatten() {
                if text[..end].ends_with(needle) {
                    hits.push((end - needle.len(), end));
                }
            }
        }
        if hits.is_empty() {
            return Cow::Borrowed(text);
        }
        hits.sort_unstable();
        let mut out = Vec::with_capacity(text.len());
        let mut done = 0;
        for (start, end) in hits {
            if end <= done {
                continue;
            }
            if start >= done {
                out.extend_from_slice(&text[done..start]);
                out.extend_from_slice(REDACTED.as_bytes());
            }
            done = end;
        }
        out.extend_from_slice(&text[done..]);
        Cow::Owned(out)
    }
}

/// The forms a secret can take in a log line, each at least 8 bytes for a secret of
/// [`MIN_SECRET_LEN`] bytes. Base64 and the other encodings of bytes around the
/// secret differ, so for base64 only the groups made of the secret's bytes alone
/// are searched, at each of the three offsets the secret can start at.
fn encodings(secret: &[u8]) -> Vec<Vec<u8>> {
    const UPPER: &[u8; 16] = b"0123456789ABCDEF";
    const LOWER: &[u8; 16] = b"0123456789abcdef";
    let hex = |digits: &[u8; 16], prefix: &[u8], keep: fn(u8) -> bool| {
        let mut out = Vec::with_capacity(secret.len() * 3);
        for &b in secret {
            if keep(b) {
                out.push(b);
            } else {
                out.extend_from_slice(prefix);
                out.extend_from_slice(&[digits[usize::from(b >> 4)], digits[usize::from(b & 15)]]);
            }
        }
        out
    };
    let decimal = |sep: &str| secret.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(sep).into_bytes();
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    let mut all = vec![
        secret.to_vec(),
        hex(UPPER, b"", |_| false),
        hex(LOWER, b"", |_| false),
        hex(UPPER, b"%", |b| b.is_ascii_alphanumeric()),
        hex(LOWER, b"%", |b| b.is_ascii_alphanumeric()),
        hex(UPPER, b"%", unreserved),
        hex(LOWER, b"%", unreserved),
        decimal(", "),
        decimal(","),
        decimal(" "),
    ];
    for offset in 0..3.min(secret.len()) {
        let body = &secret[offset..];
        let whole = &body[..body.len() / 3 * 3];
        let standard = base64(whole, b'+', b'/');
        all.push(base64(whole, b'-', b'_'));
        all.push(standard);
    }
    all.sort();
    all.dedup();
    all.retain(|n| n.len() >= 8);
    all
}

/// Base64 of `bytes` (a whole number of 3-byte groups), with `c62` and `c63` for the
/// last two digits: `+/` is the standard alphabet, `-_` the URL-safe one.
fn base64(bytes: &[u8], c62: u8, c63: u8) -> Vec<u8> {
    let digit = |v: u8| match v {
        0..=25 => b'A' + v,
        26..=51 => b'a' + v - 26,
        52..=61 => b'0' + v - 52,
        62 => c62,
        _ => c63,
    };
    let mut out = Vec::with_capacity(bytes.len() / 3 * 4);
    for group in bytes.chunks_exact(3) {
        let n = u32::from(group[0]) << 16 | u32::from(group[1]) << 8 | u32::from(group[2]);
        for shift in [18, 12, 6, 0] {
            out.push(digit(((n >> shift) & 63) as u8));
        }
    }
    out
}

/// Interaction tokens shown in plain in `text`: after `token` and a `:` or `=` (a
/// field, a Debug struct, JSON), or in a callback or webhook URL.
fn learn(text: &[u8]) -> Vec<&str> {
    fn take<'t>(at: &'t [u8], found: &mut Vec<&'t str>) {
        let len = at.iter().take_while(|b| b.is_ascii_alphanumeric() || b"-_.".contains(b)).count();
        if len >= MIN_LEARNT_LEN {
            if let Ok(token) = std::str::from_utf8(&at[..len]) {
                found.push(token);
            }
        }
    }
    let mut found = Vec::new();
    for start in memchr::memmem::find_iter(text, b"token") {
        // Skip what separates a name from its value: quotes, escapes, spaces, `:`/`=`,
        // and the ANSI colour codes of a terminal.
        let mut at = start + "token".len();
        let mut separated = false;
        while let Some(&b) = text.get(at) {
            match b {
                b':' | b'=' => separated = true,
                b'"' | b'\'' | b'\\' | b' ' => {}
                0x1b => {
                    while text.get(at).is_some_and(|&b| b != b'm') {
                        at += 1;
                    }
                }
                _ => break,
            }
            at += 1;
        }
        if separated {
            take(&text[at.min(text.len())..], &mut found);
        }
    }
    for prefix in [&b"/interactions/"[..], b"/webhooks/"] {
        for start in memchr::memmem::find_iter(text, prefix) {
            let rest = &text[start + prefix.len()..];
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 && rest.get(digits) == Some(&b'/') {
                take(&rest[digits + 1..], &mut found);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    // Each test uses secrets of its own: the index is process-wide.
    fn scrubbed(text: &str) -> String {
        String::from_utf8(redact(text.as_bytes()).into_owned()).expect("redaction keeps UTF-8")
    }

    #[test]
    fn a_secret_is_removed_in_every_encoding() {
        let secret = "unit.SECRET-one_ABCDEFGHIJ+/xyz";
        remember_secret(secret);
        for encoded in encodings(secret.as_bytes()) {
            let encoded = String::from_utf8(encoded).expect("encodings are ASCII");
            let line = format!("before {encoded} after");
            assert_eq!(scrubbed(&line), format!("before {REDACTED} after"), "{encoded}");
        }
    }

    #[test]
    fn encodings_are_the_usual_ones() {
        let e: Vec<String> = encodings(b"Hello, token!").into_iter().map(|v| String::from_utf8(v).unwrap()).collect();
        for expected in [
            "48656c6c6f2c20746f6b656e21",
            "48656C6C6F2C20746F6B656E21",
            "72, 101, 108, 108, 111, 44",
            "72 101 108",
            "72,101,108",
            "Hello%2C%20token%21",
            "SGVsbG8sIHRva2Vu", // offset 0: "Hello, token"
            "ZWxsbywgdG9rZW4h", // offset 1: "ello, token!"
            "bGxvLCB0b2tl",     // offset 2: "llo, toke"
        ] {
            assert!(e.iter().any(|n| n.contains(expected)), "{expected} in {e:?}");
        }
    }

    #[test]
    fn lines_without_secrets_are_untouched_and_not_copied() {
        remember_secret("unit-two-0123456789abcdef");
        let line = b"2026-01-01T00:00:00Z  INFO firstkiss: answered status=Answered confidence=0.9";
        assert!(matches!(redact(line), Cow::Borrowed(_)));
        assert!(matches!(redact(b"short"), Cow::Borrowed(_)));
    }

    #[test]
    fn interaction_tokens_are_learnt_from_their_first_plain_appearance() {
        let token = "unit-interaction-3-aW50ZXJhY3Rpb24";
        let first = format!("request{{route: InteractionResponse {{ interaction_id: 5, token: \"{token}\" }}}}");
        assert_eq!(
            scrubbed(&first),
            format!("request{{route: InteractionResponse {{ interaction_id: 5, token: \"{REDACTED}\" }}}}")
        );
        let hex: String = token.bytes().map(|b| format!("{b:02x}")).collect();
        assert_eq!(scrubbed(&format!("payload: 0x{hex}")), format!("payload: 0x{REDACTED}"));
        for (shape, token) in [
            ("{\"token\":\"%\"}", "unit-json-4-aaaaaaaaaaaaaaaa"),
            ("POST /api/v10/interactions/77/%/callback", "unit-url-5-bbbbbbbbbbbbbbbb"),
            ("PATCH /api/v10/webhooks/1/%/messages/@original", "unit-hook-6-cccccccccccccccc"),
            ("token=\u{1b}[2m\"%\"", "unit-ansi-7-dddddddddddddddd"),
        ] {
            assert!(!scrubbed(&shape.replace('%', token)).contains(token), "{shape}");
            assert!(!scrubbed(&format!("later: {token}")).contains(token), "{shape} was learnt");
        }
    }

    #[test]
    fn words_near_token_are_not_learnt() {
        assert!(learn(b"tokenization_of_the_whole_question_text").is_empty());
        assert!(learn(b"token: Secret([redacted])").is_empty());
        assert!(learn(b"token: short").is_empty());
        assert_eq!(learn(b"\"token\": \"0123456789abcdefXYZ\""), ["0123456789abcdefXYZ"]);
    }

    /// The prefilter agrees with the needles: every count, every bit.
    fn consistent(index: &Index) {
        let needles = index.needles.values().map(Vec::len).sum::<usize>();
        assert_eq!(index.filter.iter().map(|&c| c as usize).sum::<usize>(), needles);
        let bits = index.occupied.iter().map(|w| w.count_ones() as usize).sum::<usize>();
        assert_eq!(bits, index.filter.iter().filter(|&&c| c > 0).count());
    }

    #[test]
    fn the_index_is_bounded_and_forgets() {
        let mut index = Index::default();
        for n in 0..MAX_INTERACTION_TOKENS + 10 {
            index.insert(&format!("bounded-token-{n:08}"), Some(Instant::now()));
        }
        assert_eq!(index.expiring.len(), MAX_INTERACTION_TOKENS);
        assert!(!index.known.contains("bounded-token-00000000"));
        assert!(index.redact(b"bounded-token-00000000").as_ref() == b"bounded-token-00000000");
        assert_eq!(index.redact(b"x bounded-token-00004100 y").as_ref(), b"x [redacted] y");
        consistent(&index);
        let mut index = Index::default();
        let old = Instant::now().checked_sub(INTERACTION_TOKEN_LIFETIME + Duration::from_secs(1));
        index.insert("expired-token-0000", Some(old.expect("the clock is past 15 minutes")));
        index.insert("fresh-token-000000", Some(Instant::now()));
        assert!(!index.known.contains("expired-token-0000"));
        assert_eq!(index.redact(b"expired-token-0000").as_ref(), b"expired-token-0000");
        consistent(&index);
    }

    #[test]
    fn rust_log_cannot_lift_the_cap_on_frame_dumps() {
        let captured = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = captured.clone();
        let writer = move || Sink(sink.clone());
        let directives = "trace,tungstenite=trace,tungstenite::protocol::frame=trace,tokio_tungstenite=trace";
        tracing::subscriber::with_default(subscriber(directives, "warn", writer), || {
            tracing::trace!(target: "tungstenite::protocol::frame", "writing frame payload: 0x7b7d");
            tracing::trace!(target: "tokio_tungstenite::compat", "Read.read");
            tracing::debug!(target: "tungstenite::protocol", "Received close frame");
            tracing::trace!(target: "serenity::gateway", "other targets keep their trace");
        });
        let logs = String::from_utf8(captured.lock().unwrap().clone()).unwrap();
        assert!(!logs.contains("writing frame") && !logs.contains("Read.read"), "{logs}");
        assert!(logs.contains("Received close frame") && logs.contains("other targets keep their trace"), "{logs}");
    }

    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_secret_split_over_writes_is_still_seen_whole() {
        remember_secret("unit-split-0123456789");
        let sink = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        {
            let mut writer = RedactingWriter { inner: Sink(sink.clone()), pending: Vec::new() };
            writer.write_all(b"a unit-split-01").unwrap();
            writer.write_all(b"23456789 b\n").unwrap();
        }
        assert_eq!(sink.lock().unwrap().as_slice(), b"a [redacted] b\n");
    }

    /// Logged through a subscriber of `style` at trace, with every line captured.
    fn captured(style: Style, log: impl FnOnce()) -> String {
        let captured = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = captured.clone();
        tracing::subscriber::with_default(styled("trace", "trace", style, move || Sink(sink.clone())), log);
        let bytes = captured.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn json_lines_are_redacted_too() {
        let secret = "unit-json-bot-token-0123456789";
        remember_secret(secret);
        let interaction = "unit-json-interaction-aaaaaaaaaaaa";
        let logs = captured(Style::Json, || {
            tracing::info!(token = secret, "plain field");
            tracing::info!("a message with {secret} inside");
            tracing::debug!(body = %format!("{{\"token\":\"{interaction}\"}}"), "an interaction body");
            tracing::debug!("later, the interaction token alone: {interaction}");
        });
        let lines: Vec<serde_json::Value> =
            logs.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
        assert_eq!(lines.len(), 4, "{logs}");
        assert_eq!(lines[0]["token"], REDACTED, "{logs}");
        assert_eq!(lines[0]["message"], "plain field");
        assert!(!logs.contains(secret) && !logs.contains(interaction), "{logs}");
    }

    #[test]
    fn colour_only_when_asked_for() {
        let log = || tracing::warn!("a warning");
        assert!(!captured(Style::Text { ansi: false }, log).contains('\u{1b}'));
        assert!(captured(Style::Text { ansi: true }, log).contains('\u{1b}'));
    }

    #[test]
    fn overlapping_secrets_are_removed_whole() {
        let mut index = Index::default();
        index.insert("overlap-AAAAAAAAAAAA", None);
        index.insert("AAAAAAAAAAAA-overlap-two", None);
        assert_eq!(index.redact(b"<overlap-AAAAAAAAAAAA-overlap-two>").as_ref(), b"<[redacted]>");
    }
}
