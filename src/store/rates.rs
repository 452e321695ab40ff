//! The rates look-up: what a stay costs per room type and how many units are
//! free on every night, in one round trip.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};

use super::statement;
use crate::domain::stay::Stay;

/// A room type that can be sold for every night of the stay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub room_type: String,
    pub name: String,
    pub max_guests: i32,
    /// The minimum of free units over the nights of the stay.
    pub available: i32,
    /// Amount per night in minor units, in date order.
    pub nightly: Vec<(NaiveDate, i64)>,
    pub total_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RatesLookup {
    Offers(Vec<Offer>),
    /// The requested room type code does not exist at this property.
    UnknownRoomType,
}

/// One row per room type and night of the stay; room types without any
/// night in the range come back once with NULL night columns, so an unknown
/// code can be distinguished from a sold-out one without a second query. The
/// primary key (room_type_id, date) serves the range, so the cost does not
/// grow with the number of nights stored.
const RATES_SQL: &str = "\
SELECT rt.code, rt.name, rt.max_guests, nr.date, nr.amount_minor, nr.available \
FROM room_type rt \
LEFT JOIN nightly_rate nr ON nr.room_type_id = rt.id AND nr.date >= $2 AND nr.date < $3 \
WHERE rt.property_id = $1";

/// Looks up the offers for a stay, optionally for one room type and a
/// number of guests the room type must fit.
pub async fn find_offers<C: ConnectionTrait>(
    connection: &C,
    property_id: i32,
    stay: Stay,
    room_type: Option<&str>,
    guests: Option<u32>,
) -> Result<RatesLookup, DbErr> {
    let mut sql = RATES_SQL.to_owned();
    let mut values = vec![
        property_id.into(),
        stay.check_in.into(),
        stay.check_out.into(),
    ];
    if let Some(code) = room_type {
        sql.push_str(" AND rt.code = $4");
        values.push(code.into());
    }
    sql.push_str(" ORDER BY rt.code, nr.date");

    let rows = connection
        .query_all_raw(statement(connection.get_database_backend(), sql, values))
        .await?;
    if room_type.is_some() && rows.is_empty() {
        return Ok(RatesLookup::UnknownRoomType);
    }

    let nights = stay.nights() as usize;
    let mut offers = Vec::new();
    let mut current: Option<Offer> = None;
    for row in rows {
        let code: String = row.try_get_by_index(0)?;
        if current.as_ref().is_none_or(|offer| offer.room_type != code) {
            offers.extend(current.take().filter(|offer| offer.nightly.len() == nights));
            current = Some(Offer {
                room_type: code,
                name: row.try_get_by_index(1)?,
                max_guests: row.try_get_by_index(2)?,
                available: i32::MAX,
                nightly: Vec::with_capacity(nights),
                total_minor: 0,
            });
        }
        let offer = current.as_mut().expect("set above");
        let date: Option<NaiveDate> = row.try_get_by_index(3)?;
        let amount: Option<i64> = row.try_get_by_index(4)?;
        let available: Option<i32> = row.try_get_by_index(5)?;
        if let (Some(date), Some(amount), Some(available)) = (date, amount, available) {
            offer.nightly.push((date, amount));
            offer.total_minor += amount;
            offer.available = offer.available.min(available);
        }
    }
    offers.extend(current.filter(|offer| offer.nightly.len() == nights));

    offers.retain(|offer| {
        offer.available > 0 && guests.is_none_or(|guests| offer.max_guests >= guests as i32)
    });
    Ok(RatesLookup::Offers(offers))
}
