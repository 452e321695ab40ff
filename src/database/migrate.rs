//! Running the schema migrations, serialised across processes on PostgreSQL.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbErr, Statement};

use super::{Backend, Database};
use crate::configuration::DatabaseSettings;

/// Key of the PostgreSQL advisory lock held while migrating: any fixed
/// number that no other application on the same server uses.
const MIGRATION_LOCK_KEY: i64 = 0x6772_6163_655f_6d67; // "grace_mg"

/// Runs pending migrations. On PostgreSQL they run on one dedicated
/// connection under a session advisory lock, so replicas that start together
/// take turns: the second waits, then finds nothing left to do.
pub async fn run_migrations(database: &Database, settings: &DatabaseSettings) -> Result<(), DbErr> {
    match database.backend() {
        Backend::Sqlite => {
            database
                .run(|connection| async move { Migrator::up(&connection, None).await })
                .await
        }
        Backend::Postgres => migrate_under_lock(settings).await,
    }
}

async fn migrate_under_lock(settings: &DatabaseSettings) -> Result<(), DbErr> {
    // Session advisory locks belong to one connection, so this uses a
    // connection of its own rather than one the pool may swap.
    let mut options = super::connect_options(settings);
    options.min_connections(1).max_connections(1);
    let connection = sea_orm::Database::connect(options).await?;

    tracing::info!("waiting for the migration lock");
    connection
        .execute_raw(Statement::from_sql_and_values(
            connection.get_database_backend(),
            "SELECT pg_advisory_lock($1)",
            [MIGRATION_LOCK_KEY.into()],
        ))
        .await?;

    let pending = Migrator::get_pending_migrations(&connection).await?.len();
    let result = if pending == 0 {
        tracing::info!("schema is up to date");
        Ok(())
    } else {
        tracing::info!(pending, "applying migrations");
        Migrator::up(&connection, None).await
    };

    let unlock = connection
        .execute_raw(Statement::from_sql_and_values(
            connection.get_database_backend(),
            "SELECT pg_advisory_unlock($1)",
            [MIGRATION_LOCK_KEY.into()],
        ))
        .await;
    if let Err(error) = unlock {
        tracing::warn!(%error, "releasing the migration lock failed; closing the connection releases it");
    }
    connection.close().await?;
    result
}
