//! Prometheus metrics: the recorder, the metric families, and the HTTP
//! middleware that counts requests by route template.
//!
//! Every label value comes from a fixed set (route templates, known codes),
//! never from client input, so a client cannot grow the series count.

use std::sync::OnceLock;
use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::budget::Budget;
use crate::database::PoolSnapshot;

pub const HTTP_REQUESTS: &str = "grace_http_requests_total";
pub const HTTP_DURATION: &str = "grace_http_request_duration_seconds";
pub const WEBHOOK_VERIFICATIONS: &str = "grace_webhook_verifications_total";
pub const WEBHOOK_EVENTS: &str = "grace_webhook_events_total";
pub const RATES_SKIPPED_STALE: &str = "grace_rates_skipped_stale_total";
pub const BOOKING_VALIDATIONS: &str = "grace_booking_validations_total";
pub const POOL_CONNECTIONS: &str = "grace_db_pool_connections";
pub const POOL_MIN: &str = "grace_db_pool_min_connections";
pub const POOL_MAX: &str = "grace_db_pool_max_connections";
pub const DB_UP: &str = "grace_db_up";
pub const BUDGET_PLANNED: &str = "grace_db_connection_budget_planned";
pub const BUDGET_LIMIT: &str = "grace_db_connection_budget_limit";
pub const BUDGET_RATIO: &str = "grace_db_connection_budget_ratio";
pub const ACTOR_RESTARTS: &str = "grace_actor_restarts_total";

/// Request duration buckets in seconds, from 1 ms to 10 s.
const DURATION_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The actors whose restarts are counted, exported at 0 from the start.
pub const ACTOR_NAMES: [&str; 3] = ["auth", "booking", "db"];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder once and returns its handle. Later
/// calls, such as a second test server in the same process, share it.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), DURATION_BUCKETS)
                .expect("the bucket list is not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed in this process");
            describe();
            handle
        })
        .clone()
}

fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests by route template, method and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "HTTP request duration by route template."
    );
    describe_counter!(
        WEBHOOK_VERIFICATIONS,
        "Webhook signature checks by result: ok or the 401 error code."
    );
    describe_counter!(
        WEBHOOK_EVENTS,
        "Webhook events by type and outcome: applied, replayed or rejected."
    );
    describe_counter!(
        RATES_SKIPPED_STALE,
        "Nightly rates not written because a newer event had set them."
    );
    describe_counter!(
        BOOKING_VALIDATIONS,
        "Stay validations by result: ok or the error code."
    );
    describe_gauge!(
        POOL_CONNECTIONS,
        "Open database connections by state: idle or in_use."
    );
    describe_gauge!(POOL_MIN, "Connections the pool keeps open (DB_POOL_SIZE).");
    describe_gauge!(
        POOL_MAX,
        "Most connections the pool may open (DB_POOL_SIZE + DB_MAX_OVERFLOW)."
    );
    describe_gauge!(DB_UP, "1 when the last database ping succeeded, else 0.");
    describe_gauge!(
        BUDGET_PLANNED,
        "Connections all grace processes may open: pool maximum x NUM_WORKERS."
    );
    describe_gauge!(
        BUDGET_LIMIT,
        "PostgreSQL max_connections minus superuser_reserved_connections."
    );
    describe_gauge!(
        BUDGET_RATIO,
        "Planned connections divided by the limit (0.84 is 84 %)."
    );
    describe_counter!(
        ACTOR_RESTARTS,
        "Actors restarted after they stopped, by actor."
    );
    for actor in ACTOR_NAMES {
        counter!(ACTOR_RESTARTS, "actor" => actor).absolute(0);
    }
}

pub fn record_verification(error_code: Option<&'static str>) {
    counter!(WEBHOOK_VERIFICATIONS, "result" => error_code.unwrap_or("ok")).increment(1);
}

pub fn record_booking_validation(error_code: Option<&'static str>) {
    counter!(BOOKING_VALIDATIONS, "result" => error_code.unwrap_or("ok")).increment(1);
}

pub fn record_event(event_type: &'static str, outcome: &'static str) {
    counter!(WEBHOOK_EVENTS, "type" => event_type, "outcome" => outcome).increment(1);
}

pub fn record_skipped_stale(nights: u64) {
    counter!(RATES_SKIPPED_STALE).increment(nights);
}

pub fn record_actor_restart(actor: &'static str) {
    counter!(ACTOR_RESTARTS, "actor" => actor).increment(1);
}

pub fn record_pool(pool: &PoolSnapshot) {
    gauge!(POOL_CONNECTIONS, "state" => "idle").set(pool.idle);
    gauge!(POOL_CONNECTIONS, "state" => "in_use").set(pool.in_use);
    gauge!(POOL_MIN).set(pool.min);
    gauge!(POOL_MAX).set(pool.max);
}

pub fn record_database_up(reachable: bool) {
    gauge!(DB_UP).set(if reachable { 1.0 } else { 0.0 });
}

pub fn record_budget(budget: &Budget) {
    gauge!(BUDGET_PLANNED).set(budget.planned as f64);
    gauge!(BUDGET_LIMIT).set(budget.limit as f64);
    gauge!(BUDGET_RATIO).set(budget.ratio);
}

/// Returns the `method` label: standard methods by name, anything else as `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Returns the `route` label: the matched route template, or `unmatched`. Only
/// templates registered by grace can appear, so the label set is fixed.
fn route_label(response: &ServiceResponse<impl MessageBody>) -> &'static str {
    match response.request().match_pattern().as_deref() {
        Some("/rates") => "/rates",
        Some("/webhook") => "/webhook",
        Some("/health") => "/health",
        Some("/metrics") => "/metrics",
        _ => "unmatched",
    }
}

/// Middleware that counts and times every request.
pub async fn track_requests(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = method_label(request.method());
    let response = next.call(request).await?;

    let route = route_label(&response);
    let status = response.status().as_str().to_owned();
    counter!(HTTP_REQUESTS, "route" => route, "method" => method, "status" => status).increment(1);
    histogram!(HTTP_DURATION, "route" => route).record(started.elapsed().as_secs_f64());
    Ok(response)
}
