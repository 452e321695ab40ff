//! The webhook inbox and the effects of each event, applied exactly once.
//!
//! Each event runs in one transaction that first inserts the inbox row keyed
//! by the event id, then applies the effects, then stores the outcome. A
//! second delivery of the id, from any process, finds the row (on
//! PostgreSQL it waits for the first transaction to end) and gets the stored
//! outcome back instead of a second application.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, TransactionTrait,
};
use serde_json::json;

use super::property::PropertyInfo;
use super::{for_update, statement};
use crate::domain::event::{EventRejection, NewBooking, RatesUpdate};
use crate::domain::stay::Stay;

/// How often an event is retried after a deadlock, a serialisation failure
/// or a race on a unique booking reference, before the error is returned.
const MAX_ATTEMPTS: u32 = 3;

/// An event whose input has been read and whose dates have been checked.
#[derive(Clone, Debug)]
pub enum Command {
    /// A booking; its stay is checked after the reference, because a reused
    /// reference is reported first whatever else is wrong with the stay.
    CreateBooking {
        booking: NewBooking,
        stay: Result<Stay, EventRejection>,
    },
    CancelBooking {
        reference: String,
    },
    UpdateRates {
        update: RatesUpdate,
        source_timestamp: i64,
    },
}

/// The response to one delivery of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventOutcome {
    pub status: u16,
    pub body: String,
    /// Whether this is the stored outcome of an earlier delivery.
    pub replayed: bool,
    /// For a replay: whether the body differs from the first delivery's.
    pub body_differs: bool,
    /// For rates.updated: nights not written because a newer event had set them.
    pub skipped_stale: u64,
    /// The change this delivery made to the nights that rates caches contain, if any.
    pub cache_change: Option<CacheChange>,
}

/// A change to nights, for the rates cache of the process that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheChange {
    /// Free units changed by `delta` on every night of the stay.
    Units {
        room_type_id: i32,
        stay: Stay,
        delta: i32,
    },
    /// Nights of the room type were rewritten; reload them.
    Reload { room_type_id: i32 },
}

impl CacheChange {
    fn room_type_id(self) -> i32 {
        match self {
            CacheChange::Units { room_type_id, .. } | CacheChange::Reload { room_type_id } => {
                room_type_id
            }
        }
    }
}

/// The inbox facts of one delivery.
#[derive(Clone, Debug)]
pub struct Delivery<'a> {
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub body_sha256: &'a str,
    pub received_at: DateTime<Utc>,
}

/// Records and applies an event, or records its rejection, exactly once.
pub async fn process_event(
    connection: &DatabaseConnection,
    property: &PropertyInfo,
    delivery: &Delivery<'_>,
    command: &Result<Command, EventRejection>,
) -> Result<EventOutcome, DbErr> {
    let mut attempt = 1;
    loop {
        match process_once(connection, property, delivery, command).await {
            Err(error) if attempt < MAX_ATTEMPTS && is_retryable(&error) => {
                tracing::warn!(event_id = delivery.event_id, attempt, %error, "retrying event after a transient conflict");
                attempt += 1;
            }
            result => return result,
        }
    }
}

async fn process_once(
    connection: &DatabaseConnection,
    property: &PropertyInfo,
    delivery: &Delivery<'_>,
    command: &Result<Command, EventRejection>,
) -> Result<EventOutcome, DbErr> {
    let transaction = connection.begin().await?;
    if !insert_inbox_row(&transaction, delivery).await? {
        transaction.rollback().await?;
        return replay(connection, delivery).await;
    }

    let result = match command {
        Err(rejection) => Ok(Applied::rejected(rejection.clone())),
        Ok(Command::CreateBooking { booking, stay }) => {
            create_booking(&transaction, property, delivery, booking, stay).await
        }
        Ok(Command::CancelBooking { reference }) => {
            cancel_booking(&transaction, property, delivery, reference).await
        }
        Ok(Command::UpdateRates {
            update,
            source_timestamp,
        }) => update_rates(&transaction, property, update, *source_timestamp).await,
    };
    let applied = match result {
        Ok(applied) => applied,
        Err(error) => {
            transaction.rollback().await?;
            return Err(error);
        }
    };

    let notify = applied.cache_change.map(CacheChange::room_type_id);
    store_outcome(
        &transaction,
        delivery.event_id,
        applied.status,
        &applied.body,
        notify,
    )
    .await?;
    transaction.commit().await?;
    Ok(EventOutcome {
        status: applied.status,
        body: applied.body,
        replayed: false,
        body_differs: false,
        skipped_stale: applied.skipped_stale,
        cache_change: applied.cache_change,
    })
}

