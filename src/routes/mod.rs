//! HTTP handlers, one file per endpoint. They copy what they need out of the
//! request, ask the worker's actors, and build the response.

#[cfg(feature = "fault-injection")]
pub mod faults;
pub mod health;
pub mod metrics;
pub mod rates;
pub mod webhook;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::error::ApiError;

/// Returns 404 `not_found` for a path grace does not serve (the default service).
pub async fn not_found(request: HttpRequest) -> HttpResponse {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "no endpoint at {}; grace serves GET /rates, POST /webhook, GET /health and GET /metrics",
            crate::domain::stay::shorten(request.path())
        ),
    )
    .error_response()
}

/// 405 `method_not_allowed` for a known path with a method it does not take.
pub async fn method_not_allowed(request: HttpRequest) -> HttpResponse {
    let path = request.match_pattern().unwrap_or_default();
    let allowed = if path == "/webhook" { "POST" } else { "GET" };
    let mut response = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} is not allowed on {path}; use {allowed}",
            request.method()
        ),
    )
    .error_response();
    response.headers_mut().insert(
        actix_web::http::header::ALLOW,
        actix_web::http::header::HeaderValue::from_static(allowed),
    );
    response
}
