//! The connection budget: how many PostgreSQL connections all grace processes
//! together may open, against how many the server accepts.
//!
//! planned = (DB_POOL_SIZE + DB_MAX_OVERFLOW) x NUM_WORKERS, compared with
//! max_connections - superuser_reserved_connections.

use serde::Serialize;

/// Above this share of the limit, start-up logs a warning.
pub const WARNING_RATIO: f64 = 0.8;

/// PostgreSQL's default `superuser_reserved_connections`, assumed when the
/// server's own settings cannot be read.
pub const DEFAULT_SUPERUSER_RESERVED: u32 = 3;

/// The server's connection settings as read with `SHOW`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    pub max_connections: u32,
    pub superuser_reserved_connections: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LimitSource {
    /// Read from the server.
    Server,
    /// POSTGRES_MAX_CONNECTIONS, because the server's value could not be read.
    Config,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetLevel {
    Ok,
    Warning,
    Exceeded,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    pub pool_size: u32,
    pub max_overflow: u32,
    pub num_workers: u32,
    pub planned: u64,
    pub max_connections: u32,
    pub superuser_reserved: u32,
    pub limit: u64,
    pub limit_source: LimitSource,
    /// planned / limit, as a fraction (0.84 is 84 %).
    pub ratio: f64,
}

/// The inputs of the plan, named as the settings that feed them.
#[derive(Clone, Copy, Debug)]
pub struct BudgetInput {
    pub pool_size: u32,
    pub max_overflow: u32,
    pub num_workers: u32,
    /// POSTGRES_MAX_CONNECTIONS.
    pub configured_max_connections: u32,
}

/// Computes the budget; `server` is `None` when the server's settings could
/// not be read, and then POSTGRES_MAX_CONNECTIONS is used instead.
pub fn plan(input: BudgetInput, server: Option<ServerLimits>) -> Budget {
    let planned = u64::from(input.pool_size + input.max_overflow) * u64::from(input.num_workers);
    let (limits, limit_source) = match server {
        Some(limits) => (limits, LimitSource::Server),
        None => (
            ServerLimits {
                max_connections: input.configured_max_connections,
                superuser_reserved_connections: DEFAULT_SUPERUSER_RESERVED,
            },
            LimitSource::Config,
        ),
    };
    let limit = u64::from(
        limits
            .max_connections
            .saturating_sub(limits.superuser_reserved_connections),
    );
    let ratio = if limit == 0 {
        f64::INFINITY
    } else {
        planned as f64 / limit as f64
    };

    Budget {
        pool_size: input.pool_size,
        max_overflow: input.max_overflow,
        num_workers: input.num_workers,
        planned,
        max_connections: limits.max_connections,
        superuser_reserved: limits.superuser_reserved_connections,
        limit,
        limit_source,
        ratio,
    }
}

impl Budget {
    pub fn level(&self) -> BudgetLevel {
        if self.ratio > 1.0 {
            BudgetLevel::Exceeded
        } else if self.ratio > WARNING_RATIO {
            BudgetLevel::Warning
        } else {
            BudgetLevel::Ok
        }
    }

    /// Returns the start-up log line for a budget above the warning ratio, with every
    /// number and the three remedies; `None` when the budget is comfortable.
    pub fn message(&self) -> Option<String> {
        let verdict = match self.level() {
            BudgetLevel::Ok => return None,
            BudgetLevel::Warning => "is above 80 % of",
            BudgetLevel::Exceeded => "exceeds",
        };
        Some(format!(
            "connection budget: planned {planned} connections {verdict} the PostgreSQL limit of {limit} \
             ({percent:.1} %): planned = (DB_POOL_SIZE {size} + DB_MAX_OVERFLOW {overflow}) x NUM_WORKERS {workers}, \
             limit = max_connections {max} - superuser_reserved_connections {reserved}. \
             Remedies: run fewer NUM_WORKERS or smaller pools, put PgBouncer in front of PostgreSQL, \
             or raise max_connections",
            planned = self.planned,
            limit = self.limit,
            percent = self.ratio * 100.0,
            size = self.pool_size,
            overflow = self.max_overflow,
            workers = self.num_workers,
            max = self.max_connections,
            reserved = self.superuser_reserved,
        ))
    }

    /// Returns the ratio rounded to three decimals, as /health shows it.
    pub fn rounded_ratio(&self) -> f64 {
        (self.ratio * 1000.0).round() / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(num_workers: u32) -> BudgetInput {
        BudgetInput {
            pool_size: 5,
            max_overflow: 2,
            num_workers,
            configured_max_connections: 100,
        }
    }

    const DEFAULT_SERVER: ServerLimits = ServerLimits {
        max_connections: 100,
        superuser_reserved_connections: 3,
    };

    #[test]
    fn four_workers_plan_28_connections() {
        let budget = plan(input(4), Some(DEFAULT_SERVER));

        assert_eq!(budget.planned, 28);
        assert_eq!(budget.limit, 97);
        assert_eq!(budget.rounded_ratio(), 0.289);
        assert_eq!(budget.level(), BudgetLevel::Ok);
        assert_eq!(budget.message(), None);
    }

    #[test]
    fn twelve_workers_warn_at_84_of_97() {
        let budget = plan(input(12), Some(DEFAULT_SERVER));

        assert_eq!(budget.planned, 84);
        assert_eq!(budget.limit, 97);
        assert_eq!(budget.level(), BudgetLevel::Warning);
        let message = budget.message().unwrap();
        for expected in [
            "84",
            "97",
            "86.6 %",
            "NUM_WORKERS",
            "max_connections",
            "PgBouncer",
        ] {
            assert!(
                message.contains(expected),
                "{expected:?} missing from {message:?}"
            );
        }
    }

    #[test]
    fn twenty_workers_exceed_the_limit() {
        let budget = plan(input(20), Some(DEFAULT_SERVER));

        assert_eq!(budget.planned, 140);
        assert_eq!(budget.level(), BudgetLevel::Exceeded);
        let message = budget.message().unwrap();
        for expected in [
            "140",
            "97",
            "144.3 %",
            "exceeds",
            "NUM_WORKERS",
            "max_connections",
            "PgBouncer",
        ] {
            assert!(
                message.contains(expected),
                "{expected:?} missing from {message:?}"
            );
        }
    }

    #[test]
    fn unreadable_server_falls_back_to_configured_maximum() {
        let mut fallback = input(4);
        fallback.configured_max_connections = 50;

        let budget = plan(fallback, None);

        assert_eq!(budget.limit_source, LimitSource::Config);
        assert_eq!(budget.limit, 47);
        assert_eq!(budget.planned, 28);
    }

    #[test]
    fn exactly_80_percent_is_not_a_warning() {
        let budget = plan(
            BudgetInput {
                pool_size: 8,
                max_overflow: 0,
                num_workers: 10,
                configured_max_connections: 100,
            },
            Some(ServerLimits {
                max_connections: 103,
                superuser_reserved_connections: 3,
            }),
        );

        assert_eq!(budget.ratio, 0.8);
        assert_eq!(budget.level(), BudgetLevel::Ok);
    }
}
