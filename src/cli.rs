//! The `grace` command line: serve (the default), migrate, seed, sign.
//!
//! Exit codes: 0 success, 2 bad usage or configuration, 1 any other failure.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::configuration::{DEVELOPMENT_HMAC_SECRET, Settings};
use crate::database::{Database, run_migrations};
use crate::domain::calendar::{Clock, PropertyCalendar, SystemClock};
use crate::startup::Application;
use crate::store::seed::{SeedOutcome, seed_demo};

#[derive(Parser, Debug)]
#[command(
    name = "grace",
    version,
    about = "Rate and booking gateway for hotel properties"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run pending migrations, then serve HTTP (the default).
    Serve,
    /// Run pending migrations and exit.
    Migrate,
    /// Load a data set into an empty database.
    Seed {
        /// Load the demo property GRACE-DXB with four room types and 365 nights.
        #[arg(long)]
        demo: bool,
    },
    /// Print the X-Timestamp and X-Signature headers for a webhook body.
    Sign {
        /// Unix time in seconds to sign with; defaults to now.
        #[arg(long)]
        timestamp: Option<u64>,
        /// Environment variable that contains the secret.
        #[arg(long, value_name = "NAME", default_value = "HMAC_SECRET")]
        secret_env: String,
        /// File with the exact body bytes; `-` or none reads standard input.
        file: Option<PathBuf>,
    },
}

const EXIT_FAILURE: u8 = 1;
const EXIT_USAGE: u8 = 2;

/// Parses the arguments and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Sign {
            timestamp,
            secret_env,
            file,
        } => sign(timestamp, &secret_env, file),
        Command::Seed { demo: false } => {
            eprintln!("error: grace seed needs --demo, the only data set it has");
            ExitCode::from(EXIT_USAGE)
        }
        command => with_settings(command),
    }
}

fn with_settings(command: Command) -> ExitCode {
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("configuration error: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    crate::telemetry::init(&settings.log);
    log_notices(&settings);

    let system = actix_web::rt::System::new();
    let result = system.block_on(async move {
        match command {
            Command::Serve => serve(settings).await,
            Command::Migrate => migrate(settings).await,
            Command::Seed { .. } => seed(settings).await,
            Command::Sign { .. } => unreachable!("sign needs no settings"),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn log_notices(settings: &Settings) {
    for notice in &settings.notices {
        match notice {
            crate::configuration::Notice::Info(message) => tracing::info!("{message}"),
            crate::configuration::Notice::Warn(message) => tracing::warn!("{message}"),
        }
    }
}

async fn serve(settings: Settings) -> Result<(), String> {
    tracing::info!(
        environment = settings.environment.as_str(),
        bind_addr = %settings.server.bind_addr,
        http_workers = settings.server.http_workers,
        "grace is starting"
    );
    let application = Application::build(settings, None, Arc::new(SystemClock))
        .await
        .map_err(|error| error.to_string())?;
    application
        .run_until_stopped()
        .await
        .map_err(|error| format!("the HTTP server failed: {error}"))
}

async fn migrate(settings: Settings) -> Result<(), String> {
    let database = Database::connect(&settings.database)
        .await
        .map_err(|error| {
            format!(
                "cannot connect to {}: {error}",
                settings.database.url.redacted()
            )
        })?;
    run_migrations(&database, &settings.database)
        .await
        .map_err(|error| format!("migrating failed: {error}"))?;
    tracing::info!("migrations are up to date");
    database.close().await;
    Ok(())
}

async fn seed(settings: Settings) -> Result<(), String> {
    let database = Database::connect(&settings.database)
        .await
        .map_err(|error| {
            format!(
                "cannot connect to {}: {error}",
                settings.database.url.redacted()
            )
        })?;
    run_migrations(&database, &settings.database)
        .await
        .map_err(|error| format!("migrating failed: {error}"))?;

    let calendar = PropertyCalendar {
        timezone: settings.property.timezone,
        business_day_start: settings.property.business_day_start,
    };
    let business_date = calendar.business_date(SystemClock.now());
    let outcome =
        database
            .run(|connection| async move {
                seed_demo(&connection, calendar.timezone, business_date).await
            })
            .await
            .map_err(|error| format!("loading the demo data failed: {error}"))?;
    database.close().await;

    match outcome {
        SeedOutcome::Seeded { nights, room_types } => {
            tracing::info!(nights, room_types, %business_date, "loaded the demo data set");
            Ok(())
        }
        SeedOutcome::AlreadyHasProperty { code } => Err(format!(
            "refusing to seed: the database already has property {code}; seed only an empty database"
        )),
    }
}

/// Prints exactly two lines, `X-Timestamp: …` and `X-Signature: …`.
fn sign(timestamp: Option<u64>, secret_env: &str, file: Option<PathBuf>) -> ExitCode {
    let secret = match sign_secret(secret_env) {
        Ok(secret) => secret,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let body = match read_body(file) {
        Ok(body) => body,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };

    let timestamp = timestamp
        .unwrap_or_else(|| SystemClock.now().timestamp().max(0) as u64)
        .to_string();
    let signature = crate::signature::sign(secret.as_bytes(), &timestamp, &body);
    println!("X-Timestamp: {timestamp}");
    println!("X-Signature: {signature}");
    ExitCode::SUCCESS
}

/// Returns the signing secret: the named variable, or in development (GRACE_ENV
/// unset or `development`) the public development secret that `grace serve`
/// also uses when HMAC_SECRET is unset.
fn sign_secret(secret_env: &str) -> Result<String, String> {
    if let Ok(secret) = std::env::var(secret_env)
        && !secret.is_empty()
    {
        return Ok(secret);
    }
    let development =
        std::env::var("GRACE_ENV").map_or(true, |env| env.is_empty() || env == "development");
    if secret_env == "HMAC_SECRET" && development {
        eprintln!("note: HMAC_SECRET is not set; signing with the development secret");
        return Ok(DEVELOPMENT_HMAC_SECRET.to_owned());
    }
    Err(format!(
        "the environment variable {secret_env} is not set or empty; it must hold the secret"
    ))
}

fn read_body(file: Option<PathBuf>) -> Result<Vec<u8>, String> {
    match file {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::read(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))
        }
        _ => {
            let mut body = Vec::new();
            std::io::stdin()
                .read_to_end(&mut body)
                .map_err(|error| format!("cannot read standard input: {error}"))?;
            Ok(body)
        }
    }
}
