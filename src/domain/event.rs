//! Webhook events: the envelope `{"id", "type", "data"}` and the three event
//! types, read from already-verified JSON.
//!
//! Reading is split in two because the inbox needs the event id: an envelope
//! without a usable id is rejected and not recorded, while every later
//! problem is a rejection stored under that id, so a retry gets the same response.

use serde_json::{Map, Value};

use super::stay::shorten;

/// Maximum length of an event id, in characters.
pub const MAX_EVENT_ID_CHARS: usize = 128;
/// Maximum length of a booking reference, in characters.
pub const MAX_REFERENCE_CHARS: usize = 64;
/// Most guests one booking may name; room types cap it further.
const MAX_GUESTS: u64 = 1000;
/// Most nightly rows one rates.updated event may carry.
pub const MAX_RATES_PER_EVENT: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    BookingCreated,
    BookingCancelled,
    RatesUpdated,
    Unknown,
}

impl EventType {
    fn parse(name: &str) -> EventType {
        match name {
            "booking.created" => EventType::BookingCreated,
            "booking.cancelled" => EventType::BookingCancelled,
            "rates.updated" => EventType::RatesUpdated,
            _ => EventType::Unknown,
        }
    }

    /// Returns the type named by a document's `type` field, for metrics about an
    /// envelope that could not be read whole.
    pub fn of(document: &Value) -> EventType {
        document
            .get("type")
            .and_then(Value::as_str)
            .map_or(EventType::Unknown, EventType::parse)
    }

    /// Returns the metric label: a known type's name, else `unknown`.
    pub fn label(self) -> &'static str {
        match self {
            EventType::BookingCreated => "booking.created",
            EventType::BookingCancelled => "booking.cancelled",
            EventType::RatesUpdated => "rates.updated",
            EventType::Unknown => "unknown",
        }
    }
}

