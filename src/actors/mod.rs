//! The actors behind the HTTP handlers.
//!
//! `AuthActor`, `BookingActor` and `DbActor` run one instance per HTTP
//! worker, started on that worker's own arbiter thread, so no single arbiter
//! polls the futures of every request: HMAC work and row decoding spread over
//! the workers like the requests do. All `DbActor`s share the process's one
//! pool. `SupervisorActor` runs once per process: it plans the connection
//! budget at start-up, samples the pool, runs the exporter's upkeep and
//! restarts any actor that stopped.

pub mod auth;
pub mod booking;
pub mod db;
#[cfg(feature = "fault-injection")]
pub mod faults;
pub mod slot;
pub mod supervisor;

use std::time::Duration;

use actix::dev::ToEnvelope;
use actix::{Actor, Handler, MailboxError, Message};

pub use auth::AuthActor;
pub use booking::BookingActor;
pub use db::DbActor;
pub use slot::{ActorSlot, Watched, Watchlist};
pub use supervisor::SupervisorActor;

use crate::error::ApiError;

/// Sends a message and waits at most `timeout` for the reply. A full
/// mailbox makes the send wait, which pushes back on the HTTP handler; a
/// timeout or a stopped actor becomes a JSON 503, and a stopped actor is
/// restarted for the next request.
pub async fn ask<A, M>(
    slot: &ActorSlot<A>,
    message: M,
    timeout: Duration,
) -> Result<M::Result, ApiError>
where
    A: Actor<Context = actix::Context<A>> + Handler<M>,
    M: Message + Send + 'static,
    M::Result: Send,
    A::Context: ToEnvelope<A, M>,
{
    match slot.addr().send(message).timeout(timeout).await {
        Ok(reply) => Ok(reply),
        Err(MailboxError::Timeout) => {
            tracing::warn!(
                actor = slot.name(),
                timeout_ms = timeout.as_millis() as u64,
                "actor did not reply in time"
            );
            Err(ApiError::service_unavailable(format!(
                "{} did not reply within {} ms; retry later",
                slot.name(),
                timeout.as_millis()
            )))
        }
        Err(MailboxError::Closed) => {
            tracing::error!(actor = slot.name(), "actor has stopped; restarting it");
            slot.restart_if_stopped();
            Err(ApiError::service_unavailable(format!(
                "{} stopped while handling the request; retry",
                slot.name()
            )))
        }
    }
}
