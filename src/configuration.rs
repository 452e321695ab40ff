//! Settings, layered as `config/default.toml`, then `config/{GRACE_ENV}.toml`,
//! then environment variables, which win. Every value is parsed and checked
//! here, once, so that the rest of grace works with typed values only.
//!
//! Each setting is named by its environment variable (`DB_POOL_SIZE`); the
//! files use the same names in lower case (`db_pool_size = 5`).

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveTime;
use chrono_tz::Tz;
use secrecy::{ExposeSecret, SecretString};

use crate::database::DatabaseUrl;

/// The secret `development` uses when HMAC_SECRET is not set. It is public,
/// so `production` never accepts it.
pub const DEVELOPMENT_HMAC_SECRET: &str = "grace-development-secret-not-for-production";

/// Shortest HMAC secret accepted when serving in production, in bytes.
pub const MIN_PRODUCTION_SECRET_BYTES: usize = 32;

/// A configuration value that cannot be used. Start-up exits with code 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid {variable}={value:?}: expected {expected}")]
    Invalid {
        variable: &'static str,
        value: String,
        expected: String,
    },
    #[error("invalid {variable} (a secret of {length} bytes): {expected}")]
    InvalidSecret {
        variable: &'static str,
        length: usize,
        expected: String,
    },
    #[error("missing {variable}: {expected}")]
    Missing {
        variable: &'static str,
        expected: String,
    },
    #[error("invalid GRACE_CONFIG_DIR={path:?}: the folder does not exist")]
    ConfigDirNotFound { path: PathBuf },
    #[error("cannot read the configuration files: {0}")]
    Files(String),
}

/// The deployment environment, which picks `config/{GRACE_ENV}.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraceEnv {
    Development,
    Production,
}

impl GraceEnv {
    pub fn as_str(self) -> &'static str {
        match self {
            GraceEnv::Development => "development",
            GraceEnv::Production => "production",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub environment: GraceEnv,
    pub database: DatabaseSettings,
    pub webhook: WebhookSettings,
    pub property: PropertySettings,
    pub server: ServerSettings,
    pub budget: BudgetSettings,
    pub log: LogSettings,
    /// Messages about how a value was read (a normalised URL, a development
    /// secret), logged once tracing is up because loading runs before it.
    pub notices: Vec<Notice>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Info(String),
    Warn(String),
}

#[derive(Clone, Debug)]
pub struct DatabaseSettings {
    pub url: DatabaseUrl,
    pub pool: PoolSettings,
    /// Log every SQL statement (DB_LOG_STATEMENTS); off by default because it is loud.
    pub log_statements: bool,
    /// Serve /rates from memory, kept current by LISTEN/NOTIFY (RATES_CACHE).
    /// PostgreSQL only.
    pub rates_cache: bool,
}

/// The pool as an operator configures it, in SQLAlchemy's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolSettings {
    pub size: u32,
    pub max_overflow: u32,
    pub timeout: Duration,
    /// Maximum age of a connection; `None` keeps connections for ever.
    pub recycle: Option<Duration>,
    pub pre_ping: bool,
    pub serverless: bool,
}

impl PoolSettings {
    /// Largest number of connections one process may hold open.
    pub fn max_connections(&self) -> u32 {
        self.size + self.max_overflow
    }
}

#[derive(Clone)]
pub struct WebhookSettings {
    pub secret: SecretString,
    pub previous_secret: Option<SecretString>,
    pub tolerance_seconds: u64,
    pub max_body_bytes: usize,
}