/// An event that grace refuses to apply: a 4xx with a stable code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRejection {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl EventRejection {
    pub fn unprocessable(
        code: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> EventRejection {
        EventRejection {
            status: 422,
            code,
            message: message.into(),
            field: Some(field.into()),
        }
    }

    fn invalid(field: &str, message: impl Into<String>) -> EventRejection {
        EventRejection::unprocessable("invalid_event", field, message)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guest {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A booking.created event before its dates are checked against the
/// property's business date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBooking {
    pub reference: String,
    pub room_type: String,
    pub check_in: String,
    pub check_out: String,
    pub guests: u32,
    pub guest: Guest,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateInput {
    pub date: chrono::NaiveDate,
    /// The amount as sent; the store converts it with the property's currency.
    pub amount: Value,
    pub available: i32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatesUpdate {
    pub room_type: String,
    pub rates: Vec<RateInput>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventData {
    BookingCreated(NewBooking),
    BookingCancelled { reference: String },
    RatesUpdated(RatesUpdate),
}

/// An envelope whose id could be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub id: String,
    pub event_type: EventType,
    /// The event, or why it is rejected; either way it is recorded under `id`.
    pub data: Result<EventData, EventRejection>,
}

/// Reads the envelope. `Err` means there is no usable event id, so the
/// rejection is returned to the sender but not recorded.
pub fn read_envelope(value: Value) -> Result<Envelope, EventRejection> {
    let Value::Object(mut envelope) = value else {
        return Err(EventRejection {
            status: 422,
            code: "invalid_event",
            message: "the body must be a JSON object {\"id\", \"type\", \"data\"}".to_owned(),
            field: None,
        });
    };
    let id = printable_ascii(&envelope, "id", "id", MAX_EVENT_ID_CHARS)?;

    let (event_type, data) = match envelope.get("type") {
        Some(Value::String(name)) => {
            let event_type = EventType::parse(name);
            let data = if event_type == EventType::Unknown {
                Err(EventRejection::unprocessable(
                    "unknown_event_type",
                    "type",
                    format!(
                        "unknown event type {:?}: expected booking.created, booking.cancelled or rates.updated",
                        shorten(name)
                    ),
                ))
            } else {
                read_data(event_type, envelope.remove("data"))
            };
            (event_type, data)
        }
        _ => (
            EventType::Unknown,
            Err(EventRejection::invalid(
                "type",
                "type is required and must be a string",
            )),
        ),
    };
    Ok(Envelope {
        id,
        event_type,
        data,
    })
}

fn read_data(event_type: EventType, data: Option<Value>) -> Result<EventData, EventRejection> {
    let Some(Value::Object(data)) = data else {
        return Err(EventRejection::invalid(
            "data",
            "data is required and must be a JSON object",
        ));
    };
    match event_type {
        EventType::BookingCreated => read_new_booking(&data).map(EventData::BookingCreated),
        EventType::BookingCancelled => Ok(EventData::BookingCancelled {
            reference: printable_ascii(&data, "reference", "data.reference", MAX_REFERENCE_CHARS)?,
        }),
        EventType::RatesUpdated => read_rates_update(&data).map(EventData::RatesUpdated),
        EventType::Unknown => unreachable!("unknown types are rejected before their data is read"),
    }
}

fn read_new_booking(data: &Map<String, Value>) -> Result<NewBooking, EventRejection> {
    let reference = printable_ascii(data, "reference", "data.reference", MAX_REFERENCE_CHARS)?;
    let room_type = string(data, "room_type", "data.room_type")?;
    let check_in = string(data, "check_in", "data.check_in")?;
    let check_out = string(data, "check_out", "data.check_out")?;
    let guests = match data.get("guests").and_then(Value::as_u64) {
        Some(guests) if (1..=MAX_GUESTS).contains(&guests) => guests as u32,
        _ => {
            return Err(EventRejection::invalid(
                "data.guests",
                format!("guests is required and must be a JSON integer from 1 to {MAX_GUESTS}"),
            ));
        }
    };
    let guest = read_guest(data.get("guest"))?;

    Ok(NewBooking {
        reference,
        room_type,
        check_in,
        check_out,
        guests,
        guest,
    })
}

fn read_guest(guest: Option<&Value>) -> Result<Guest, EventRejection> {
    let Some(Value::Object(guest)) = guest else {
        return Err(EventRejection::invalid(
            "data.guest",
            "guest is required and must be a JSON object with a name",
        ));
    };
    let name = string(guest, "name", "data.guest.name")?;
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(EventRejection::invalid(
            "data.guest.name",
            "guest.name must be 1 to 200 characters",
        ));
    }
    Ok(Guest {
        name,
        email: optional_string(guest, "email", "data.guest.email")?,
        phone: optional_string(guest, "phone", "data.guest.phone")?,
    })
}

fn read_rates_update(data: &Map<String, Value>) -> Result<RatesUpdate, EventRejection> {
    let room_type = string(data, "room_type", "data.room_type")?;
    let Some(Value::Array(items)) = data.get("rates") else {
        return Err(EventRejection::invalid(
            "data.rates",
            "rates is required and must be a JSON array",
        ));
    };
    if items.is_empty() || items.len() > MAX_RATES_PER_EVENT {
        return Err(EventRejection::invalid(
            "data.rates",
            format!("rates must hold 1 to {MAX_RATES_PER_EVENT} entries"),
        ));
    }

    let mut rates: Vec<RateInput> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let rate = read_rate(index, item)?;
        if rates.iter().any(|earlier| earlier.date == rate.date) {
            return Err(EventRejection::invalid(
                &format!("data.rates[{index}].date"),
                format!("date {} appears twice in rates", rate.date),
            ));
        }
        rates.push(rate);
    }
    Ok(RatesUpdate { room_type, rates })
}

fn read_rate(index: usize, item: &Value) -> Result<RateInput, EventRejection> {
    let field = |name: &str| format!("data.rates[{index}].{name}");
    let Value::Object(item) = item else {
        return Err(EventRejection::invalid(
            &format!("data.rates[{index}]"),
            "each rate must be a JSON object {\"date\", \"amount\", \"available\"}",
        ));
    };

    let date_text = string(item, "date", &field("date"))?;
    let date = super::stay::parse_plain_date(&date_text).ok_or_else(|| {
        EventRejection::unprocessable(
            "invalid_date",
            field("date"),
            format!(
                "{:?} is not a valid date: expected a plain YYYY-MM-DD date",
                shorten(&date_text)
            ),
        )
    })?;
    let amount = item
        .get("amount")
        .cloned()
        .ok_or_else(|| EventRejection::invalid(&field("amount"), "amount is required"))?;
    let available = match item.get("available").and_then(Value::as_i64) {
        Some(available) if (0..=i64::from(i32::MAX)).contains(&available) => available as i32,
        _ => {
            return Err(EventRejection::invalid(
                &field("available"),
                "available is required and must be a JSON integer of 0 or more",
            ));
        }
    };
    Ok(RateInput {
        date,
        amount,
        available,
    })
}

fn string(object: &Map<String, Value>, key: &str, field: &str) -> Result<String, EventRejection> {
    match object.get(key) {
        Some(Value::String(value)) => Ok(value.clone()),
        _ => Err(EventRejection::invalid(
            field,
            format!("{key} is required and must be a string"),
        )),
    }
}

fn optional_string(
    object: &Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<String>, EventRejection> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) if value.chars().count() <= 320 => Ok(Some(value.clone())),
        _ => Err(EventRejection::invalid(
            field,
            format!("{key} must be a string of at most 320 characters"),
        )),
    }
}

