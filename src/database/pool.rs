//! The connection pool, mapped from SQLAlchemy-style settings onto sqlx.
//!
//! | setting           | sqlx pool option                                    |
//! |-------------------|-----------------------------------------------------|
//! | DB_POOL_SIZE      | `min_connections`: kept open                        |
//! | DB_MAX_OVERFLOW   | `max_connections` = size + overflow                 |
//! | (fixed)           | `idle_timeout` 30 s: closes idle ones above the minimum |
//! | DB_POOL_TIMEOUT   | `acquire_timeout`                                   |
//! | DB_POOL_RECYCLE   | `max_lifetime`                                      |
//! | DB_POOL_PRE_PING  | `test_before_acquire`                               |
//!
//! With IS_SERVERLESS there is no pool: every unit of work opens its own
//! connection and closes it afterwards. A semaphore still caps the open
//! connections at size + overflow, so the connection budget holds.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sea_orm::{ConnAcquireErr, ConnectOptions, DatabaseConnection, DbErr};
use serde::Serialize;
use tokio::sync::Semaphore;

use super::Backend;
use crate::configuration::DatabaseSettings;

/// Maximum wait for a health ping, whatever DB_POOL_TIMEOUT is.
pub const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a connection above the pool's minimum may stay idle before it closes.
pub const OVERFLOW_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Pool state as /health and /metrics report it.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct PoolSnapshot {
    /// `queue` for a pool, `none` with IS_SERVERLESS.
    pub kind: &'static str,
    /// Connections open now, idle plus in use.
    pub size: u32,
    pub idle: u32,
    pub in_use: u32,
    pub min: u32,
    pub max: u32,
    /// Connections in use beyond the pool's minimum.
    pub overflow_in_use: u32,
}

/// The database access of one process, shared by all HTTP workers.
#[derive(Clone)]
pub enum Database {
    Pooled {
        connection: DatabaseConnection,
        backend: Backend,
        min: u32,
        max: u32,
    },
    Serverless(Arc<Serverless>),
}

pub struct Serverless {
    options: ConnectOptions,
    backend: Backend,
    permits: Semaphore,
    open: AtomicU32,
    max: u32,
    acquire_timeout: Duration,
}

/// Builds the sqlx pool options from the settings (see the table above).
pub fn connect_options(settings: &DatabaseSettings) -> ConnectOptions {
    let pool = settings.pool;
    let mut options = ConnectOptions::new(settings.url.expose().to_owned());
    options
        .max_connections(pool.max_connections())
        .min_connections(pool.size)
        .acquire_timeout(pool.timeout)
        .idle_timeout(OVERFLOW_IDLE_TIMEOUT)
        .max_lifetime(pool.recycle)
        .test_before_acquire(pool.pre_ping)
        .sqlx_logging(settings.log_statements)
        .sqlx_logging_level(log::LevelFilter::Info);

    if settings.url.backend() == Backend::Sqlite {
        // WAL lets readers go on while one writer commits; the busy timeout
        // makes a second writer wait for the lock as long as it would wait
        // for a pooled connection, instead of failing at once.
        let busy_timeout = pool.timeout;
        options.map_sqlx_sqlite_opts(move |sqlite| {
            sqlite
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(busy_timeout)
                .foreign_keys(true)
        });
    }
    options
}

