//! Building the application is split from running it, so tests can build it
//! on port 0 with their own settings and clock, then run it in the background.

use std::net::TcpListener;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use actix::{Actor, Addr};
use actix_rt::ArbiterHandle;
use actix_web::dev::Server;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use metrics_exporter_prometheus::PrometheusHandle;
use tracing_actix_web::TracingLogger;

use crate::actors::db::PropertyCache;
use crate::actors::supervisor::PlanBudget;
use crate::actors::{ActorSlot, AuthActor, BookingActor, DbActor, SupervisorActor, Watchlist};
use crate::budget::BudgetInput;
use crate::cache::{ListenerContext, ListenerHandle, RatesCache, spawn_listener};
use crate::configuration::{ActorLayout, GraceEnv, Settings};
use crate::database::{Backend, Database, run_migrations};
use crate::domain::calendar::{PropertyCalendar, SharedClock};
use crate::error::json_error_handler;
use crate::signature::SignatureVerifier;
use crate::state::{AppState, Limits};
use crate::store::property::{PropertyInfo, load_property};
use crate::store::seed::{SeedOutcome, seed_demo};
use crate::{metrics, routes};

/// How long a handler waits for an actor that only computes.
const ACTOR_TIMEOUT: Duration = Duration::from_secs(5);

/// A start-up failure. The CLI maps these to exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot connect to the database at {url}: {source}")]
    DatabaseUnreachable { url: String, source: sea_orm::DbErr },
    #[error("migrating the database failed: {0}")]
    Migration(sea_orm::DbErr),
    #[error("loading the demo data failed: {0}")]
    Seed(sea_orm::DbErr),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("the supervisor did not start: {0}")]
    Supervisor(actix::MailboxError),
}

pub struct Application {
    port: u16,
    server: Server,
    database: Database,
    cache_listener: Option<ListenerHandle>,
    /// The arbiter of the shared actors with ACTOR_LAYOUT=shared.
    actor_arbiter: Option<actix_rt::Arbiter>,
}

