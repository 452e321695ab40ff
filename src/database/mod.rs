//! The database: which backend the URL names, the pool built from the
//! settings, migrations, and how database errors are classified.

mod migrate;
mod pool;
mod url;

pub use migrate::run_migrations;
pub use pool::{Database, PoolSnapshot, connect_options};
pub use url::{Backend, DatabaseUrl, redact_url};

use sea_orm::{DbErr, RuntimeErr};

/// Whether a database error means the database cannot be reached right now
/// (down, restarting, pool exhausted), so the request should be retried later
/// rather than reported as a bug.
pub fn is_unavailable(error: &DbErr) -> bool {
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            is_unavailable_sqlx(error)
        }
        _ => false,
    }
}

fn is_unavailable_sqlx(error: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match error {
        Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => true,
        Error::Tls(_) => true,
        Error::Database(error) => {
            // PostgreSQL class 08 is "connection exception", 57P0x is an
            // administrator shutdown or a server that cannot accept connections
            // yet, 53300 is "too many connections". SQLite's busy and locked
            // codes (5, 6) mean another writer held the database past the
            // busy timeout.
            let code = error.code().unwrap_or_default();
            code.starts_with("08")
                || code.starts_with("57P0")
                || code == "53300"
                || code == "5"
                || code == "6"
        }
        _ => false,
    }
}