/// The result of applying an event inside the transaction.
struct Applied {
    status: u16,
    body: String,
    skipped_stale: u64,
    cache_change: Option<CacheChange>,
}

impl Applied {
    fn ok(status: u16, body: serde_json::Value) -> Applied {
        Applied {
            status,
            body: body.to_string(),
            skipped_stale: 0,
            cache_change: None,
        }
    }

    fn changing(mut self, change: CacheChange) -> Applied {
        self.cache_change = Some(change);
        self
    }

    fn rejected(rejection: EventRejection) -> Applied {
        let mut error = json!({"code": rejection.code, "message": rejection.message});
        if let Some(field) = rejection.field {
            error["field"] = json!(field);
        }
        Applied {
            status: rejection.status,
            body: json!({ "error": error }).to_string(),
            skipped_stale: 0,
            cache_change: None,
        }
    }
}

/// Inserts the inbox row; `false` when the event id is already there.
async fn insert_inbox_row(
    transaction: &DatabaseTransaction,
    delivery: &Delivery<'_>,
) -> Result<bool, DbErr> {
    let result = transaction
        .execute_raw(statement(
            transaction.get_database_backend(),
            "INSERT INTO webhook_event (event_id, event_type, body_sha256, status_code, response_body, received_at) \
             VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (event_id) DO NOTHING",
            vec![
                delivery.event_id.into(),
                delivery.event_type.into(),
                delivery.body_sha256.into(),
                delivery.received_at.into(),
            ],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Stores the outcome in the inbox row. When the event changed a room
/// type's nights, on PostgreSQL the same statement notifies every process's
/// rates cache; the notification is delivered only if the transaction commits.
async fn store_outcome(
    transaction: &DatabaseTransaction,
    event_id: &str,
    status: u16,
    body: &str,
    notify_room_type: Option<i32>,
) -> Result<(), DbErr> {
    let backend = transaction.get_database_backend();
    let mut values = vec![event_id.into(), i32::from(status).into(), body.into()];
    let sql = match notify_room_type {
        Some(room_type_id) if backend == DbBackend::Postgres => {
            values.push(crate::cache::RATES_CHANNEL.into());
            values.push(room_type_id.to_string().into());
            "WITH outcome AS (UPDATE webhook_event SET status_code = $2, response_body = $3 WHERE event_id = $1) \
             SELECT pg_notify($4, $5)"
        }
        _ => "UPDATE webhook_event SET status_code = $2, response_body = $3 WHERE event_id = $1",
    };
    transaction
        .execute_raw(statement(backend, sql, values))
        .await?;
    Ok(())
}

/// Returns the stored outcome of an event id seen before: 200 when the first
/// outcome was a success, else the first status, with the first body.
async fn replay(
    connection: &DatabaseConnection,
    delivery: &Delivery<'_>,
) -> Result<EventOutcome, DbErr> {
    let row = connection
        .query_one_raw(statement(
            connection.get_database_backend(),
            "SELECT status_code, response_body, body_sha256 FROM webhook_event WHERE event_id = $1",
            vec![delivery.event_id.into()],
        ))
        .await?
        .ok_or_else(|| {
            DbErr::RecordNotFound(format!("webhook event {} vanished", delivery.event_id))
        })?;

    let first_status: i32 = row.try_get_by_index(0)?;
    let body: String = row.try_get_by_index(1)?;
    let first_sha256: String = row.try_get_by_index(2)?;
    let status = if (200..300).contains(&first_status) {
        200
    } else {
        first_status as u16
    };
    Ok(EventOutcome {
        status,
        body,
        replayed: true,
        body_differs: first_sha256.trim() != delivery.body_sha256,
        skipped_stale: 0,
        cache_change: None,
    })
}

struct RoomTypeRow {
    id: i32,
    max_guests: i32,
}

async fn find_room_type<C: ConnectionTrait>(
    connection: &C,
    property_id: i32,
    code: &str,
) -> Result<Option<RoomTypeRow>, DbErr> {
    let row = connection
        .query_one_raw(statement(
            connection.get_database_backend(),
            "SELECT id, max_guests FROM room_type WHERE property_id = $1 AND code = $2",
            vec![property_id.into(), code.into()],
        ))
        .await?;
    row.map(|row| {
        Ok(RoomTypeRow {
            id: row.try_get_by_index(0)?,
            max_guests: row.try_get_by_index(1)?,
        })
    })
    .transpose()
}

fn unknown_room_type(code: &str) -> EventRejection {
    EventRejection::unprocessable(
        "unknown_room_type",
        "data.room_type",
        format!(
            "room type {:?} does not exist at this property",
            crate::domain::stay::shorten(code)
        ),
    )
}

async fn create_booking(
    transaction: &DatabaseTransaction,
    property: &PropertyInfo,
    delivery: &Delivery<'_>,
    booking: &NewBooking,
    stay: &Result<Stay, EventRejection>,
) -> Result<Applied, DbErr> {
    let backend = transaction.get_database_backend();
    let (room_type, reference_taken) =
        find_room_type_and_reference(transaction, property.id, booking).await?;
    if reference_taken {
        return Ok(Applied::rejected(EventRejection {
            status: 409,
            code: "duplicate_reference",
            message: format!(
                "a booking with reference {} already exists",
                booking.reference
            ),
            field: Some("data.reference".to_owned()),
        }));
    }
    let stay = match stay {
        Ok(stay) => *stay,
        Err(rejection) => return Ok(Applied::rejected(rejection.clone())),
    };
    let Some(room_type) = room_type else {
        return Ok(Applied::rejected(unknown_room_type(&booking.room_type)));
    };
    if booking.guests as i32 > room_type.max_guests {
        return Ok(Applied::rejected(EventRejection::unprocessable(
            "too_many_guests",
            "data.guests",
            format!(
                "{} guests do not fit room type {}, which takes at most {}",
                booking.guests, booking.room_type, room_type.max_guests
            ),
        )));
    }

    let nights = lock_nights(transaction, room_type.id, stay).await?;
    if let Some(night) = first_unsellable_night(&nights, stay) {
        return Ok(Applied::rejected(EventRejection {
            status: 409,
            code: "no_availability",
            message: format!(
                "room type {} has no free unit or no rate on {night}",
                booking.room_type
            ),
            field: None,
        }));
    }

    take_units(transaction, room_type.id, stay).await?;
    let booking_id = uuid::Uuid::new_v4().to_string();
    let total_minor: i64 = nights.iter().map(|night| night.amount_minor).sum();
    insert_booking(
        transaction,
        property,
        delivery,
        &booking_id,
        room_type.id,
        booking,
        stay,
        total_minor,
    )
    .await?;
    insert_booking_nights(transaction, backend, &booking_id, &nights).await?;

    let body = booking_body(
        &booking_id,
        &booking.reference,
        "confirmed",
        &booking.room_type,
        stay,
        booking.guests as i32,
        &nights
            .iter()
            .map(|night| (night.date, night.amount_minor))
            .collect::<Vec<_>>(),
        total_minor,
        property,
    );
    Ok(Applied::ok(201, body).changing(CacheChange::Units {
        room_type_id: room_type.id,
        stay,
        delta: -1,
    }))
}

/// Looks up the booking's room type and whether its reference is taken, in
/// one round trip: a booking's latency is mostly round trips to the database.
async fn find_room_type_and_reference(
    transaction: &DatabaseTransaction,
    property_id: i32,
    booking: &NewBooking,
) -> Result<(Option<RoomTypeRow>, bool), DbErr> {
    let backend = transaction.get_database_backend();
    let row = transaction
        .query_one_raw(statement(
            backend,
            "SELECT rt.id, rt.max_guests, EXISTS (SELECT 1 FROM booking WHERE reference = $3) \
             FROM room_type rt WHERE rt.property_id = $1 AND rt.code = $2",
            vec![
                property_id.into(),
                booking.room_type.as_str().into(),
                booking.reference.as_str().into(),
            ],
        ))
        .await?;
    if let Some(row) = row {
        let room_type = RoomTypeRow {
            id: row.try_get_by_index(0)?,
            max_guests: row.try_get_by_index(1)?,
        };
        return Ok((Some(room_type), row.try_get_by_index(2)?));
    }

    // An unknown room type: the reference still decides first.
    let taken = transaction
        .query_one_raw(statement(
            backend,
            "SELECT 1 FROM booking WHERE reference = $1",
            vec![booking.reference.as_str().into()],
        ))
        .await?
        .is_some();
    Ok((None, taken))
}

struct NightRow {
    date: NaiveDate,
    amount_minor: i64,
    available: i32,
}

/// Reads the stay's nights in date order, locking them on PostgreSQL so a
/// concurrent booking waits instead of taking the same unit. The fixed date
/// order means two bookings never lock in opposite orders.
async fn lock_nights(
    transaction: &DatabaseTransaction,
    room_type_id: i32,
    stay: Stay,
) -> Result<Vec<NightRow>, DbErr> {
    let backend = transaction.get_database_backend();
    let sql = format!(
        "SELECT date, amount_minor, available FROM nightly_rate \
         WHERE room_type_id = $1 AND date >= $2 AND date < $3 ORDER BY date{}",
        for_update(backend)
    );
    let rows = transaction
        .query_all_raw(statement(
            backend,
            sql,
            vec![
                room_type_id.into(),
                stay.check_in.into(),
                stay.check_out.into(),
            ],
        ))
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(NightRow {
                date: row.try_get_by_index(0)?,
                amount_minor: row.try_get_by_index(1)?,
                available: row.try_get_by_index(2)?,
            })
        })
        .collect()
}

/// Returns the first night of the stay with no rate row or no free unit.
fn first_unsellable_night(nights: &[NightRow], stay: Stay) -> Option<NaiveDate> {
    let mut stored = nights.iter();
    stay.dates().find(|date| match stored.next() {
        Some(night) => night.date != *date || night.available <= 0,
        None => true,
    })
}

/// Takes one unit on every night. The `available > 0` guard and the CHECK
/// constraint make overselling impossible even if the rows were not locked;
/// a row count short of the nights means a concurrent writer won, and the
/// whole transaction is retried.
async fn take_units(
    transaction: &DatabaseTransaction,
    room_type_id: i32,
    stay: Stay,
) -> Result<(), DbErr> {
    let result = transaction
        .execute_raw(statement(
            transaction.get_database_backend(),
            "UPDATE nightly_rate SET available = available - 1 \
             WHERE room_type_id = $1 AND date >= $2 AND date < $3 AND available > 0",
            vec![
                room_type_id.into(),
                stay.check_in.into(),
                stay.check_out.into(),
            ],
        ))
        .await?;
    if result.rows_affected() != stay.nights() as u64 {
        return Err(DbErr::Custom(CONCURRENT_UPDATE.to_owned()));
    }
    Ok(())
}

const CONCURRENT_UPDATE: &str = "a concurrent booking took a unit first";

#[allow(clippy::too_many_arguments)]
async fn insert_booking(
    transaction: &DatabaseTransaction,
    property: &PropertyInfo,
    delivery: &Delivery<'_>,
    booking_id: &str,
    room_type_id: i32,
    booking: &NewBooking,
    stay: Stay,
    total_minor: i64,
) -> Result<(), DbErr> {
    transaction
        .execute_raw(statement(
            transaction.get_database_backend(),
            "INSERT INTO booking (id, reference, room_type_id, status, check_in, check_out, guests, \
             guest_name, guest_email, guest_phone, total_minor, currency, created_at) \
             VALUES ($1, $2, $3, 'confirmed', $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            vec![
                booking_id.into(),
                booking.reference.as_str().into(),
                room_type_id.into(),
                stay.check_in.into(),
                stay.check_out.into(),
                (booking.guests as i32).into(),
                booking.guest.name.as_str().into(),
                booking.guest.email.clone().into(),
                booking.guest.phone.clone().into(),
                total_minor.into(),
                property.currency.code.as_str().into(),
                delivery.received_at.into(),
            ],
        ))
        .await?;
    Ok(())
}

