//! DATABASE_URL: which backend it names, normalised for sqlx.

use secrecy::{ExposeSecret, SecretString};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// A validated database URL. It may contain a password, so it prints redacted.
#[derive(Clone)]
pub struct DatabaseUrl {
    url: SecretString,
    backend: Backend,
    normalised: bool,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl DatabaseUrl {
    /// Parses a URL, accepting `postgres://`, `postgresql://`, SQLAlchemy's
    /// `postgresql+asyncpg://` (rewritten to `postgresql://`) and `sqlite:`.
    /// The error is the "expected" part of a configuration message.
    pub fn parse(raw: &str) -> Result<DatabaseUrl, String> {
        let expected = || {
            "a URL starting with postgres://, postgresql:// or sqlite:, \
             such as postgres://user@127.0.0.1:5432/grace or sqlite://grace.db?mode=rwc"
                .to_owned()
        };

        let (url, normalised) = match raw.strip_prefix("postgresql+asyncpg://") {
            Some(rest) => (format!("postgresql://{rest}"), true),
            None => (raw.to_owned(), false),
        };
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let parsed = url::Url::parse(&url).map_err(|_| expected())?;
            if parsed.host_str().is_none_or(str::is_empty)
                && !parsed.query().is_some_and(|q| q.contains("host="))
            {
                return Err(expected());
            }
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(expected());
        };

        Ok(DatabaseUrl {
            url: SecretString::from(url),
            backend,
            normalised,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn was_normalised(&self) -> bool {
        self.normalised
    }

    /// The URL to hand to the driver. Keep it out of logs: use `redacted`.
    pub fn expose(&self) -> &str {
        self.url.expose_secret()
    }

    pub fn redacted(&self) -> String {
        redact_url(self.url.expose_secret())
    }

    /// Returns the same server with another database name, for tools and tests
    /// that create or drop a database. PostgreSQL only.
    pub fn with_database(&self, database: &str) -> Result<DatabaseUrl, String> {
        let mut parsed = url::Url::parse(self.expose()).map_err(|error| error.to_string())?;
        parsed.set_path(&format!("/{database}"));
        DatabaseUrl::parse(parsed.as_str())
    }
}

/// Replaces the password of a URL with `***`, for logs and error messages.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) if raw.contains('@') => "<unparsable URL with credentials>".to_owned(),
        Err(_) => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asyncpg_scheme_is_normalised() {
        let url = DatabaseUrl::parse("postgresql+asyncpg://app:pw@db:5432/grace").unwrap();
        assert_eq!(url.backend(), Backend::Postgres);
        assert!(url.was_normalised());
        assert_eq!(url.expose(), "postgresql://app:pw@db:5432/grace");
    }

    #[test]
    fn sqlite_and_postgres_schemes_are_accepted() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://grace.db?mode=rwc")
                .unwrap()
                .backend(),
            Backend::Sqlite
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite::memory:").unwrap().backend(),
            Backend::Sqlite
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://127.0.0.1/x")
                .unwrap()
                .backend(),
            Backend::Postgres
        );
    }

    #[test]
    fn other_schemes_are_rejected() {
        assert!(DatabaseUrl::parse("mysql://localhost/grace").is_err());
        assert!(DatabaseUrl::parse("not a url").is_err());
        assert!(DatabaseUrl::parse("postgres://").is_err());
    }

    #[test]
    fn password_never_prints() {
        let url = DatabaseUrl::parse("postgres://app:hunter2@db/grace").unwrap();
        assert!(!format!("{url:?}").contains("hunter2"));
        assert!(!url.redacted().contains("hunter2"));
    }
}
