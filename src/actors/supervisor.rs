//! `SupervisorActor`: one per process. At start-up it plans the connection
//! budget; afterwards it samples the pool and the database's reachability
//! into gauges, runs the Prometheus exporter's upkeep, and restarts any
//! actor that stopped.

use std::time::Duration;

use actix::{
    Actor, ActorFutureExt, AsyncContext, AtomicResponse, Context, Handler, Message, MessageResult,
    WrapFuture,
};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::{ConnectionTrait, DbErr, Statement};

use super::slot::Watchlist;
use crate::budget::{self, Budget, BudgetInput, BudgetLevel, ServerLimits};
use crate::database::{Backend, Database};
use crate::metrics;

/// How often pool gauges, the database gauge and the exporter's upkeep run.
/// The exporter needs upkeep to drain histogram buckets; 5 s follows the
/// crate's own examples.
const SAMPLE_INTERVAL: Duration = Duration::from_secs(5);

/// How often every actor slot is checked for a stopped actor.
const WATCH_INTERVAL: Duration = Duration::from_secs(1);

pub struct SupervisorActor {
    database: Database,
    budget_input: BudgetInput,
    budget: Option<Budget>,
    watchlist: Watchlist,
    prometheus: PrometheusHandle,
}

impl SupervisorActor {
    pub fn new(
        database: Database,
        budget_input: BudgetInput,
        watchlist: Watchlist,
        prometheus: PrometheusHandle,
    ) -> SupervisorActor {
        SupervisorActor {
            database,
            budget_input,
            budget: None,
            watchlist,
            prometheus,
        }
    }

    fn sample(&mut self, context: &mut Context<Self>) {
        self.prometheus.run_upkeep();
        metrics::record_pool(&self.database.snapshot());

        let database = self.database.clone();
        context.spawn(
            async move {
                let reachable = database.ping().await.is_ok();
                metrics::record_database_up(reachable);
            }
            .into_actor(self),
        );
    }

    fn restart_stopped_actors(&mut self) {
        let slots = self
            .watchlist
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        for slot in slots {
            slot.restart_if_stopped();
        }
    }
}

impl Actor for SupervisorActor {
    type Context = Context<Self>;

    fn started(&mut self, context: &mut Context<Self>) {
        tracing::info!("supervisor started");
        context.run_interval(SAMPLE_INTERVAL, |actor, context| actor.sample(context));
        context.run_interval(WATCH_INTERVAL, |actor, _| actor.restart_stopped_actors());
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        tracing::info!("supervisor stopped");
    }
}

/// Plans the connection budget, logs it and exports it. The reply is `None`
/// on SQLite, which has no budget.
pub struct PlanBudget;

impl Message for PlanBudget {
    type Result = Option<Budget>;
}

impl Handler<PlanBudget> for SupervisorActor {
    type Result = AtomicResponse<Self, Option<Budget>>;

    fn handle(&mut self, _: PlanBudget, _: &mut Context<Self>) -> Self::Result {
        let database = self.database.clone();
        let input = self.budget_input;
        let planning = async move {
            if database.backend() == Backend::Sqlite {
                tracing::info!("connection budget: not applicable on SQLite");
                return None;
            }
            let server = match read_server_limits(&database).await {
                Ok(limits) => Some(limits),
                Err(error) => {
                    tracing::warn!(
                        %error,
                        fallback = input.configured_max_connections,
                        "cannot read max_connections from the server; using POSTGRES_MAX_CONNECTIONS"
                    );
                    None
                }
            };
            if let Some(limits) = server
                && limits.max_connections != input.configured_max_connections
            {
                tracing::warn!(
                    server_max_connections = limits.max_connections,
                    configured = input.configured_max_connections,
                    "POSTGRES_MAX_CONNECTIONS={} differs from the server's max_connections={}; using the server's",
                    input.configured_max_connections,
                    limits.max_connections
                );
            }
            let budget = budget::plan(input, server);
            log_budget(&budget);
            metrics::record_budget(&budget);
            Some(budget)
        };
        AtomicResponse::new(Box::pin(planning.into_actor(self).map(
            |budget, actor, _| {
                actor.budget = budget;
                budget
            },
        )))
    }
}

fn log_budget(budget: &Budget) {
    match (budget.level(), budget.message()) {
        (BudgetLevel::Exceeded, Some(message)) => tracing::error!(
            planned = budget.planned,
            limit = budget.limit,
            ratio = budget.rounded_ratio(),
            "{message}"
        ),
        (BudgetLevel::Warning, Some(message)) => tracing::warn!(
            planned = budget.planned,
            limit = budget.limit,
            ratio = budget.rounded_ratio(),
            "{message}"
        ),
        _ => tracing::info!(
            planned = budget.planned,
            limit = budget.limit,
            ratio = budget.rounded_ratio(),
            "connection budget: planned {} of {} usable PostgreSQL connections ({:.1} %)",
            budget.planned,
            budget.limit,
            budget.ratio * 100.0
        ),
    }
}

async fn read_server_limits(database: &Database) -> Result<ServerLimits, DbErr> {
    database
        .run(|connection| async move {
            let row = connection
                .query_one_raw(Statement::from_string(
                    connection.get_database_backend(),
                    "SELECT current_setting('max_connections'), current_setting('superuser_reserved_connections')",
                ))
                .await?
                .ok_or_else(|| DbErr::Custom("SHOW returned no row".to_owned()))?;
            let parse = |index: usize| -> Result<u32, DbErr> {
                let text: String = row.try_get_by_index(index)?;
                text.trim()
                    .parse()
                    .map_err(|_| DbErr::Custom(format!("unexpected connection setting {text:?}")))
            };
            Ok(ServerLimits {
                max_connections: parse(0)?,
                superuser_reserved_connections: parse(1)?,
            })
        })
        .await
}

/// Asks for the budget planned at start-up.
pub struct CurrentBudget;

impl Message for CurrentBudget {
    type Result = Option<Budget>;
}

impl Handler<CurrentBudget> for SupervisorActor {
    type Result = MessageResult<CurrentBudget>;

    fn handle(&mut self, _: CurrentBudget, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.budget)
    }
}
