//! POST /webhook: signed events, verified on the raw bytes, applied once.
//!
//! Checks run in this order and the first failure is returned: body size (413),
//! content encoding (415), signature and timestamp (401), JSON (400),
//! envelope and event (422, or the event's own 404 and 409).

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::actors::ask;
use crate::actors::auth::VerifySignature;
use crate::actors::booking::ValidateStay;
use crate::actors::db::ProcessEvent;
use crate::domain::event::{EventData, EventRejection, EventType, read_envelope};
use crate::domain::stay::{StayError, StayErrorCode};
use crate::error::{ApiError, mime_json};
use crate::metrics;
use crate::routes::rates::db_failure;
use crate::state::AppState;
use crate::store::events::Command;

pub async fn webhook(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = read_limited_body(&request, payload, state.limits.max_body_bytes).await?;
    reject_content_encoding(&request)?;

    let verification = VerifySignature {
        signature: header_bytes(&request, "x-signature"),
        timestamp: header_bytes(&request, "x-timestamp"),
        body: body.clone(),
    };
    ask(&state.auth, verification, state.limits.actor_timeout)
        .await?
        .map_err(|error| {
            ApiError::new(StatusCode::UNAUTHORIZED, error.code.as_str(), error.message)
        })?;
    let source_timestamp = verified_timestamp(&request);

    let json = parse_json(&body)?;
    let type_label = EventType::of(&json).label();
    let envelope = read_envelope(json).map_err(|rejection| {
        metrics::record_event(type_label, "rejected");
        rejection_error(rejection)
    })?;

    let event_type = envelope.event_type.label();
    let command = match envelope.data {
        Err(rejection) => Err(rejection),
        Ok(data) => to_command(&state, data, source_timestamp).await?,
    };
    let event = ProcessEvent {
        event_id: envelope.id,
        event_type,
        body_sha256: hex::encode(Sha256::digest(&body)),
        received_at: chrono::Utc::now(),
        command,
    };
    let event_id = event.event_id.clone();
    let outcome = ask(&state.db, event, state.limits.db_timeout)
        .await?
        .map_err(db_failure)?;

    if outcome.replayed && outcome.body_differs {
        tracing::warn!(
            event_id,
            event_type,
            "a known event id arrived with a different body; replaying the first outcome"
        );
    }
    if outcome.skipped_stale > 0 {
        metrics::record_skipped_stale(outcome.skipped_stale);
    }
    let result = match (outcome.replayed, outcome.status) {
        (true, _) => "replayed",
        (false, 200..=299) => "applied",
        (false, _) => "rejected",
    };
    metrics::record_event(event_type, result);
    tracing::info!(
        event_id,
        event_type,
        status = outcome.status,
        result,
        "webhook event processed"
    );

    let status = StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    response.content_type(mime_json());
    if outcome.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(response.body(outcome.body))
}

/// Reads the body with the limit enforced first from Content-Length, then
/// while reading, so an oversized body is never buffered whole.
async fn read_limited_body(
    request: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than MAX_BODY_BYTES={limit} bytes"),
        )
    };
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }

    let mut body = BytesMut::with_capacity(declared.map_or(8 * 1024, |length| length as usize));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                format!("the body could not be read: {error}"),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Rejects any Content-Encoding but `identity`: the signature covers the
/// bytes as sent, so a compressed body cannot be verified.
fn reject_content_encoding(request: &HttpRequest) -> Result<(), ApiError> {
    let encodings: Vec<&[u8]> = request
        .headers()
        .get_all(CONTENT_ENCODING)
        .map(|value| value.as_bytes().trim_ascii())
        .collect();
    if encodings
        .iter()
        .all(|encoding| encoding.eq_ignore_ascii_case(b"identity"))
    {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_content_encoding",
        "Content-Encoding is not supported: the signature covers the body as sent, so send it uncompressed",
    ))
}

fn header_bytes(request: &HttpRequest, name: &str) -> Option<Bytes> {
    request
        .headers()
        .get(name)
        .map(|value| Bytes::copy_from_slice(value.as_bytes()))
}

/// Returns the X-Timestamp of a verified request, in Unix seconds.
fn verified_timestamp(request: &HttpRequest) -> i64 {
    request
        .headers()
        .get("x-timestamp")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse().ok())
        .expect("the signature check accepted only 1 to 10 digits")
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    if body.trim_ascii().is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "the body is empty: expected a JSON event",
        ));
    }
    crate::json::parse_strict(body).map_err(|error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the body is not valid JSON: {error}"),
        )
    })
}

fn rejection_error(rejection: EventRejection) -> ApiError {
    let status = StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    let error = ApiError::new(status, rejection.code, rejection.message);
    match rejection.field {
        Some(field) => error.with_field(field),
        None => error,
    }
}

/// Turns event data into a command; a booking's dates go through the
/// `BookingActor` first, with the same rules as /rates.
async fn to_command(
    state: &AppState,
    data: EventData,
    source_timestamp: i64,
) -> Result<Result<Command, EventRejection>, ApiError> {
    Ok(match data {
        EventData::BookingCreated(booking) => {
            let validation = ValidateStay {
                check_in: Some(booking.check_in.clone()),
                check_out: Some(booking.check_out.clone()),
            };
            let stay = ask(&state.booking, validation, state.limits.actor_timeout)
                .await?
                .map_err(event_date_rejection);
            Ok(Command::CreateBooking { booking, stay })
        }
        EventData::BookingCancelled { reference } => Ok(Command::CancelBooking { reference }),
        EventData::RatesUpdated(update) => Ok(Command::UpdateRates {
            update,
            source_timestamp,
        }),
    })
}

/// Inside an event every date problem is a 422: an unreadable date keeps
/// its `invalid_date` code, a missing one is `invalid_event`.
fn event_date_rejection(error: StayError) -> EventRejection {
    let code = match error.code {
        StayErrorCode::MissingParameter => "invalid_event",
        other => other.as_str(),
    };
    EventRejection::unprocessable(code, format!("data.{}", error.field), error.message)
}
