//! Test support: a fresh database per test (PostgreSQL or SQLite), the real
//! server on a random loopback port, and signed webhook requests.

use std::collections::HashMap;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use grace::configuration::Settings;
use grace::domain::calendar::{FixedClock, PropertyCalendar, SharedClock, SystemClock};
use grace::startup::Application;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::Value;

pub const SECRET: &str = "integration-test-secret-0123456789abcdef";

pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A database that exists for one test and is dropped afterwards.
pub struct TestDatabase {
    pub url: String,
    name: Option<String>,
    _sqlite_dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// Creates a fresh database. PostgreSQL must be reachable: the test
    /// fails loudly rather than being skipped.
    pub async fn create(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary folder for SQLite");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("grace.db").display()
                );
                TestDatabase {
                    url,
                    name: None,
                    _sqlite_dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let name = format!("grace_test_{}", uuid::Uuid::new_v4().simple());
                let admin = connect_admin().await;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("CREATE DATABASE on the test server");
                admin.close().await.ok();
                let base = admin_url();
                let url = format!(
                    "{}/{name}",
                    base.rsplit_once('/').expect("a URL with a database").0
                );
                TestDatabase {
                    url,
                    name: Some(name),
                    _sqlite_dir: None,
                }
            }
        }
    }

    /// Refers to a database another `TestDatabase` owns, without dropping it.
    pub fn existing(url: &str) -> TestDatabase {
        TestDatabase {
            url: url.to_owned(),
            name: None,
            _sqlite_dir: None,
        }
    }

    pub async fn connect(&self) -> DatabaseConnection {
        Database::connect(quiet(&self.url))
            .await
            .expect("connect to the test database")
    }
}

/// Options for a helper connection, without sqlx's statement log.
fn quiet(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false).max_connections(1);
    options
}

async fn connect_admin() -> DatabaseConnection {
    let url = admin_url();
    Database::connect(quiet(&url)).await.unwrap_or_else(|error| {
        panic!(
            "PostgreSQL is required for the integration tests and is not reachable at TEST_DATABASE_URL={url}: {error}. \
             Start it, or point TEST_DATABASE_URL at a server where this user may create databases."
        )
    })
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.name.take() else {
            return;
        };
        // Drop runs outside any async context we may block, so the DROP runs
        // on a runtime of its own in a separate thread.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let admin = connect_admin().await;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(_))) {
            eprintln!("warning: could not drop a test database: {dropped:?}");
        }
    }
}

/// The real server running inside the test process.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database: TestDatabase,
    pub now: DateTime<Utc>,
    pub calendar: PropertyCalendar,
}

pub struct AppOptions {
    pub backend: Backend,
    pub env: Vec<(&'static str, String)>,
    /// A pinned instant; `None` runs on the system clock.
    pub now: Option<DateTime<Utc>>,
}

impl AppOptions {
    pub fn new(backend: Backend) -> AppOptions {
        AppOptions {
            backend,
            env: Vec::new(),
            now: None,
        }
    }

    pub fn env(mut self, name: &'static str, value: impl Into<String>) -> AppOptions {
        self.env.push((name, value.into()));
        self
    }

    pub fn at(mut self, instant: &str) -> AppOptions {
        self.now = Some(instant.parse().expect("an RFC 3339 instant"));
        self
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(AppOptions::new(backend)).await
}

pub async fn spawn_app_with(options: AppOptions) -> TestApp {
    let database = TestDatabase::create(options.backend).await;
    spawn_app_on(database, options).await
}

/// Starts the server on an existing database (seeding demo data when empty).
pub async fn spawn_app_on(database: TestDatabase, options: AppOptions) -> TestApp {
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".to_owned(), database.url.clone()),
        ("HMAC_SECRET".to_owned(), SECRET.to_owned()),
        ("HTTP_WORKERS".to_owned(), "2".to_owned()),
        (
            "GRACE_CONFIG_DIR".to_owned(),
            concat!(env!("CARGO_MANIFEST_DIR"), "/config").to_owned(),
        ),
    ]);
    for (name, value) in options.env {
        env.insert(name.to_owned(), value);
    }
    let settings = Settings::from_environment(&env).expect("valid test settings");
    // Logs are noise in a passing run; TEST_LOG=1 shows them.
    if std::env::var_os("TEST_LOG").is_some() {
        grace::telemetry::init(&settings.log);
    }

    let clock: SharedClock = match options.now {
        Some(instant) => Arc::new(FixedClock(instant)),
        None => Arc::new(SystemClock),
    };
    let now = clock.now();
    let calendar = PropertyCalendar {
        timezone: settings.property.timezone,
        business_day_start: settings.property.business_day_start,
    };
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let application = Application::build(settings, Some(listener), clock)
        .await
        .expect("the application builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    actix_web::rt::spawn(application.run_until_stopped());

    TestApp {
        address,
        client: reqwest::Client::new(),
        database,
        now,
        calendar,
    }
}

impl TestApp {
    pub fn business_date(&self) -> NaiveDate {
        self.calendar.business_date(self.now)
    }

    /// Returns the business date shifted by whole days, as `YYYY-MM-DD`.
    pub fn day(&self, offset: i64) -> String {
        (self.business_date() + chrono::Duration::days(offset)).to_string()
    }

    pub async fn get(&self, path_and_query: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path_and_query}", self.address))
            .send()
            .await
            .expect("the request is sent")
    }

    pub async fn rates(&self, query: &str) -> reqwest::Response {
        self.get(&format!("/rates?{query}")).await
    }