impl Application {
    /// Connects, migrates, seeds the demo data in development when the
    /// database is empty, plans the connection budget, and binds the
    /// listener (or BIND_ADDR when none is given). Nothing is served until
    /// `run_until_stopped`.
    pub async fn build(
        settings: Settings,
        listener: Option<TcpListener>,
        clock: SharedClock,
    ) -> Result<Application, StartupError> {
        let prometheus = metrics::install();
        let database = connect(&settings).await?;
        run_migrations(&database, &settings.database)
            .await
            .map_err(StartupError::Migration)?;
        let calendar = PropertyCalendar {
            timezone: settings.property.timezone,
            business_day_start: settings.property.business_day_start,
        };
        if settings.environment == GraceEnv::Development {
            seed_if_empty(&database, calendar, &clock).await?;
        }
        let property_row = load_property_or_none(&database).await;
        let (rates_cache, cache_listener) = start_rates_cache(
            &settings,
            &database,
            property_row.as_ref(),
            calendar,
            &clock,
        )
        .unzip();
        let property: PropertyCache = Arc::new(RwLock::new(property_row));

        let watchlist: Watchlist = Arc::new(Mutex::new(Vec::new()));
        let supervisor =
            start_supervisor(&settings, &database, &watchlist, prometheus.clone()).await?;

        let listener = match listener {
            Some(listener) => listener,
            None => TcpListener::bind(settings.server.bind_addr).map_err(|source| {
                StartupError::Bind {
                    address: settings.server.bind_addr.to_string(),
                    source,
                }
            })?,
        };
        let port = listener
            .local_addr()
            .map(|address| address.port())
            .unwrap_or_default();
        let mut shared = SharedParts {
            settings: Arc::new(settings),
            database: database.clone(),
            clock,
            calendar,
            property,
            rates_cache,
            shared_actors: None,
            watchlist,
            supervisor,
            prometheus,
        };
        let actor_arbiter = match shared.settings.server.actor_layout {
            ActorLayout::PerWorker => None,
            ActorLayout::Shared => {
                let arbiter = actix_rt::Arbiter::new();
                shared.shared_actors = Some(start_actors(&shared, &arbiter.handle()));
                Some(arbiter)
            }
        };
        let server = serve(shared, listener)?;
        Ok(Application {
            port,
            server,
            database,
            cache_listener,
            actor_arbiter,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT: actix-web stops accepting, lets
    /// in-flight requests finish within SHUTDOWN_TIMEOUT_SECONDS, then the
    /// pool is closed.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tracing::info!(port = self.port, "grace is serving");
        let result = self.server.await;
        tracing::info!("HTTP server stopped; closing the database pool");
        if let Some(listener) = self.cache_listener {
            listener.stop().await;
        }
        if let Some(arbiter) = self.actor_arbiter {
            arbiter.stop();
        }
        self.database.close().await;
        tracing::info!("grace stopped");
        result
    }

    /// Returns a handle that stops the server, for tests.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

/// Everything the per-worker factory clones into each worker.
#[derive(Clone)]
struct SharedParts {
    settings: Arc<Settings>,
    database: Database,
    clock: SharedClock,
    calendar: PropertyCalendar,
    property: PropertyCache,
    rates_cache: Option<Arc<RatesCache>>,
    /// The one set of actors with ACTOR_LAYOUT=shared.
    shared_actors: Option<Actors>,
    watchlist: Watchlist,
    supervisor: Addr<SupervisorActor>,
    prometheus: PrometheusHandle,
}

async fn connect(settings: &Settings) -> Result<Database, StartupError> {
    let url = settings.database.url.redacted();
    tracing::info!(
        url,
        pool_size = settings.database.pool.size,
        max_overflow = settings.database.pool.max_overflow,
        serverless = settings.database.pool.serverless,
        "connecting to the database"
    );
    Database::connect(&settings.database)
        .await
        .map_err(|source| StartupError::DatabaseUnreachable { url, source })
}

async fn seed_if_empty(
    database: &Database,
    calendar: PropertyCalendar,
    clock: &SharedClock,
) -> Result<(), StartupError> {
    let business_date = calendar.business_date(clock.now());
    let outcome =
        database
            .run(|connection| async move {
                seed_demo(&connection, calendar.timezone, business_date).await
            })
            .await
            .map_err(StartupError::Seed)?;
    if let SeedOutcome::Seeded { nights, room_types } = outcome {
        tracing::info!(
            nights,
            room_types,
            %business_date,
            "the database was empty: loaded the demo data set (development only)"
        );
    }
    Ok(())
}

async fn load_property_or_none(
    database: &Database,
) -> Option<crate::store::property::PropertyInfo> {
    match database
        .run(|connection| async move { load_property(&connection).await })
        .await
    {
        Ok(Some(property)) => {
            tracing::info!(
                property = property.code,
                currency = property.currency.code,
                "serving property"
            );
            Some(property)
        }
        Ok(None) => {
            tracing::warn!(
                "the database has no property yet; /rates and /webhook answer 503 until one is loaded"
            );
            None
        }
        Err(error) => {
            tracing::warn!(%error, "loading the property failed; it is retried on first use");
            None
        }
    }
}

/// Starts the rates cache and its listener on PostgreSQL when RATES_CACHE is
/// on. SQLite has no LISTEN/NOTIFY, so there /rates always reads the database.
fn start_rates_cache(
    settings: &Settings,
    database: &Database,
    property: Option<&PropertyInfo>,
    calendar: PropertyCalendar,
    clock: &SharedClock,
) -> Option<(Arc<RatesCache>, ListenerHandle)> {
    let enabled = settings.database.rates_cache && database.backend() == Backend::Postgres;
    let property = property.filter(|_| enabled)?;
    let cache = RatesCache::new();
    let listener = spawn_listener(ListenerContext {
        cache: cache.clone(),
        database: database.clone(),
        database_url: settings.database.url.expose().to_owned(),
        property_id: property.id,
        calendar,
        clock: clock.clone(),
    });
    Some((cache, listener))
}

async fn start_supervisor(
    settings: &Settings,
    database: &Database,
    watchlist: &Watchlist,
    prometheus: PrometheusHandle,
) -> Result<Addr<SupervisorActor>, StartupError> {
    let input = BudgetInput {
        pool_size: settings.database.pool.size,
        max_overflow: settings.database.pool.max_overflow,
        num_workers: settings.budget.num_workers,
        configured_max_connections: settings.budget.postgres_max_connections,
    };
    let supervisor =
        SupervisorActor::new(database.clone(), input, watchlist.clone(), prometheus).start();
    supervisor
        .send(PlanBudget)
        .await
        .map_err(StartupError::Supervisor)?;
    metrics::record_pool(&database.snapshot());
    Ok(supervisor)
}

fn serve(shared: SharedParts, listener: TcpListener) -> Result<Server, StartupError> {
    let workers = shared.settings.server.http_workers;
    let shutdown_timeout = shared.settings.server.shutdown_timeout_seconds;
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();

    let server = HttpServer::new(move || {
        let state = worker_state(&shared);
        App::new()
            .app_data(web::Data::new(state))
            .wrap(ErrorHandlers::new().default_handler(json_error_handler))
            .wrap(from_fn(metrics::track_requests))
            .wrap(TracingLogger::default())
            .service(
                web::resource("/rates")
                    .route(web::get().to(routes::rates::rates))
                    .default_service(web::to(routes::method_not_allowed)),
            )
            .service(
                web::resource("/webhook")
                    .route(web::post().to(routes::webhook::webhook))
                    .default_service(web::to(routes::method_not_allowed)),
            )
            .service(
                web::resource("/health")
                    .route(web::get().to(routes::health::health))
                    .default_service(web::to(routes::method_not_allowed)),
            )
            .service(
                web::resource("/metrics")
                    .route(web::get().to(routes::metrics::metrics))
                    .default_service(web::to(routes::method_not_allowed)),
            )
            .configure(fault_routes)
            .default_service(web::to(routes::not_found))
    })
    .workers(workers)
    .shutdown_timeout(shutdown_timeout)
    .listen(listener)
    .map_err(|source| StartupError::Bind { address, source })?
    .run();
    Ok(server)
}

#[cfg(feature = "fault-injection")]
fn fault_routes(config: &mut web::ServiceConfig) {
    config.route(
        "/__faults/panic/{actor}",
        web::post().to(routes::faults::panic_actor),
    );
}

#[cfg(not(feature = "fault-injection"))]
fn fault_routes(_: &mut web::ServiceConfig) {}

/// The auth, booking and db actors that one HTTP worker's handlers use.
#[derive(Clone)]
struct Actors {
    auth: Arc<ActorSlot<AuthActor>>,
    booking: Arc<ActorSlot<BookingActor>>,
    db: Arc<ActorSlot<DbActor>>,
}

/// Starts a set of actors on an arbiter.
fn start_actors(shared: &SharedParts, arbiter: &ArbiterHandle) -> Actors {
    let settings = &shared.settings;
    let webhook = &settings.webhook;

    let verifier = {
        use secrecy::ExposeSecret;
        let mut secrets: Vec<&[u8]> = vec![webhook.secret.expose_secret().as_bytes()];
        if let Some(previous) = &webhook.previous_secret {
            secrets.push(previous.expose_secret().as_bytes());
        }
        SignatureVerifier::new(&secrets, webhook.tolerance_seconds)
    };
    let clock = shared.clock.clone();
    let auth = ActorSlot::start(
        "auth",
        arbiter.clone(),
        move || AuthActor::new(verifier.clone(), clock.clone()),
        &shared.watchlist,
    );

    let (calendar, clock, max_stay) = (
        shared.calendar,
        shared.clock.clone(),
        settings.property.max_stay_nights,
    );
    let booking = ActorSlot::start(
        "booking",
        arbiter.clone(),
        move || BookingActor::new(calendar, clock.clone(), max_stay),
        &shared.watchlist,
    );

    let (database, property, rates_cache) = (
        shared.database.clone(),
        shared.property.clone(),
        shared.rates_cache.clone(),
    );
    let db = ActorSlot::start(
        "db",
        arbiter.clone(),
        move || DbActor::new(database.clone(), property.clone(), rates_cache.clone()),
        &shared.watchlist,
    );
    Actors { auth, booking, db }
}

/// Builds the state of one HTTP worker: the process's shared actors with
/// ACTOR_LAYOUT=shared, else a set of its own on the worker's arbiter.
fn worker_state(shared: &SharedParts) -> AppState {
    let settings = &shared.settings;
    let webhook = &settings.webhook;
    let Actors { auth, booking, db } = match &shared.shared_actors {
        Some(actors) => actors.clone(),
        None => start_actors(shared, &actix_rt::Arbiter::current()),
    };
    let calendar = shared.calendar;

    AppState {
        auth,
        booking,
        db,
        supervisor: shared.supervisor.clone(),
        prometheus: shared.prometheus.clone(),
        property: shared.property.clone(),
        limits: Limits {
            backend: shared.database.backend(),
            timezone: calendar.timezone,
            max_body_bytes: webhook.max_body_bytes,
            actor_timeout: ACTOR_TIMEOUT,
            db_timeout: settings.database.pool.timeout + ACTOR_TIMEOUT,
        },
    }
}