impl Database {
    /// Opens the pool (or, with IS_SERVERLESS, checks that one connection can
    /// be opened) and fails when the database cannot be reached.
    pub async fn connect(settings: &DatabaseSettings) -> Result<Database, DbErr> {
        let options = connect_options(settings);
        let backend = settings.url.backend();
        let pool = settings.pool;

        if pool.serverless {
            let mut single = options.clone();
            single.min_connections(0).max_connections(1);
            let probe = sea_orm::Database::connect(single.clone()).await?;
            probe.close().await?;
            return Ok(Database::Serverless(Arc::new(Serverless {
                options: single,
                backend,
                permits: Semaphore::new(pool.max_connections() as usize),
                open: AtomicU32::new(0),
                max: pool.max_connections(),
                acquire_timeout: pool.timeout,
            })));
        }

        let connection = sea_orm::Database::connect(options).await?;
        Ok(Database::Pooled {
            connection,
            backend,
            min: pool.size,
            max: pool.max_connections(),
        })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Database::Pooled { backend, .. } => *backend,
            Database::Serverless(serverless) => serverless.backend,
        }
    }

    /// Runs one unit of work on a connection: a handle on the shared pool, or
    /// with IS_SERVERLESS a connection opened for this work and closed after it.
    pub async fn run<T, E, F, Fut>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(DatabaseConnection) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<DbErr>,
    {
        match self {
            Database::Pooled { connection, .. } => work(connection.clone()).await,
            Database::Serverless(serverless) => serverless.run(work).await,
        }
    }

    /// Sends a ping and returns how long the round trip took. It gives up
    /// after PING_TIMEOUT even when DB_POOL_TIMEOUT is longer, because a
    /// health check that hangs for the pool timeout is no use to a load
    /// balancer or an orchestrator.
    pub async fn ping(&self) -> Result<Duration, DbErr> {
        let started = std::time::Instant::now();
        let ping = self.run(|connection| async move { connection.ping().await });
        tokio::time::timeout(PING_TIMEOUT, ping)
            .await
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))??;
        Ok(started.elapsed())
    }

    pub fn snapshot(&self) -> PoolSnapshot {
        match self {
            Database::Pooled {
                connection,
                min,
                max,
                ..
            } => {
                let (size, idle) = pool_counts(connection);
                let in_use = size.saturating_sub(idle);
                PoolSnapshot {
                    kind: "queue",
                    size,
                    idle,
                    in_use,
                    min: *min,
                    max: *max,
                    overflow_in_use: in_use.saturating_sub(*min),
                }
            }
            Database::Serverless(serverless) => {
                let open = serverless.open.load(Ordering::Relaxed);
                PoolSnapshot {
                    kind: "none",
                    size: open,
                    idle: 0,
                    in_use: open,
                    min: 0,
                    max: serverless.max,
                    overflow_in_use: 0,
                }
            }
        }
    }

    /// Closes the pool; in-flight work has finished by the time this is called.
    pub async fn close(&self) {
        if let Database::Pooled { connection, .. } = self
            && let Err(error) = connection.close_by_ref().await
        {
            tracing::warn!(%error, "closing the database pool failed");
        }
    }
}

impl Serverless {
    async fn run<T, E, F, Fut>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(DatabaseConnection) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<DbErr>,
    {
        let _permit = tokio::time::timeout(self.acquire_timeout, self.permits.acquire())
            .await
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))?
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed))?;

        let connection = sea_orm::Database::connect(self.options.clone()).await?;
        self.open.fetch_add(1, Ordering::Relaxed);
        let result = work(connection.clone()).await;
        self.open.fetch_sub(1, Ordering::Relaxed);
        if let Err(error) = connection.close().await {
            tracing::warn!(%error, "closing a serverless connection failed");
        }
        result
    }
}

/// Reads the open and idle connection counts of the sqlx pool behind a
/// sea-orm connection. The backend is matched first because sea-orm's pool
/// getters panic on the wrong backend.
fn pool_counts(connection: &DatabaseConnection) -> (u32, u32) {
    match connection.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = connection.get_postgres_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
        sea_orm::DbBackend::Sqlite => {
            let pool = connection.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
        _ => (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configuration::PoolSettings;
    use crate::database::DatabaseUrl;

    fn settings(pool: PoolSettings) -> DatabaseSettings {
        DatabaseSettings {
            url: DatabaseUrl::parse("postgres://postgres@127.0.0.1:5432/postgres").unwrap(),
            pool,
            log_statements: false,
            rates_cache: false,
        }
    }

    #[test]
    fn pool_settings_map_onto_sqlx_options() {
        let options = connect_options(&settings(PoolSettings {
            size: 5,
            max_overflow: 2,
            timeout: Duration::from_secs(30),
            recycle: Some(Duration::from_secs(3600)),
            pre_ping: true,
            serverless: false,
        }));

        assert_eq!(options.get_min_connections(), Some(5));
        assert_eq!(options.get_max_connections(), Some(7));
        assert_eq!(options.get_acquire_timeout(), Some(Duration::from_secs(30)));
        assert_eq!(
            options.get_idle_timeout(),
            Some(Some(OVERFLOW_IDLE_TIMEOUT))
        );
        assert_eq!(
            options.get_max_lifetime(),
            Some(Some(Duration::from_secs(3600)))
        );
        assert!(options.get_test_before_acquire());
        assert!(!options.get_sqlx_logging());
    }

    #[test]
    fn recycle_minus_one_and_no_pre_ping_map_to_none_and_false() {
        let options = connect_options(&settings(PoolSettings {
            size: 1,
            max_overflow: 0,
            timeout: Duration::from_millis(500),
            recycle: None,
            pre_ping: false,
            serverless: false,
        }));

        assert_eq!(options.get_max_connections(), Some(1));
        assert_eq!(
            options.get_acquire_timeout(),
            Some(Duration::from_millis(500))
        );
        assert_eq!(options.get_max_lifetime(), Some(None));
        assert!(!options.get_test_before_acquire());
    }
}
