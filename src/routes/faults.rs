//! Fault injection for tests, compiled only with the `fault-injection`
//! feature: POST /__faults/panic/{actor} makes that actor's handler panic.

use actix_web::{HttpResponse, web};

use crate::actors::ask;
use crate::actors::faults::Panic;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn panic_actor(
    actor: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let timeout = state.limits.actor_timeout;
    match actor.as_str() {
        "auth" => ask(&state.auth, Panic, timeout).await?,
        "booking" => ask(&state.booking, Panic, timeout).await?,
        "db" => ask(&state.db, Panic, timeout).await?,
        other => {
            return Err(ApiError::new(
                actix_web::http::StatusCode::NOT_FOUND,
                "not_found",
                format!("no actor named {other:?}"),
            ));
        }
    }
    Ok(HttpResponse::NoContent().finish())
}
