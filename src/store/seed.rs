//! The demo data set: property GRACE-DXB with four room types, each with a
//! nightly rate and 10 free units for 365 nights starting on the business date.

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};

use super::statement;

pub const DEMO_PROPERTY_CODE: &str = "GRACE-DXB";
const DEMO_PROPERTY_NAME: &str = "Grace Demo Hotel";
const DEMO_CURRENCY: &str = "AED";
const DEMO_NIGHTS: u32 = 365;
const DEMO_UNITS: i32 = 10;

/// Code, name, maximum guests and nightly rate in fils (AED minor units).
const DEMO_ROOM_TYPES: [(&str, &str, i32, i64); 4] = [
    ("STD", "Standard", 2, 35_000),
    ("DLX", "Deluxe", 2, 45_000),
    ("FAM", "Family", 4, 60_000),
    ("STE", "Suite", 3, 90_000),
];

/// Rows per INSERT, well under both backends' limits on bound parameters.
const ROWS_PER_INSERT: usize = 200;

#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded {
        nights: u32,
        room_types: usize,
    },
    /// The database already has a property, so nothing was written.
    AlreadyHasProperty {
        code: String,
    },
}

/// Loads the demo data set into an empty database, in one transaction. The
/// nightly rows are stamped with source timestamp 0, so any rates.updated
/// event overwrites them.
pub async fn seed_demo(
    connection: &DatabaseConnection,
    timezone: Tz,
    business_date: NaiveDate,
) -> Result<SeedOutcome, DbErr> {
    let transaction = connection.begin().await?;
    let backend = transaction.get_database_backend();

    let existing = transaction
        .query_one_raw(statement(
            backend,
            "SELECT code FROM property ORDER BY id LIMIT 1",
            vec![],
        ))
        .await?;
    if let Some(row) = existing {
        transaction.rollback().await?;
        return Ok(SeedOutcome::AlreadyHasProperty {
            code: row.try_get_by_index(0)?,
        });
    }

    let property_id = insert_returning_id(
        &transaction,
        "INSERT INTO property (code, name, timezone, currency) VALUES ($1, $2, $3, $4) RETURNING id",
        vec![
            DEMO_PROPERTY_CODE.into(),
            DEMO_PROPERTY_NAME.into(),
            timezone.name().into(),
            DEMO_CURRENCY.into(),
        ],
    )
    .await?;

    for (code, name, max_guests, amount_minor) in DEMO_ROOM_TYPES {
        let room_type_id = insert_returning_id(
            &transaction,
            "INSERT INTO room_type (property_id, code, name, max_guests) VALUES ($1, $2, $3, $4) RETURNING id",
            vec![property_id.into(), code.into(), name.into(), max_guests.into()],
        )
        .await?;
        insert_nights(&transaction, room_type_id, business_date, amount_minor).await?;
    }

    transaction.commit().await?;
    Ok(SeedOutcome::Seeded {
        nights: DEMO_NIGHTS,
        room_types: DEMO_ROOM_TYPES.len(),
    })
}

async fn insert_returning_id<C: ConnectionTrait>(
    connection: &C,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> Result<i32, DbErr> {
    let row = connection
        .query_one_raw(statement(connection.get_database_backend(), sql, values))
        .await?
        .ok_or_else(|| DbErr::RecordNotInserted)?;
    row.try_get_by_index(0)
}

async fn insert_nights<C: ConnectionTrait>(
    connection: &C,
    room_type_id: i32,
    first_night: NaiveDate,
    amount_minor: i64,
) -> Result<(), DbErr> {
    let dates: Vec<NaiveDate> = first_night.iter_days().take(DEMO_NIGHTS as usize).collect();
    for chunk in dates.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO nightly_rate (room_type_id, date, amount_minor, available, source_timestamp) VALUES ",
        );
        let mut values = vec![room_type_id.into(), amount_minor.into(), DEMO_UNITS.into()];
        for (index, date) in chunk.iter().enumerate() {
            if index > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("($1, ${}, $2, $3, 0)", values.len() + 1));
            values.push((*date).into());
        }
        connection
            .execute_raw(statement(connection.get_database_backend(), sql, values))
            .await?;
    }
    Ok(())
}
