//! The task that keeps the rates cache in step with the database: it
//! listens on the `grace_rates` channel and reloads what changed.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;

use super::snapshot::{RATES_CHANNEL, RatesCache};
use crate::database::Database;
use crate::domain::calendar::{PropertyCalendar, SharedClock};

/// Wait after a notification before reloading, so a burst of bookings
/// costs one reload rather than one each; it bounds how stale a quote gets.
const COALESCE: Duration = Duration::from_millis(20);

/// Wait before reconnecting after the listener lost its connection.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// A full reload this often also moves the window along with the business date.
const FULL_RELOAD_INTERVAL: Duration = Duration::from_secs(60);

/// The listener's inputs, cloned into its task.
#[derive(Clone)]
pub struct ListenerContext {
    pub cache: Arc<RatesCache>,
    pub database: Database,
    pub database_url: String,
    pub property_id: i32,
    pub calendar: PropertyCalendar,
    pub clock: SharedClock,
}

/// Stops the listener task, so its connection closes while the runtime is
/// still there to close it.
pub struct ListenerHandle {
    stop: Arc<tokio::sync::Notify>,
    listening: actix_rt::task::JoinHandle<()>,
    reloading: actix_rt::task::JoinHandle<()>,
}

impl ListenerHandle {
    pub async fn stop(self) {
        self.stop.notify_one();
        if let Err(error) = self.listening.await {
            tracing::warn!(%error, "the rates cache listener ended with an error");
        }
        self.reloading.abort();
    }
}

/// Starts the listener and the reloader on the current arbiter.
pub fn spawn_listener(context: ListenerContext) -> ListenerHandle {
    let stop = Arc::new(tokio::sync::Notify::new());
    let listening = actix_rt::spawn(listen_until_stopped(context.clone(), stop.clone()));
    let reloading = actix_rt::spawn(reload_forever(context));
    ListenerHandle {
        stop,
        listening,
        reloading,
    }
}

async fn listen_until_stopped(context: ListenerContext, stop: Arc<tokio::sync::Notify>) {
    tokio::select! {
        () = listen_forever(context.clone()) => {}
        () = stop.notified() => {
            context.cache.set_connected(false);
            tracing::info!("rates cache listener stopped");
        }
    }
}

/// A `PgListener` that, when dropped after its runtime has gone (a test
/// that ends without stopping the server), is leaked instead: sqlx closes a
/// listener by spawning a task, which panics without a runtime.
struct Listener(Option<PgListener>);

impl Drop for Listener {
    fn drop(&mut self) {
        if tokio::runtime::Handle::try_current().is_err() {
            std::mem::forget(self.0.take());
        }
    }
}

async fn listen_forever(context: ListenerContext) {
    loop {
        match connect(&context.database_url).await {
            Ok(listener) => {
                let mut listener = Listener(Some(listener));
                let listener = listener.0.as_mut().expect("set above");
                if let Err(error) = full_reload(&context).await {
                    tracing::warn!(%error, "loading the rates cache failed; retrying");
                    tokio::time::sleep(RECONNECT_DELAY).await;
                    continue;
                }
                context.cache.set_connected(true);
                tracing::info!("rates cache loaded and listening for changes");
                receive(&context, listener).await;
                context.cache.set_connected(false);
                tracing::warn!(
                    "rates cache listener lost its connection; /rates reads the database until it is back"
                );
            }
            Err(error) => {
                context.cache.set_connected(false);
                tracing::warn!(%error, "rates cache listener cannot connect; retrying");
            }
        }
        tokio::time::sleep(RECONNECT_DELAY).await;
    }
}

async fn connect(url: &str) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.eager_reconnect(false);
    listener.listen(RATES_CHANNEL).await?;
    Ok(listener)
}

/// Marks the notified room types dirty until the connection is lost.
async fn receive(context: &ListenerContext, listener: &mut PgListener) {
    loop {
        let next = tokio::time::timeout(FULL_RELOAD_INTERVAL, listener.try_recv()).await;
        match next {
            Ok(Ok(Some(notification))) => match notification.payload().parse() {
                Ok(room_type_id) => context.cache.mark_dirty(room_type_id),
                Err(_) => tracing::warn!(
                    payload = notification.payload(),
                    "ignoring a malformed rates notification"
                ),
            },
            Ok(Ok(None)) => return,
            Ok(Err(error)) => {
                tracing::warn!(%error, "rates cache listener failed");
                return;
            }
            Err(_) => {
                if let Err(error) = full_reload(context).await {
                    tracing::warn!(%error, "periodic rates cache reload failed");
                    return;
                }
            }
        }
    }
}

async fn full_reload(context: &ListenerContext) -> Result<(), sea_orm::DbErr> {
    let window_start =
        context.calendar.business_date(context.clock.now()) - chrono::Duration::days(1);
    let (cache, property_id) = (context.cache.clone(), context.property_id);
    context
        .database
        .run(|connection| async move { cache.load_all(&connection, property_id, window_start).await })
        .await
}

/// Reloads dirty room types shortly after they are notified. While a reload
/// fails the cache is not used, and the reload is retried every second.
async fn reload_forever(context: ListenerContext) {
    loop {
        context.cache.wake.notified().await;
        tokio::time::sleep(COALESCE).await;
        let dirty = context.cache.take_dirty();
        if dirty.is_empty() {
            continue;
        }
        let (cache, ids) = (context.cache.clone(), dirty.clone());
        let result = context
            .database
            .run(|connection| async move { cache.reload(&connection, &ids).await })
            .await;
        match result {
            Ok(()) => context.cache.set_reload_failed(false),
            Err(error) => {
                tracing::warn!(%error, "reloading the rates cache failed; /rates reads the database until a retry works");
                context.cache.set_reload_failed(true);
                tokio::time::sleep(RECONNECT_DELAY).await;
                for room_type_id in dirty {
                    context.cache.mark_dirty(room_type_id);
                }
            }
        }
    }
}