async fn insert_booking_nights(
    transaction: &DatabaseTransaction,
    backend: DbBackend,
    booking_id: &str,
    nights: &[NightRow],
) -> Result<(), DbErr> {
    let mut sql =
        String::from("INSERT INTO booking_night (booking_id, date, amount_minor) VALUES ");
    let mut values = vec![booking_id.into()];
    for (index, night) in nights.iter().enumerate() {
        if index > 0 {
            sql.push_str(", ");
        }
        let base = values.len();
        sql.push_str(&format!("($1, ${}, ${})", base + 1, base + 2));
        values.push(night.date.into());
        values.push(night.amount_minor.into());
    }
    transaction
        .execute_raw(statement(backend, sql, values))
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn booking_body(
    id: &str,
    reference: &str,
    status: &str,
    room_type: &str,
    stay: Stay,
    guests: i32,
    nightly: &[(NaiveDate, i64)],
    total_minor: i64,
    property: &PropertyInfo,
) -> serde_json::Value {
    let currency = &property.currency;
    let nightly: Vec<_> = nightly
        .iter()
        .map(|(date, amount)| json!({"date": date.to_string(), "amount": currency.format(*amount)}))
        .collect();
    json!({"booking": {
        "id": id,
        "reference": reference,
        "status": status,
        "room_type": room_type,
        "check_in": stay.check_in.to_string(),
        "check_out": stay.check_out.to_string(),
        "guests": guests,
        "nightly": nightly,
        "total": currency.format(total_minor),
        "currency": currency.code,
    }})
}

async fn cancel_booking(
    transaction: &DatabaseTransaction,
    property: &PropertyInfo,
    delivery: &Delivery<'_>,
    reference: &str,
) -> Result<Applied, DbErr> {
    let backend = transaction.get_database_backend();
    let sql = format!(
        "SELECT b.id, b.status, b.room_type_id, rt.code, b.check_in, b.check_out, b.guests, b.total_minor \
         FROM booking b JOIN room_type rt ON rt.id = b.room_type_id WHERE b.reference = $1{}",
        for_update(backend).replace("FOR UPDATE", "FOR UPDATE OF b")
    );
    let Some(row) = transaction
        .query_one_raw(statement(backend, sql, vec![reference.into()]))
        .await?
    else {
        return Ok(Applied::rejected(EventRejection {
            status: 404,
            code: "unknown_booking",
            message: format!("no booking has reference {reference}"),
            field: Some("data.reference".to_owned()),
        }));
    };

    let booking_id: String = row.try_get_by_index(0)?;
    let status: String = row.try_get_by_index(1)?;
    let room_type_id: i32 = row.try_get_by_index(2)?;
    let room_type: String = row.try_get_by_index(3)?;
    let stay = Stay {
        check_in: row.try_get_by_index(4)?,
        check_out: row.try_get_by_index(5)?,
    };
    let guests: i32 = row.try_get_by_index(6)?;
    let total_minor: i64 = row.try_get_by_index(7)?;

    if status == "confirmed" {
        release_units(
            transaction,
            &booking_id,
            room_type_id,
            stay,
            delivery.received_at,
        )
        .await?;
    }

    let nightly = booking_nights(transaction, &booking_id).await?;
    let body = booking_body(
        &booking_id,
        reference,
        "cancelled",
        &room_type,
        stay,
        guests,
        &nightly,
        total_minor,
        property,
    );
    let applied = Applied::ok(200, body);
    Ok(if status == "confirmed" {
        applied.changing(CacheChange::Units {
            room_type_id,
            stay,
            delta: 1,
        })
    } else {
        applied
    })
}

/// Marks the booking cancelled and gives its units back, once: the status
/// guard makes a second cancellation change nothing.
async fn release_units(
    transaction: &DatabaseTransaction,
    booking_id: &str,
    room_type_id: i32,
    stay: Stay,
    cancelled_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = transaction.get_database_backend();
    let cancelled = transaction
        .execute_raw(statement(
            backend,
            "UPDATE booking SET status = 'cancelled', cancelled_at = $2 WHERE id = $1 AND status = 'confirmed'",
            vec![booking_id.into(), cancelled_at.into()],
        ))
        .await?;
    if cancelled.rows_affected() == 1 {
        transaction
            .execute_raw(statement(
                backend,
                "UPDATE nightly_rate SET available = available + 1 \
                 WHERE room_type_id = $1 AND date >= $2 AND date < $3",
                vec![
                    room_type_id.into(),
                    stay.check_in.into(),
                    stay.check_out.into(),
                ],
            ))
            .await?;
    }
    Ok(())
}

async fn booking_nights(
    transaction: &DatabaseTransaction,
    booking_id: &str,
) -> Result<Vec<(NaiveDate, i64)>, DbErr> {
    let rows = transaction
        .query_all_raw(statement(
            transaction.get_database_backend(),
            "SELECT date, amount_minor FROM booking_night WHERE booking_id = $1 ORDER BY date",
            vec![booking_id.into()],
        ))
        .await?;
    rows.into_iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}

/// Upserts nightly rates and free units. A night keeps the X-Timestamp of
/// the event that last set it, and an event with an older timestamp does not
/// overwrite it; an equal or newer one does.
async fn update_rates(
    transaction: &DatabaseTransaction,
    property: &PropertyInfo,
    update: &RatesUpdate,
    source_timestamp: i64,
) -> Result<Applied, DbErr> {
    let Some(room_type) = find_room_type(transaction, property.id, &update.room_type).await? else {
        return Ok(Applied::rejected(unknown_room_type(&update.room_type)));
    };

    let mut rates = Vec::with_capacity(update.rates.len());
    for (index, rate) in update.rates.iter().enumerate() {
        match property.currency.parse_amount(&rate.amount) {
            Ok(amount_minor) => rates.push((rate.date, amount_minor, rate.available)),
            Err(message) => {
                return Ok(Applied::rejected(EventRejection::unprocessable(
                    "invalid_event",
                    format!("data.rates[{index}].amount"),
                    format!("amount {message}"),
                )));
            }
        }
    }
    // Date order keeps the row locks of concurrent writers in one order.
    rates.sort_by_key(|(date, _, _)| *date);

    let mut sql = String::from(
        "INSERT INTO nightly_rate (room_type_id, date, amount_minor, available, source_timestamp) VALUES ",
    );
    let mut values = vec![room_type.id.into(), source_timestamp.into()];
    for (index, (date, amount_minor, available)) in rates.iter().enumerate() {
        if index > 0 {
            sql.push_str(", ");
        }
        let base = values.len();
        sql.push_str(&format!(
            "($1, ${}, ${}, ${}, $2)",
            base + 1,
            base + 2,
            base + 3
        ));
        values.push((*date).into());
        values.push((*amount_minor).into());
        values.push((*available).into());
    }
    sql.push_str(
        " ON CONFLICT (room_type_id, date) DO UPDATE SET amount_minor = excluded.amount_minor, \
         available = excluded.available, source_timestamp = excluded.source_timestamp \
         WHERE nightly_rate.source_timestamp <= excluded.source_timestamp",
    );
    let written = transaction
        .execute_raw(statement(transaction.get_database_backend(), sql, values))
        .await?
        .rows_affected();

    let skipped_stale = rates.len() as u64 - written;
    let mut applied = Applied::ok(
        200,
        json!({"room_type": update.room_type, "written": written, "skipped_stale": skipped_stale}),
    );
    applied.skipped_stale = skipped_stale;
    if written > 0 {
        applied.cache_change = Some(CacheChange::Reload {
            room_type_id: room_type.id,
        });
    }
    Ok(applied)
}

/// Returns whether retrying the whole event may succeed: a deadlock, a serialisation
/// failure, a unique-reference race that the retry turns into a clean 409,
/// or a concurrent writer that took a unit first.
fn is_retryable(error: &DbErr) -> bool {
    if let DbErr::Custom(message) = error {
        return message == CONCURRENT_UPDATE;
    }
    if matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    ) {
        return true;
    }
    let text = error.to_string();
    text.contains("deadlock detected") || text.contains("could not serialize access")
}
