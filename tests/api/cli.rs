//! The command line: sign, seed, migrate, and the start-up budget lines.

use crate::helpers::{Backend, ServerProcess, TestDatabase, run_grace};

#[test]
fn sign_prints_the_two_headers() {
    let body = br#"{"hotel_id":"H-TEST-1","rate":"129.00"}"#;

    let (code, stdout, stderr) = run_grace(
        &[
            "sign",
            "--timestamp",
            "1700000000",
            "--secret-env",
            "VECTOR_SECRET",
            "-",
        ],
        &[("VECTOR_SECRET", "test-secret-not-real")],
        Some(body),
    );

    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "X-Timestamp: 1700000000\nX-Signature: 7a3b4099745f46e1fe639cd4641a3ec05faffc2b42418d566dd9f4c4af539ae7\n"
    );
}

#[test]
fn sign_reads_a_file_and_needs_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("body.json");
    std::fs::write(&path, b"{}").unwrap();

    let (code, stdout, _) = run_grace(
        &["sign", "--timestamp", "5", path.to_str().unwrap()],
        &[("HMAC_SECRET", "s")],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 2);
    assert!(stdout.contains(&grace::signature::sign(b"s", "5", b"{}")));

    let (code, _, stderr) = run_grace(
        &["sign", "--secret-env", "UNSET_SECRET_VARIABLE", "-"],
        &[],
        Some(b"{}"),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("UNSET_SECRET_VARIABLE"), "{stderr}");
}

#[actix_web::test]
async fn seed_refuses_a_database_with_a_property() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let env = [
        ("DATABASE_URL", database.url.as_str()),
        ("GRACE_ENV", "production"),
        ("HMAC_SECRET", crate::helpers::SECRET),
    ];

    let (first, _, first_log) = run_grace(&["seed", "--demo"], &env, None);
    let (second, _, second_log) = run_grace(&["seed", "--demo"], &env, None);

    assert_eq!(first, 0, "{first_log}");
    assert_eq!(second, 1, "{second_log}");
    assert!(second_log.contains("GRACE-DXB"), "{second_log}");
    let rows = crate::helpers::query_i64(&database, "SELECT COUNT(*) FROM nightly_rate").await;
    assert_eq!(rows, 4 * 365);
}

#[actix_web::test]
async fn migrate_runs_twice_without_harm() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let env = [("DATABASE_URL", database.url.as_str())];

    assert_eq!(run_grace(&["migrate"], &env, None).0, 0);
    assert_eq!(run_grace(&["migrate"], &env, None).0, 0);
    let tables = crate::helpers::query_i64(
        &database,
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name IN \
         ('property', 'room_type', 'nightly_rate', 'booking', 'booking_night', 'webhook_event')",
    )
    .await;
    assert_eq!(tables, 6);
}

#[test]
fn seed_without_demo_is_usage_error() {
    assert_eq!(run_grace(&["seed"], &[], None).0, 2);
    assert_eq!(run_grace(&["frobnicate"], &[], None).0, 2);
}

async fn budget_of(num_workers: &str) -> (String, serde_json::Value) {
    let database = TestDatabase::create(Backend::Postgres).await;
    let mut process = ServerProcess::start(&[
        ("DATABASE_URL", database.url.clone()),
        ("NUM_WORKERS", num_workers.to_owned()),
        ("POSTGRES_MAX_CONNECTIONS", "100".to_owned()),
    ])
    .await;
    let health: serde_json::Value = reqwest::get(format!("{}/health", process.address))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        process.terminate(),
        Some(0),
        "a SIGTERM that drains exits 0"
    );
    (process.log(), health)
}

fn server_limit() -> (u64, u64) {
    let output = std::process::Command::new("psql")
        .args([
            &crate::helpers::admin_url(),
            "-Atc",
            "SELECT current_setting('max_connections') || ' ' || current_setting('superuser_reserved_connections')",
        ])
        .output()
        .expect("psql runs");
    let text = String::from_utf8(output.stdout).unwrap();
    let mut parts = text
        .split_whitespace()
        .map(|part| part.parse::<u64>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

#[actix_web::test]
async fn twenty_workers_log_the_budget_error() {
    let (max_connections, reserved) = server_limit();
    let limit = max_connections - reserved;

    let (log, health) = budget_of("20").await;

    let line = log
        .lines()
        .find(|line| line.contains("ERROR") && line.contains("connection budget"))
        .unwrap_or_else(|| panic!("no budget error line in:\n{log}"));
    let percent = format!("{:.1} %", 140.0 / limit as f64 * 100.0);
    for expected in [
        "140",
        &limit.to_string(),
        &percent,
        "NUM_WORKERS",
        "max_connections",
        "PgBouncer",
    ] {
        assert!(line.contains(expected), "{expected:?} missing from {line}");
    }
    assert_eq!(health["budget"]["planned"], 140);
    assert_eq!(health["budget"]["limit"], limit);
}

#[actix_web::test]
async fn twelve_workers_log_the_budget_warning() {
    let (max_connections, reserved) = server_limit();
    let limit = max_connections - reserved;

    let (log, health) = budget_of("12").await;

    let ratio = 84.0 / limit as f64;
    let line = log
        .lines()
        .find(|line| line.contains("connection budget") && line.contains("84"));
    if ratio > 1.0 {
        assert!(line.is_some_and(|line| line.contains("ERROR")), "{log}");
    } else if ratio > 0.8 {
        let line = line.unwrap_or_else(|| panic!("no budget warning in:\n{log}"));
        assert!(line.contains("WARN"), "{line}");
        for expected in [
            "84",
            &limit.to_string(),
            "NUM_WORKERS",
            "max_connections",
            "PgBouncer",
        ] {
            assert!(line.contains(expected), "{expected:?} missing from {line}");
        }
    }
    assert_eq!(health["budget"]["planned"], 84);
    assert_eq!(health["budget"]["ratio"], (ratio * 1000.0).round() / 1000.0);
}
