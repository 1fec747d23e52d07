//! Where the record is kept, as a URL: `sqlite://PATH` (or `sqlite:PATH`),
//! `postgres://...` (or `postgresql://...`), or `memory:`. A PostgreSQL URL may hold
//! a password: it is registered with the log scrubber when parsed, and the URL only
//! ever prints with the password masked.

use std::fmt;
use std::path::{Path, PathBuf};

use super::StoreError;

#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// Nothing kept beyond the process: tests, and a bot run without a database.
    Memory,
    /// A SQLite file, created (and migrated) if missing.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL, as given.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(text: &str) -> Result<DatabaseUrl, StoreError> {
        let text = text.trim();
        if text == "memory:" {
            return Ok(DatabaseUrl::Memory);
        }
        if let Some(path) = text.strip_prefix("sqlite://").or_else(|| text.strip_prefix("sqlite:")) {
            // sqlx's own options (`?mode=...`) are not taken: the store sets them.
            if path.is_empty() || path.contains('?') || path == ":memory:" {
                return Err(StoreError::BadUrl(masked(text)));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            if let Some(password) = password(text) {
                crate::logging::remember_secret(password);
            }
            return Ok(DatabaseUrl::Postgres(text.to_string()));
        }
        Err(StoreError::BadUrl(masked(text)))
    }

    /// A relative SQLite path taken as relative to `dir` (the config file's folder),
    /// as the config's other paths are.
    pub fn relative_to(self, dir: &Path) -> DatabaseUrl {
        match self {
            DatabaseUrl::Sqlite(path) if path.is_relative() => DatabaseUrl::Sqlite(dir.join(path)),
            other => other,
        }
    }
}

/// The password in `scheme://user:password@host...`, if any.
fn password(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let credentials = authority.rsplit_once('@')?.0;
    credentials.split_once(':').map(|(_, password)| password).filter(|p| !p.is_empty())
}

/// `url` with any password replaced by `***`, fit for a log line or an error.
fn masked(url: &str) -> String {
    match password(url) {
        Some(password) => url.replacen(&format!(":{password}@"), ":***@", 1),
        None => url.to_string(),
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Memory => f.write_str("memory:"),
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => f.write_str(&masked(url)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_accepted_form_parses_and_others_are_refused() {
        let sqlite = |p: &str| Some(DatabaseUrl::Sqlite(PathBuf::from(p)));
        let parse = |text: &str| DatabaseUrl::parse(text).ok();
        assert_eq!(parse("memory:"), Some(DatabaseUrl::Memory));
        assert_eq!(parse("sqlite://firstkiss.db"), sqlite("firstkiss.db"));
        assert_eq!(parse("sqlite:firstkiss.db"), sqlite("firstkiss.db"));
        assert_eq!(parse("sqlite:///var/lib/fk.db"), sqlite("/var/lib/fk.db"));
        assert_eq!(parse("postgresql://h/db"), Some(DatabaseUrl::Postgres("postgresql://h/db".into())));
        for bad in ["", "firstkiss.db", "mysql://h/db", "sqlite://", "sqlite::memory:", "sqlite://a.db?mode=ro"] {
            assert!(matches!(DatabaseUrl::parse(bad), Err(StoreError::BadUrl(_))), "{bad}");
        }
    }

    #[test]
    fn a_password_never_prints() {
        let url = DatabaseUrl::parse("postgres://bot:hunter2secret@db.local:5432/fk?sslmode=disable").unwrap();
        assert_eq!(url.to_string(), "postgres://bot:***@db.local:5432/fk?sslmode=disable");
        assert!(!format!("{url:?}").contains("hunter2secret"));
        let err = DatabaseUrl::parse("postgre://bot:hunter2secret@db/fk").unwrap_err().to_string();
        assert!(!err.contains("hunter2secret"), "{err}");
        assert_eq!(password("postgres://bot@db/fk"), None);
    }

    #[test]
    fn relative_sqlite_paths_follow_the_config_file() {
        let url = DatabaseUrl::parse("sqlite://fk.db").unwrap().relative_to(Path::new("/etc/fk"));
        assert_eq!(url, DatabaseUrl::Sqlite(PathBuf::from("/etc/fk/fk.db")));
        let url = DatabaseUrl::parse("sqlite:///abs/fk.db").unwrap().relative_to(Path::new("/etc/fk"));
        assert_eq!(url, DatabaseUrl::Sqlite(PathBuf::from("/abs/fk.db")));
    }
}
