//! GET /health: 200 when the database answers a ping, 503 when it does not,
//! with the same body either way.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use crate::actors::ask;
use crate::actors::booking::CurrentBusinessDate;
use crate::actors::db::{Ping, PoolStatus};
use crate::actors::supervisor::CurrentBudget;
use crate::budget::Budget;
use crate::database::Backend;
use crate::error::{ApiError, mime_json};
use crate::state::AppState;

pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let limits = state.limits;
    let ping = ask(&state.db, Ping, limits.db_timeout).await?;
    let pool = ask(&state.db, PoolStatus, limits.actor_timeout).await?;
    let business_date = ask(&state.booking, CurrentBusinessDate, limits.actor_timeout).await?;
    let budget = state
        .supervisor
        .send(CurrentBudget)
        .timeout(limits.actor_timeout)
        .await
        .map_err(|_| ApiError::service_unavailable("the supervisor did not reply; retry later"))?;

    let reachable = ping.is_ok();
    if let Err(error) = &ping {
        tracing::warn!(%error, "health check: database ping failed");
    }
    let property_code = state
        .property
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .as_ref()
        .map(|property| property.code.clone());

    let body = json!({
        "status": if reachable { "ok" } else { "unavailable" },
        "version": env!("CARGO_PKG_VERSION"),
        "database": {
            "backend": limits.backend.as_str(),
            "reachable": reachable,
            "ping_ms": ping.as_ref().ok().map(|elapsed| round3(elapsed.as_secs_f64() * 1000.0)),
        },
        "pool": pool,
        "budget": budget_json(limits.backend, budget),
        "property": {
            "code": property_code,
            "timezone": limits.timezone.name(),
            "business_date": business_date.to_string(),
        },
    });

    let status = if reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok(HttpResponse::build(status)
        .content_type(mime_json())
        .body(body.to_string()))
}

fn budget_json(backend: Backend, budget: Option<Budget>) -> Value {
    match (backend, budget) {
        (Backend::Sqlite, _) => json!({
            "applicable": false,
            "reason": "SQLite is embedded in the process and has no connection limit",
        }),
        (Backend::Postgres, Some(budget)) => json!({
            "applicable": true,
            "planned": budget.planned,
            "limit": budget.limit,
            "ratio": budget.rounded_ratio(),
            "num_workers": budget.num_workers,
            "limit_source": budget.limit_source,
        }),
        (Backend::Postgres, None) => json!({
            "applicable": true,
            "reason": "the budget has not been planned yet",
        }),
    }
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}