    /// Posts a body signed with the test secret at the app's "now".
    pub async fn post_signed(&self, body: &[u8]) -> reqwest::Response {
        self.post_signed_at(body, self.now.timestamp()).await
    }

    pub async fn post_signed_at(&self, body: &[u8], timestamp: i64) -> reqwest::Response {
        let timestamp = timestamp.to_string();
        let signature = grace::signature::sign(SECRET.as_bytes(), &timestamp, body);
        self.client
            .post(format!("{}/webhook", self.address))
            .header("X-Timestamp", timestamp)
            .header("X-Signature", signature)
            .header("Content-Type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .expect("the request is sent")
    }

    pub async fn post_event(&self, event: &Value) -> reqwest::Response {
        self.post_signed(event.to_string().as_bytes()).await
    }
}

/// Today's business date of a property in Asia/Dubai with the default
/// night audit at 00:00, for tests of servers on the system clock.
pub fn dubai_business_date() -> NaiveDate {
    PropertyCalendar {
        timezone: chrono_tz::Asia::Dubai,
        business_day_start: chrono::NaiveTime::MIN,
    }
    .business_date(Utc::now())
}

/// Builds a booking.created event for the demo property.
pub fn booking_event(
    id: &str,
    reference: &str,
    room_type: &str,
    check_in: &str,
    check_out: &str,
) -> Value {
    serde_json::json!({
        "id": id,
        "type": "booking.created",
        "data": {
            "reference": reference,
            "room_type": room_type,
            "check_in": check_in,
            "check_out": check_out,
            "guests": 2,
            "guest": {"name": "Ada Lovelace", "email": "ada@example.com"}
        }
    })
}

pub fn cancel_event(id: &str, reference: &str) -> Value {
    serde_json::json!({"id": id, "type": "booking.cancelled", "data": {"reference": reference}})
}

/// Sets the free units of one room type on one night directly in the database.
pub async fn set_available(database: &TestDatabase, room_type: &str, date: &str, available: i32) {
    let connection = database.connect().await;
    let backend = connection.get_database_backend();
    let date: NaiveDate = date.parse().unwrap();
    connection
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE nightly_rate SET available = $1 WHERE date = $2 AND room_type_id = (SELECT id FROM room_type WHERE code = $3)",
            [available.into(), date.into(), room_type.into()],
        ))
        .await
        .expect("update nightly_rate");
    // Like any writer outside grace, tell the processes' rates caches.
    if backend == sea_orm::DbBackend::Postgres {
        connection
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "SELECT pg_notify('grace_rates', id::text) FROM room_type WHERE code = $1",
                [room_type.into()],
            ))
            .await
            .expect("notify grace_rates");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    connection.close().await.ok();
}

/// Reads one integer from a query with no parameters.
pub async fn query_i64(database: &TestDatabase, sql: &str) -> i64 {
    let connection = database.connect().await;
    let row = connection
        .query_one_raw(Statement::from_string(
            connection.get_database_backend(),
            sql,
        ))
        .await
        .expect("query")
        .expect("a row");
    let value = row.try_get_by_index::<i64>(0).expect("an integer");
    connection.close().await.ok();
    value
}

/// Asserts the contract's error shape and returns the body.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    let actual_status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.expect("a body");
    assert_eq!(actual_status, status, "status for {code}: body {text}");
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type:?} for {code}"
    );
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("a JSON body, got {text:?}"));
    assert_eq!(body["error"]["code"], code, "body {text}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "message in {text}"
    );
    body
}

/// A grace binary started as its own process, for tests about processes.
pub struct ServerProcess {
    pub child: Child,
    pub address: String,
    pub log_path: std::path::PathBuf,
    _log_dir: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts `grace serve` with the given environment and waits until /health returns 200.
    pub async fn start(env: &[(&str, String)]) -> ServerProcess {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log_dir = tempfile::tempdir().unwrap();
        let log_path = log_dir.path().join("grace.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_grace"));
        command
            .arg("serve")
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("HMAC_SECRET", SECRET)
            .env("HTTP_WORKERS", "2")
            .env(
                "GRACE_CONFIG_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/config"),
            )
            .stdout(Stdio::null())
            .stderr(log);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("the grace binary starts");
        let process = ServerProcess {
            child,
            address: format!("http://127.0.0.1:{port}"),
            log_path,
            _log_dir: log_dir,
        };
        process.wait_until_ready().await;
        process
    }

    async fn wait_until_ready(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(response) = client.get(format!("{}/health", self.address)).send().await
                && response.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("grace did not become ready; log:\n{}", self.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().ok();
        self.child.wait().ok().and_then(|status| status.code())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.terminate();
        }
    }
}

/// Runs the grace binary to completion and returns (exit code, stdout, stderr).
pub fn run_grace(
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&[u8]>,
) -> (i32, String, String) {
    use std::io::Write;
    let mut command = Command::new(env!("CARGO_BIN_EXE_grace"));
    command
        .args(args)
        .env_remove("HMAC_SECRET")
        .env_remove("DATABASE_URL")
        .env(
            "GRACE_CONFIG_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config"),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("the grace binary starts");
    if let Some(input) = stdin {
        // The command may exit before reading its input (a usage error), so a
        // broken pipe here is not a failure of the test.
        let _ = child.stdin.take().unwrap().write_all(input);
    } else {
        drop(child.stdin.take());
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub async fn json(response: reqwest::Response) -> Value {
    let text = response.text().await.expect("a body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("a JSON body, got {text:?}"))
}
