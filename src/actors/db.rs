//! `DbActor`: owns the process's database access and handles pool-status,
//! ping and query messages. Each query runs as a future on the actor's
//! arbiter with a clone of the shared pool handle, so queries overlap.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use actix::{Actor, Context, Handler, Message, MessageResult, ResponseFuture};
use chrono::{DateTime, Utc};
use sea_orm::DbErr;

use crate::cache::RatesCache;
use crate::database::{self, Database, PoolSnapshot};
use crate::domain::event::EventRejection;
use crate::domain::stay::Stay;
use crate::store::events::{self, CacheChange, Command, Delivery, EventOutcome};
use crate::store::property::{PropertyInfo, load_property};
use crate::store::rates::{self, RatesLookup};

/// The failure of a database message.
#[derive(Debug, thiserror::Error)]
pub enum DbFailure {
    #[error("the database is unavailable: {0}")]
    Unavailable(DbErr),
    #[error("the database has no property; load one with `grace seed --demo`")]
    NoProperty,
    #[error("database error: {0}")]
    Other(DbErr),
}

impl From<DbErr> for DbFailure {
    fn from(error: DbErr) -> DbFailure {
        if database::is_unavailable(&error) {
            DbFailure::Unavailable(error)
        } else {
            DbFailure::Other(error)
        }
    }
}

/// The property row, loaded once and shared by every `DbActor` of the process.
pub type PropertyCache = Arc<RwLock<Option<PropertyInfo>>>;

pub struct DbActor {
    database: Database,
    property: PropertyCache,
    rates_cache: Option<Arc<RatesCache>>,
}

impl DbActor {
    pub fn new(
        database: Database,
        property: PropertyCache,
        rates_cache: Option<Arc<RatesCache>>,
    ) -> DbActor {
        DbActor {
            database,
            property,
            rates_cache,
        }
    }
}

impl Actor for DbActor {
    type Context = Context<Self>;
}

/// Returns the cached property, loading it on first use.
async fn cached_property(
    database: &Database,
    cache: &PropertyCache,
) -> Result<PropertyInfo, DbFailure> {
    if let Some(property) = cache
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
    {
        return Ok(property);
    }
    let loaded = database
        .run(|connection| async move { load_property(&connection).await })
        .await?
        .ok_or(DbFailure::NoProperty)?;
    *cache
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(loaded.clone());
    Ok(loaded)
}

/// Brings this process's rates cache up to date with a write it just
/// committed, before the sender gets its response, so this process's next
/// /rates read shows the change at once. Units are patched in memory; a
/// rates.updated is reloaded, because some of its nights may have been
/// skipped as stale. Other processes follow through LISTEN/NOTIFY, and so
/// does this one, which corrects any drift. A failed reload makes /rates read
/// the database until the listener's next reload succeeds.
async fn refresh_own_write(database: &Database, rates_cache: Arc<RatesCache>, change: CacheChange) {
    match change {
        CacheChange::Units {
            room_type_id,
            stay,
            delta,
        } => rates_cache.apply_units(room_type_id, stay, delta).await,
        CacheChange::Reload { room_type_id } => {
            let cache = rates_cache.clone();
            let result = database
                .run(|connection| async move { cache.reload(&connection, &[room_type_id]).await })
                .await;
            if let Err(error) = result {
                tracing::warn!(%error, room_type_id, "refreshing the rates cache after a write failed");
                rates_cache.set_reload_failed(true);
            }
        }
    }
}

pub struct PoolStatus;

impl Message for PoolStatus {
    type Result = PoolSnapshot;
}

impl Handler<PoolStatus> for DbActor {
    type Result = MessageResult<PoolStatus>;

    fn handle(&mut self, _: PoolStatus, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.database.snapshot())
    }
}

/// Pings the database; the reply is the round-trip time.
pub struct Ping;

impl Message for Ping {
    type Result = Result<Duration, DbErr>;
}

impl Handler<Ping> for DbActor {
    type Result = ResponseFuture<Result<Duration, DbErr>>;

    fn handle(&mut self, _: Ping, _: &mut Context<Self>) -> Self::Result {
        let database = self.database.clone();
        Box::pin(async move { database.ping().await })
    }
}

/// Asks for the offers of a validated stay.
pub struct FindOffers {
    pub stay: Stay,
    pub room_type: Option<String>,
    pub guests: Option<u32>,
}

impl Message for FindOffers {
    type Result = Result<(PropertyInfo, RatesLookup), DbFailure>;
}

impl Handler<FindOffers> for DbActor {
    type Result = ResponseFuture<Result<(PropertyInfo, RatesLookup), DbFailure>>;

    fn handle(&mut self, query: FindOffers, _: &mut Context<Self>) -> Self::Result {
        let database = self.database.clone();
        let cache = self.property.clone();
        let rates_cache = self.rates_cache.clone();
        Box::pin(async move {
            if let Some(rates_cache) = rates_cache
                && let Some(lookup) =
                    rates_cache.find_offers(query.stay, query.room_type.as_deref(), query.guests)
            {
                let property = cached_property(&database, &cache).await?;
                return Ok((property, lookup));
            }
            let property = cached_property(&database, &cache).await?;
            let property_id = property.id;
            let lookup = database
                .run(|connection| async move {
                    rates::find_offers(
                        &connection,
                        property_id,
                        query.stay,
                        query.room_type.as_deref(),
                        query.guests,
                    )
                    .await
                })
                .await?;
            Ok((property, lookup))
        })
    }
}

/// Records and applies one webhook event.
pub struct ProcessEvent {
    pub event_id: String,
    pub event_type: &'static str,
    pub body_sha256: String,
    pub received_at: DateTime<Utc>,
    pub command: Result<Command, EventRejection>,
}

impl Message for ProcessEvent {
    type Result = Result<EventOutcome, DbFailure>;
}

impl Handler<ProcessEvent> for DbActor {
    type Result = ResponseFuture<Result<EventOutcome, DbFailure>>;

    fn handle(&mut self, event: ProcessEvent, _: &mut Context<Self>) -> Self::Result {
        let database = self.database.clone();
        let cache = self.property.clone();
        let rates_cache = self.rates_cache.clone();
        Box::pin(async move {
            let property = cached_property(&database, &cache).await?;
            let outcome = database
                .run(|connection| async move {
                    let delivery = Delivery {
                        event_id: &event.event_id,
                        event_type: event.event_type,
                        body_sha256: &event.body_sha256,
                        received_at: event.received_at,
                    };
                    events::process_event(&connection, &property, &delivery, &event.command).await
                })
                .await?;
            if let (Some(rates_cache), Some(change)) = (rates_cache, outcome.cache_change) {
                refresh_own_write(&database, rates_cache, change).await;
            }
            Ok(outcome)
        })
    }
}
