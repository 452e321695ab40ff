//! What every HTTP worker's handlers reach: the worker's own actors, the
//! process's supervisor, and the settings the handlers need.

use std::sync::Arc;
use std::time::Duration;

use actix::Addr;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::actors::db::PropertyCache;
use crate::actors::{ActorSlot, AuthActor, BookingActor, DbActor, SupervisorActor};
use crate::database::Backend;

/// Per-worker application state.
pub struct AppState {
    pub auth: Arc<ActorSlot<AuthActor>>,
    pub booking: Arc<ActorSlot<BookingActor>>,
    pub db: Arc<ActorSlot<DbActor>>,
    pub supervisor: Addr<SupervisorActor>,
    pub prometheus: PrometheusHandle,
    pub property: PropertyCache,
    pub limits: Limits,
}

/// Settings the handlers apply on every request.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub backend: Backend,
    pub timezone: chrono_tz::Tz,
    pub max_body_bytes: usize,
    /// How long a handler waits for an actor that does CPU work only.
    pub actor_timeout: Duration,
    /// How long a handler waits for the `DbActor`: the pool timeout plus a
    /// margin, so that a pool timeout comes back as its own 503 first.
    pub db_timeout: Duration,
}