impl fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("secret", &"[REDACTED]")
            .field(
                "previous_secret",
                &self.previous_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("tolerance_seconds", &self.tolerance_seconds)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PropertySettings {
    pub timezone: Tz,
    pub business_day_start: NaiveTime,
    pub max_stay_nights: u32,
}

/// The placement of the auth, booking and db actors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorLayout {
    /// One set per HTTP worker, on the worker's own thread (the default).
    PerWorker,
    /// One set for the process, on a dedicated arbiter thread.
    Shared,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerSettings {
    pub bind_addr: SocketAddr,
    pub http_workers: usize,
    pub actor_layout: ActorLayout,
    /// How long in-flight requests may run after SIGTERM before they are dropped.
    pub shutdown_timeout_seconds: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetSettings {
    pub num_workers: u32,
    pub postgres_max_connections: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A tracing filter directive such as `info` or `grace=debug,sqlx=warn`.
    pub filter: String,
}

impl Settings {
    /// Loads the settings from the process environment and the config folder.
    pub fn load() -> Result<Settings, ConfigError> {
        let environment: HashMap<String, String> = std::env::vars().collect();
        Settings::from_environment(&environment)
    }

    /// Loads the settings from the given environment variables, so tests can
    /// check each rule without touching the process environment.
    pub fn from_environment(
        environment: &HashMap<String, String>,
    ) -> Result<Settings, ConfigError> {
        let grace_env = parse_grace_env(environment.get("GRACE_ENV").map(String::as_str))?;
        let config_dir = find_config_dir(environment.get("GRACE_CONFIG_DIR").map(String::as_str))?;
        let raw = RawSettings::layer(config_dir.as_deref(), grace_env, environment)?;
        raw.parse(grace_env)
    }
}

fn parse_grace_env(value: Option<&str>) -> Result<GraceEnv, ConfigError> {
    match value.map(str::trim) {
        None | Some("") | Some("development") => Ok(GraceEnv::Development),
        Some("production") => Ok(GraceEnv::Production),
        Some(other) => Err(ConfigError::Invalid {
            variable: "GRACE_ENV",
            value: other.to_owned(),
            expected: "development or production".to_owned(),
        }),
    }
}

/// Returns the config folder: GRACE_CONFIG_DIR, which must exist, or
/// `./config` when it exists. Without either, grace runs on the environment alone.
fn find_config_dir(value: Option<&str>) -> Result<Option<PathBuf>, ConfigError> {
    match value {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            if path.is_dir() {
                Ok(Some(path))
            } else {
                Err(ConfigError::ConfigDirNotFound { path })
            }
        }
        _ => {
            let default = PathBuf::from("config");
            Ok(default.is_dir().then_some(default))
        }
    }
}

/// The settings as strings, after layering files and environment.
struct RawSettings {
    values: config::Config,
}

impl RawSettings {
    fn layer(
        config_dir: Option<&Path>,
        grace_env: GraceEnv,
        environment: &HashMap<String, String>,
    ) -> Result<RawSettings, ConfigError> {
        let mut builder = config::Config::builder();
        if let Some(dir) = config_dir {
            builder = builder
                .add_source(config::File::from(dir.join("default.toml")).required(false))
                .add_source(
                    config::File::from(dir.join(format!("{}.toml", grace_env.as_str())))
                        .required(false),
                );
        }
        let environment = environment.clone().into_iter().collect();
        builder = builder.add_source(config::Environment::default().source(Some(environment)));

        let values = builder
            .build()
            .map_err(|error| ConfigError::Files(error.to_string()))?;
        Ok(RawSettings { values })
    }

    /// Returns the value of a variable, `None` when it is unset or empty.
    fn get(&self, variable: &'static str) -> Option<String> {
        self.values
            .get_string(&variable.to_ascii_lowercase())
            .ok()
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    fn parse(&self, environment: GraceEnv) -> Result<Settings, ConfigError> {
        let mut notices = Vec::new();

        let database = self.database_settings(&mut notices)?;
        let webhook = self.webhook_settings(environment, &mut notices)?;
        let property = PropertySettings {
            timezone: self.parse_with("PROPERTY_TIMEZONE", "Asia/Dubai", parse_timezone)?,
            business_day_start: self.parse_with(
                "BUSINESS_DAY_START",
                "00:00",
                parse_time_of_day,
            )?,
            max_stay_nights: self.number("MAX_STAY_NIGHTS", 30, 1, 3650)?,
        };
        let default_workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let server = ServerSettings {
            bind_addr: self.parse_with("BIND_ADDR", "127.0.0.1:8080", parse_socket_addr)?,
            http_workers: self.number("HTTP_WORKERS", default_workers as u64, 1, 1024)? as usize,
            actor_layout: self.parse_with("ACTOR_LAYOUT", "per-worker", parse_actor_layout)?,
            shutdown_timeout_seconds: self.number("SHUTDOWN_TIMEOUT_SECONDS", 30, 0, 3600)?,
        };
        let budget = BudgetSettings {
            num_workers: self.number("NUM_WORKERS", 1, 1, 10_000)?,
            postgres_max_connections: self.number("POSTGRES_MAX_CONNECTIONS", 100, 1, 1_000_000)?,
        };
        let log = LogSettings {
            format: self.parse_with("LOG_FORMAT", "text", parse_log_format)?,
            filter: self.parse_with("LOG_LEVEL", "info", parse_log_filter)?,
        };

        Ok(Settings {
            environment,
            database,
            webhook,
            property,
            server,
            budget,
            log,
            notices,
        })
    }

    fn database_settings(
        &self,
        notices: &mut Vec<Notice>,
    ) -> Result<DatabaseSettings, ConfigError> {
        let raw_url = self
            .get("DATABASE_URL")
            .unwrap_or_else(|| "sqlite://grace.db?mode=rwc".to_owned());
        let url = DatabaseUrl::parse(&raw_url).map_err(|expected| ConfigError::Invalid {
            variable: "DATABASE_URL",
            value: crate::database::redact_url(&raw_url),
            expected,
        })?;
        if url.was_normalised() {
            notices.push(Notice::Info(format!(
                "DATABASE_URL uses the SQLAlchemy scheme postgresql+asyncpg://; using {} instead",
                url.redacted()
            )));
        }

        let pool = PoolSettings {
            size: self.number("DB_POOL_SIZE", 5, 1, 10_000)?,
            max_overflow: self.number("DB_MAX_OVERFLOW", 2, 0, 10_000)?,
            timeout: self.parse_with("DB_POOL_TIMEOUT", "30", parse_positive_seconds)?,
            recycle: self.parse_with("DB_POOL_RECYCLE", "3600", parse_recycle_seconds)?,
            pre_ping: self.parse_with("DB_POOL_PRE_PING", "true", parse_bool)?,
            serverless: self.parse_with("IS_SERVERLESS", "false", parse_bool)?,
        };
        Ok(DatabaseSettings {
            url,
            pool,
            log_statements: self.parse_with("DB_LOG_STATEMENTS", "false", parse_bool)?,
            rates_cache: self.parse_with("RATES_CACHE", "true", parse_bool)?,
        })
    }

    fn webhook_settings(
        &self,
        environment: GraceEnv,
        notices: &mut Vec<Notice>,
    ) -> Result<WebhookSettings, ConfigError> {
        let secret = match (self.get("HMAC_SECRET"), environment) {
            (Some(secret), _) => checked_secret("HMAC_SECRET", secret, environment)?,
            (None, GraceEnv::Development) => {
                notices.push(Notice::Warn(
                    "HMAC_SECRET is not set; using the public development secret, \
                     which GRACE_ENV=production rejects"
                        .to_owned(),
                ));
                SecretString::from(DEVELOPMENT_HMAC_SECRET)
            }
            (None, GraceEnv::Production) => {
                return Err(ConfigError::Missing {
                    variable: "HMAC_SECRET",
                    expected: format!(
                        "GRACE_ENV=production needs a webhook signing secret of at least \
                         {MIN_PRODUCTION_SECRET_BYTES} bytes"
                    ),
                });
            }
        };
        // The previous secret may be an older, shorter one that senders
        // still sign with during a rotation, so only HMAC_SECRET has a minimum.
        let previous_secret = self
            .get("HMAC_SECRET_PREVIOUS")
            .map(|secret| checked_previous_secret(secret, environment))
            .transpose()?;

        Ok(WebhookSettings {
            secret,
            previous_secret,
            tolerance_seconds: self.number("HMAC_TOLERANCE_SECONDS", 300, 1, 86_400)?,
            max_body_bytes: self.number("MAX_BODY_BYTES", 262_144, 1, 64 * 1024 * 1024)? as usize,
        })
    }

    /// Parses a variable, or its default when unset, reporting the variable
    /// and the value on failure.
    fn parse_with<T>(
        &self,
        variable: &'static str,
        default: &str,
        parse: fn(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        let value = self.get(variable).unwrap_or_else(|| default.to_owned());
        parse(&value).map_err(|expected| ConfigError::Invalid {
            variable,
            value,
            expected,
        })
    }

    fn number<T>(
        &self,
        variable: &'static str,
        default: T,
        min: T,
        max: T,
    ) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
    {
        let Some(value) = self.get(variable) else {
            return Ok(default);
        };
        match value.parse::<T>() {
            Ok(number) if number >= min && number <= max => Ok(number),
            _ => Err(ConfigError::Invalid {
                variable,
                value,
                expected: format!("a whole number from {min} to {max}"),
            }),
        }
    }
}

fn checked_secret(
    variable: &'static str,
    secret: String,
    environment: GraceEnv,
) -> Result<SecretString, ConfigError> {
    let length = secret.len();
    let secret = SecretString::from(secret);
    if environment == GraceEnv::Production {
        if length < MIN_PRODUCTION_SECRET_BYTES {
            return Err(ConfigError::InvalidSecret {
                variable,
                length,
                expected: format!(
                    "GRACE_ENV=production needs at least {MIN_PRODUCTION_SECRET_BYTES} bytes"
                ),
            });
        }
        if secret.expose_secret() == DEVELOPMENT_HMAC_SECRET {
            return Err(ConfigError::InvalidSecret {
                variable,
                length,
                expected: "GRACE_ENV=production rejects the public development secret".to_owned(),
            });
        }
    }
    Ok(secret)
}

fn checked_previous_secret(
    secret: String,
    environment: GraceEnv,
) -> Result<SecretString, ConfigError> {
    if environment == GraceEnv::Production && secret == DEVELOPMENT_HMAC_SECRET {
        return Err(ConfigError::InvalidSecret {
            variable: "HMAC_SECRET_PREVIOUS",
            length: secret.len(),
            expected: "GRACE_ENV=production rejects the public development secret".to_owned(),
        });
    }
    Ok(SecretString::from(secret))
}

fn parse_timezone(value: &str) -> Result<Tz, String> {
    value
        .parse::<Tz>()
        .map_err(|_| "an IANA timezone name such as Asia/Dubai or America/New_York".to_owned())
}

/// Parses a local time of day as `HH:MM` or `HH:MM:SS`.
pub fn parse_time_of_day(value: &str) -> Result<NaiveTime, String> {
    let expected = || "a time of day as HH:MM, from 00:00 to 23:59".to_owned();
    let well_formed = matches!(value.len(), 5 | 8) && value.as_bytes()[2] == b':';
    if !well_formed {
        return Err(expected());
    }
    NaiveTime::parse_from_str(value, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(value, "%H:%M:%S"))
        .map_err(|_| expected())
}

fn parse_socket_addr(value: &str) -> Result<SocketAddr, String> {
    value
        .parse()
        .map_err(|_| "an IP address and port such as 127.0.0.1:8080 or 0.0.0.0:8080".to_owned())
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("true or false".to_owned()),
    }
}

fn parse_positive_seconds(value: &str) -> Result<Duration, String> {
    let expected = || "a number of seconds above 0, such as 30 or 0.5".to_owned();
    let seconds: f64 = value.parse().map_err(|_| expected())?;
    if seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0 {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(expected())
    }
}

/// Parses DB_POOL_RECYCLE: whole seconds, or -1 to keep connections for ever
/// as SQLAlchemy's `pool_recycle=-1` does.
fn parse_recycle_seconds(value: &str) -> Result<Option<Duration>, String> {
    match value.parse::<i64>() {
        Ok(-1) => Ok(None),
        Ok(seconds) if seconds >= 1 => Ok(Some(Duration::from_secs(seconds as u64))),
        _ => Err("a whole number of seconds of at least 1, or -1 for no limit".to_owned()),
    }
}

fn parse_log_filter(value: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(value)
        .map(|_| value.to_owned())
        .map_err(|_| "a log level (error, warn, info, debug, trace) or a filter such as grace=debug,sqlx=warn".to_owned())
}

fn parse_actor_layout(value: &str) -> Result<ActorLayout, String> {
    match value.to_ascii_lowercase().as_str() {
        "per-worker" => Ok(ActorLayout::PerWorker),
        "shared" => Ok(ActorLayout::Shared),
        _ => Err("per-worker or shared".to_owned()),
    }
}

fn parse_log_format(value: &str) -> Result<LogFormat, String> {
    match value.to_ascii_lowercase().as_str() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err("text or json".to_owned()),
    }
}
