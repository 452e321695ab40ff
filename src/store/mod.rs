//! SQL next to the model that owns it: the property, rate look-ups, the
//! webhook inbox with the effects of each event, and the demo data set.
//!
//! Statements are written once with `$n` placeholders, which both sqlx
//! backends accept, and PostgreSQL-only clauses are added by backend.

pub mod events;
pub mod property;
pub mod rates;
pub mod seed;

use sea_orm::{DbBackend, Statement, Value};

fn statement(backend: DbBackend, sql: impl Into<String>, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(backend, sql.into(), values)
}

/// `FOR UPDATE` on PostgreSQL, which locks the rows read; SQLite has no row
/// locks and needs none, because its write transaction already holds the
/// database's single write lock.
fn for_update(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => " FOR UPDATE",
        _ => "",
    }
}
