//! GET /metrics: Prometheus text exposition.

use actix_web::{HttpResponse, web};

use crate::actors::ask;
use crate::actors::db::PoolStatus;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    // Refresh the pool gauges at scrape time, so they are never a tick old.
    let pool = ask(&state.db, PoolStatus, state.limits.actor_timeout).await?;
    crate::metrics::record_pool(&pool);

    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.prometheus.render()))
}
