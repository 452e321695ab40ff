//! GET /rates: nightly rates and free units for a stay.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::actors::ask;
use crate::actors::booking::ValidateStay;
use crate::actors::db::{DbFailure, FindOffers};
use crate::domain::money::Currency;
use crate::domain::stay::{Stay, StayError, shorten};
use crate::error::{ApiError, mime_json};
use crate::query::{QueryError, QueryParams};
use crate::state::AppState;
use crate::store::property::PropertyInfo;
use crate::store::rates::{Offer, RatesLookup};

/// Most guests a query may ask for; larger values are `invalid_guests`.
const MAX_GUESTS: u32 = 1000;

pub async fn rates(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let params = QueryParams::parse(request.query_string()).map_err(query_error)?;
    let guests = parse_guests(params.get("guests"));

    let validation = ValidateStay {
        check_in: params.get("check_in").map(str::to_owned),
        check_out: params.get("check_out").map(str::to_owned),
    };
    let stay = ask(&state.booking, validation, state.limits.actor_timeout).await?;
    let (stay, guests) = readable_first(stay, guests)?;

    let room_type = params.get("room_type").map(str::to_owned);
    let query = FindOffers {
        stay,
        room_type: room_type.clone(),
        guests,
    };
    let (property, lookup) = ask(&state.db, query, state.limits.db_timeout)
        .await?
        .map_err(db_failure)?;

    match lookup {
        RatesLookup::UnknownRoomType => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_room_type",
            format!(
                "room type {:?} does not exist at this property; codes match exactly",
                shorten(room_type.as_deref().unwrap_or_default())
            ),
        )
        .with_field("room_type")),
        RatesLookup::Offers(offers) => Ok(HttpResponse::Ok()
            .content_type(mime_json())
            .body(rates_body(&property, stay, &offers))),
    }
}

/// Picks the first error by kind: unreadable input (400) before broken
/// rules (422), so a client fixes the format before the meaning.
fn readable_first(
    stay: Result<Stay, StayError>,
    guests: Result<Option<u32>, ApiError>,
) -> Result<(Stay, Option<u32>), ApiError> {
    match (stay, guests) {
        (Err(error), _) if error.code.is_unreadable() => Err(stay_error(error)),
        (_, Err(error)) => Err(error),
        (Err(error), _) => Err(stay_error(error)),
        (Ok(stay), Ok(guests)) => Ok((stay, guests)),
    }
}

fn stay_error(error: StayError) -> ApiError {
    let status = if error.code.is_unreadable() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ApiError::new(status, error.code.as_str(), error.message).with_field(error.field)
}

/// Parses `guests`: absent, or a whole number from 1 up, digits only.
fn parse_guests(value: Option<&str>) -> Result<Option<u32>, ApiError> {
    let Some(text) = value else {
        return Ok(None);
    };
    let parsed = text
        .bytes()
        .all(|byte| byte.is_ascii_digit())
        .then(|| text.parse::<u32>().ok())
        .flatten()
        .filter(|guests| (1..=MAX_GUESTS).contains(guests));
    parsed.map(Some).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_guests",
            format!(
                "guests {:?} is not valid: expected a whole number from 1 to {MAX_GUESTS}",
                shorten(text)
            ),
        )
        .with_field("guests")
    })
}

fn query_error(error: QueryError) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", error.to_string())
}

/// Maps a database failure to its response: 503 with Retry-After when the
/// database cannot be reached, 500 (and a log line) for anything else.
pub fn db_failure(failure: DbFailure) -> ApiError {
    match failure {
        DbFailure::Unavailable(error) => {
            tracing::warn!(%error, "database unavailable");
            ApiError::database_unavailable()
        }
        DbFailure::NoProperty => {
            tracing::error!("the database has no property; run `grace seed --demo` or load one");
            let mut error = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "property_not_configured",
                "the database has no property yet; retry once one is loaded",
            );
            error.retry_after_seconds = Some(crate::error::RETRY_AFTER_SECONDS);
            error
        }
        DbFailure::Other(error) => {
            tracing::error!(%error, "database error");
            ApiError::internal()
        }
    }
}

/// The 200 body of /rates, serialised straight from borrowed data: building
/// a `serde_json::Value` first cost several times the encoding itself.
#[derive(Serialize)]
struct RatesBody<'a> {
    property: &'a str,
    currency: &'a str,
    check_in: NaiveDate,
    check_out: NaiveDate,
    nights: i64,
    offers: Vec<OfferBody<'a>>,
}

#[derive(Serialize)]
struct OfferBody<'a> {
    room_type: &'a str,
    name: &'a str,
    max_guests: i32,
    available: i32,
    nightly: Vec<NightBody<'a>>,
    total: Amount<'a>,
}

#[derive(Serialize)]
struct NightBody<'a> {
    date: NaiveDate,
    amount: Amount<'a>,
}

/// An amount in minor units, serialised as the currency's decimal string.
struct Amount<'a> {
    minor: i64,
    currency: &'a Currency,
}

impl Serialize for Amount<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&Decimal::new(self.minor, self.currency.minor_units))
    }
}

fn rates_body(property: &PropertyInfo, stay: Stay, offers: &[Offer]) -> String {
    let currency = &property.currency;
    let amount = |minor| Amount { minor, currency };
    let body = RatesBody {
        property: &property.code,
        currency: &currency.code,
        check_in: stay.check_in,
        check_out: stay.check_out,
        nights: stay.nights(),
        offers: offers
            .iter()
            .map(|offer| OfferBody {
                room_type: &offer.room_type,
                name: &offer.name,
                max_guests: offer.max_guests,
                available: offer.available,
                nightly: offer
                    .nightly
                    .iter()
                    .map(|(date, minor)| NightBody {
                        date: *date,
                        amount: amount(*minor),
                    })
                    .collect(),
                total: amount(offer.total_minor),
            })
            .collect(),
    };
    serde_json::to_string(&body).expect("a rates body always serialises")
}
