//! Where the key that hashes user ids comes from.
//!
//! In order: `FIRSTKISS_HASH_KEY` (64 hex digits), then a key file (the config's
//! `records.hash_key_file`; by default beside a SQLite database, `PATH.key`, or
//! `firstkiss.key` beside the config file for PostgreSQL), created with a random key,
//! readable by its owner only, the first time. The key is kept apart from the
//! database on purpose: a copy of the database alone (a backup, a file sent along
//! with a bug report) cannot be matched against Discord ids, which are guessable
//! (time-ordered), so a key stored in the database would protect nothing. The
//! price: lose the key and each user counts afresh (their old clicks cannot be tied
//! to new ones); processes sharing a PostgreSQL database must share one key (the
//! same file, or the variable), or a user's click counts once per key.

use std::io::Write;
use std::path::Path;

use super::{HashKey, StoreError};

/// The environment variable that gives the key directly, in hex.
pub const HASH_KEY_ENV: &str = "FIRSTKISS_HASH_KEY";

/// The key from `env` (the variable's value) if given, else from `file`, created if missing.
pub fn load(env: Option<&str>, file: &Path) -> Result<HashKey, StoreError> {
    if let Some(hex) = env.map(str::trim).filter(|v| !v.is_empty()) {
        crate::logging::remember_secret(hex);
        return parse(hex).ok_or_else(|| StoreError::Key {
            path: format!("${HASH_KEY_ENV}"),
            reason: "not 64 hexadecimal digits".into(),
        });
    }
    let failed = |reason: String| StoreError::Key { path: file.display().to_string(), reason };
    match std::fs::read_to_string(file) {
        Ok(text) => {
            crate::logging::remember_secret(text.trim());
            parse(text.trim()).ok_or_else(|| failed("not 64 hexadecimal digits".into()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(file).map_err(|e| failed(e.to_string())),
        Err(e) => Err(failed(e.to_string())),
    }
}

/// A random key, written to `file` (which must not exist yet: two processes
/// starting at once do not overwrite each other's key; the loser reads the winner's).
fn create(file: &Path) -> std::io::Result<HashKey> {
    let key = random()?;
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    crate::logging::remember_secret(&hex);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(file) {
        Ok(mut out) => {
            out.write_all(format!("{hex}\n").as_bytes())?;
            out.sync_all()?;
            tracing::info!(file = %file.display(), "made a new key for hashing user ids");
            Ok(HashKey::new(key))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(file)?;
            parse(text.trim())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not 64 hexadecimal digits"))
        }
        Err(e) => Err(e),
    }
}

/// 32 bytes from the operating system's random source.
fn random() -> std::io::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key).map_err(std::io::Error::other)?;
    Ok(key)
}

/// A key for a store that outlives nothing (`memory:`): random, never written.
pub fn ephemeral() -> Result<HashKey, StoreError> {
    random().map(HashKey::new).map_err(|e| StoreError::Key { path: "(random)".into(), reason: e.to_string() })
}

fn parse(hex: &str) -> Option<HashKey> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(HashKey::new(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_made_once_and_read_after() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("fk.db.key");
        let first = load(None, &file).unwrap();
        let again = load(None, &file).unwrap();
        assert_eq!(first.user(42), again.user(42));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let other = load(None, &dir.path().join("other.key")).unwrap();
        assert_ne!(first.user(42), other.user(42));
    }

    #[test]
    fn the_variable_wins_and_bad_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k");
        let hex = "00".repeat(32);
        assert_eq!(load(Some(&hex), &file).unwrap().user(1), HashKey::new([0; 32]).user(1));
        assert!(!file.exists(), "the variable's key needs no file");
        let err = load(Some("abc"), &file).unwrap_err().to_string();
        assert!(err.contains(HASH_KEY_ENV) && err.contains("64 hexadecimal"), "{err}");
        std::fs::write(&file, "zz").unwrap();
        assert!(load(None, &file).unwrap_err().to_string().contains("64 hexadecimal"));
    }
}