/// Reads an id or reference: 1 to `max_chars` printable ASCII characters
/// without spaces (0x21 to 0x7E).
fn printable_ascii(
    object: &Map<String, Value>,
    key: &str,
    field: &str,
    max_chars: usize,
) -> Result<String, EventRejection> {
    let expected =
        format!("{key} is required: 1 to {max_chars} printable ASCII characters without spaces");
    match object.get(key) {
        Some(Value::String(value))
            if (1..=max_chars).contains(&value.len())
                && value.bytes().all(|byte| (0x21..=0x7E).contains(&byte)) =>
        {
            Ok(value.clone())
        }
        _ => Err(EventRejection::invalid(field, expected)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn booking(data: Value) -> Result<EventData, EventRejection> {
        read_envelope(json!({"id": "evt_1", "type": "booking.created", "data": data}))
            .unwrap()
            .data
    }

    fn valid_booking() -> Value {
        json!({"reference": "R-1", "room_type": "STD", "check_in": "2026-12-10",
               "check_out": "2026-12-12", "guests": 2, "guest": {"name": "Ada"}})
    }

    #[test]
    fn envelope_without_id_is_not_recorded() {
        for body in [
            json!([]),
            json!({"type": "booking.created"}),
            json!({"id": "has space"}),
            json!({"id": ""}),
        ] {
            assert!(read_envelope(body).is_err());
        }
        let too_long = "x".repeat(129);
        assert!(read_envelope(json!({"id": too_long})).is_err());
    }

    #[test]
    fn unknown_type_is_recorded_rejection() {
        let envelope =
            read_envelope(json!({"id": "evt_1", "type": "room.painted", "data": {}})).unwrap();
        assert_eq!(envelope.event_type, EventType::Unknown);
        assert_eq!(envelope.data.unwrap_err().code, "unknown_event_type");
    }

    #[test]
    fn booking_reads() {
        let EventData::BookingCreated(booking) = booking(valid_booking()).unwrap() else {
            panic!("expected a booking");
        };
        assert_eq!(booking.guests, 2);
        assert_eq!(booking.guest.email, None);
    }

    #[test]
    fn guests_must_be_a_positive_integer() {
        for guests in [json!(2.0), json!("2"), json!(0), json!(-1), json!(null)] {
            let mut data = valid_booking();
            data["guests"] = guests.clone();
            let rejection = booking(data).unwrap_err();
            assert_eq!(rejection.code, "invalid_event", "{guests}");
            assert_eq!(rejection.field.as_deref(), Some("data.guests"));
        }
    }

    #[test]
    fn rates_reject_duplicates_and_negative_units() {
        let read = |rates: Value| {
            read_envelope(json!({"id": "e", "type": "rates.updated", "data": {"room_type": "DLX", "rates": rates}}))
                .unwrap()
                .data
        };
        let duplicate = read(json!([
            {"date": "2026-12-10", "amount": "1.00", "available": 1},
            {"date": "2026-12-10", "amount": "2.00", "available": 1}
        ]));
        assert_eq!(
            duplicate.unwrap_err().field.as_deref(),
            Some("data.rates[1].date")
        );
        let negative = read(json!([{"date": "2026-12-10", "amount": "1.00", "available": -1}]));
        assert_eq!(
            negative.unwrap_err().field.as_deref(),
            Some("data.rates[0].available")
        );
        let bad_date = read(json!([{"date": "2026-02-30", "amount": "1.00", "available": 1}]));
        assert_eq!(bad_date.unwrap_err().code, "invalid_date");
    }
}
