//! Faults: the database going away, a dry pool, a crashed actor, shutdown
//! in the middle of a burst, and secrets kept out of the logs.

use std::time::{Duration, Instant};

use futures_util::future::join_all;

use crate::helpers::{
    AppOptions, Backend, SECRET, ServerProcess, TestDatabase, assert_error, booking_event, json,
    query_i64, spawn_app_on,
};
use crate::proxy::DatabaseProxy;

/// Polls a condition every 50 ms until it is true or `limit` passes.
async fn eventually<F, Fut>(limit: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < limit {
        if condition().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[actix_web::test]
async fn database_outage_answers_503_and_recovers() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let proxy = DatabaseProxy::start("127.0.0.1:5432".parse().unwrap()).await;
    let through_proxy = TestDatabase::existing(&proxy.url_for(&database.url));
    let app = spawn_app_on(
        through_proxy,
        AppOptions::new(Backend::Postgres).env("DB_POOL_TIMEOUT", "1"),
    )
    .await;
    let before = booking_event("evt_before", "BK-BEFORE", "STD", &app.day(1), &app.day(2));
    let during = booking_event("evt_during", "BK-DURING", "STD", &app.day(1), &app.day(2));
    let after = booking_event("evt_after", "BK-AFTER", "STD", &app.day(1), &app.day(2));
    assert_eq!(app.post_event(&before).await.status(), 201);

    proxy.cut();

    let health = app.get("/health").await;
    assert_eq!(health.status(), 503);
    assert_eq!(json(health).await["status"], "unavailable");
    let refused = app.post_event(&during).await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_error(refused, 503, "database_unavailable").await;
    let stay = format!("check_in={}&check_out={}", app.day(1), app.day(2));
    let rates_down = eventually(Duration::from_secs(5), || async {
        app.rates(&stay).await.status() == 503
    })
    .await;
    assert!(
        rates_down,
        "/rates kept answering from a cache that can no longer be kept current"
    );

    proxy.restore();

    let recovered = eventually(Duration::from_secs(15), || async {
        app.get("/health").await.status() == 200
    })
    .await;
    assert!(
        recovered,
        "grace did not recover after the database came back"
    );
    assert_eq!(app.post_event(&during).await.status(), 201);
    assert_eq!(app.post_event(&after).await.status(), 201);
    assert_eq!(app.post_event(&before).await.status(), 200);
    assert_eq!(app.rates(&stay).await.status(), 200);
    for reference in ["BK-BEFORE", "BK-DURING", "BK-AFTER"] {
        let sql = format!("SELECT COUNT(*) FROM booking WHERE reference = '{reference}'");
        assert_eq!(query_i64(&database, &sql).await, 1, "{reference}");
    }
    assert_eq!(
        query_i64(&database, "SELECT COUNT(*) FROM booking").await,
        3
    );
}

#[actix_web::test]
async fn exhausted_pool_fails_fast_then_recovers() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let url = database.url.clone();
    let options = AppOptions::new(Backend::Postgres)
        .env("DB_POOL_SIZE", "1")
        .env("DB_MAX_OVERFLOW", "0")
        .env("DB_POOL_TIMEOUT", "1")
        .env("RATES_CACHE", "false");
    let app = spawn_app_on(database, options).await;
    let night = app.day(5);

    // Hold a lock on the night, so the booking below keeps grace's only
    // connection busy until this transaction ends.
    let (client, connection) = lock_night(&url, &night).await;
    let blocked = booking_event("evt_blocked", "BK-BLOCKED", "STD", &night, &app.day(6));
    let booking =
        actix_web::rt::spawn(signed_request(&app.client, &app.address, blocked.to_string()).send());
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let response = app
        .rates(&format!("check_in={}&check_out={}", app.day(1), app.day(2)))
        .await;
    let waited = started.elapsed();
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, 503, "database_unavailable").await;
    assert!(
        waited >= Duration::from_millis(800),
        "failed after {waited:?}, before the pool timeout"
    );
    assert!(waited < Duration::from_secs(5), "hung for {waited:?}");

    release_lock(client, connection).await;
    assert_eq!(booking.await.unwrap().unwrap().status(), 201);
    let response = app
        .rates(&format!("check_in={}&check_out={}", app.day(1), app.day(2)))
        .await;
    assert_eq!(response.status(), 200);
}

/// Opens a connection of the test's own and locks one STD night FOR UPDATE.
async fn lock_night(
    url: &str,
    night: &str,
) -> (sea_orm::DatabaseTransaction, sea_orm::DatabaseConnection) {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let connection = sea_orm::Database::connect(url).await.unwrap();
    let transaction = connection.begin().await.unwrap();
    transaction
        .execute_unprepared(&format!(
            "SELECT available FROM nightly_rate WHERE date = '{night}' \
             AND room_type_id = (SELECT id FROM room_type WHERE code = 'STD') FOR UPDATE"
        ))
        .await
        .unwrap();
    (transaction, connection)
}

async fn release_lock(
    transaction: sea_orm::DatabaseTransaction,
    connection: sea_orm::DatabaseConnection,
) {
    transaction.commit().await.unwrap();
    connection.close().await.unwrap();
}

#[actix_web::test]
async fn panicking_actor_is_restarted() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let app = spawn_app_on(
        database,
        AppOptions::new(Backend::Postgres).env("HTTP_WORKERS", "1"),
    )
    .await;

    for actor in ["db", "booking", "auth"] {
        let crashed = app
            .client
            .post(format!("{}/__faults/panic/{actor}", app.address))
            .send()
            .await
            .unwrap();
        assert_error(crashed, 503, "service_unavailable").await;
    }

    assert_eq!(app.get("/health").await.status(), 200);
    let stay = format!("check_in={}&check_out={}", app.day(1), app.day(2));
    assert_eq!(app.rates(&stay).await.status(), 200);
    let booked = app
        .post_event(&booking_event(
            "evt_after_panic",
            "BK-PANIC",
            "DLX",
            &app.day(1),
            &app.day(2),
        ))
        .await;
    assert_eq!(booked.status(), 201);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    for actor in ["db", "booking", "auth"] {
        let restarted = metrics.lines().any(|line| {
            line.starts_with(&format!("grace_actor_restarts_total{{actor=\"{actor}\"}}"))
                && !line.ends_with(" 0")
        });
        assert!(restarted, "no restart counted for {actor}");
    }
}

fn signed_request(
    client: &reqwest::Client,
    address: &str,
    body: String,
) -> reqwest::RequestBuilder {
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let signature = grace::signature::sign(SECRET.as_bytes(), &timestamp, body.as_bytes());
    client
        .post(format!("{address}/webhook"))
        .header("X-Timestamp", timestamp)
        .header("X-Signature", signature)
        .body(body)
}

#[actix_web::test]
async fn shutdown_mid_burst_loses_no_acknowledged_booking() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let mut process = ServerProcess::start(&[
        ("DATABASE_URL", database.url.clone()),
        ("SHUTDOWN_TIMEOUT_SECONDS", "10".to_owned()),
        ("LOG_LEVEL", "warn".to_owned()),
    ])
    .await;
    let business_date = crate::helpers::dubai_business_date();
    let client = reqwest::Client::new();
    let room_types = ["STD", "DLX", "FAM", "STE"];

    let requests: Vec<_> = (0..120)
        .map(|index| {
            let check_in = business_date + chrono::Duration::days(1 + index % 30);
            let check_out = check_in + chrono::Duration::days(1 + index % 3);
            let event = booking_event(
                &format!("evt_burst_{index}"),
                &format!("BK-BURST-{index}"),
                room_types[index as usize % 4],
                &check_in.to_string(),
                &check_out.to_string(),
            );
            signed_request(&client, &process.address, event.to_string()).send()
        })
        .collect();
    let burst = actix_web::rt::spawn(join_all(requests));
    tokio::time::sleep(Duration::from_millis(40)).await;
    let pid = process.child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();

    let responses = burst.await.unwrap();
    let exit_code = process.child.wait().unwrap().code();
    assert_eq!(exit_code, Some(0), "log:\n{}", process.log());

    let mut acknowledged = Vec::new();
    for (index, response) in responses.into_iter().enumerate() {
        if let Ok(response) = response
            && response.status() == 201
        {
            acknowledged.push(format!("BK-BURST-{index}"));
        }
    }
    assert!(
        !acknowledged.is_empty(),
        "no booking was acknowledged before the shutdown"
    );
    for reference in &acknowledged {
        let sql = format!("SELECT COUNT(*) FROM booking WHERE reference = '{reference}'");
        assert_eq!(
            query_i64(&database, &sql).await,
            1,
            "{reference} was acknowledged but is not stored"
        );
    }
    assert_inventory_adds_up(&database).await;
}

/// Checks that every confirmed booked night took exactly one unit: for each
/// room type and night, the 10 seeded units equal free units plus booked nights.
pub async fn assert_inventory_adds_up(database: &TestDatabase) {
    let mismatched = query_i64(
        database,
        "SELECT COUNT(*) FROM nightly_rate nr WHERE nr.available + ( \
           SELECT COUNT(*) FROM booking_night bn JOIN booking b ON b.id = bn.booking_id \
           WHERE b.room_type_id = nr.room_type_id AND bn.date = nr.date AND b.status = 'confirmed') <> 10",
    )
    .await;
    assert_eq!(
        mismatched, 0,
        "nights where free units and bookings do not add up to the units loaded"
    );
    let half_applied = query_i64(
        database,
        "SELECT COUNT(*) FROM booking b WHERE (b.check_out - b.check_in) <> \
           (SELECT COUNT(*) FROM booking_night bn WHERE bn.booking_id = b.id) \
           OR NOT EXISTS (SELECT 1 FROM webhook_event e WHERE e.status_code = 201 \
             AND e.response_body LIKE '%' || b.reference || '%')",
    )
    .await;
    assert_eq!(
        half_applied, 0,
        "bookings without all their nights or without their inbox row"
    );
}

#[actix_web::test]
async fn secrets_never_reach_the_logs() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let previous = "previous-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    let mut process = ServerProcess::start(&[
        ("DATABASE_URL", database.url.clone()),
        ("HMAC_SECRET_PREVIOUS", previous.to_owned()),
        ("LOG_LEVEL", "trace".to_owned()),
        ("DB_LOG_STATEMENTS", "true".to_owned()),
    ])
    .await;
    let client = reqwest::Client::new();
    let business_date = crate::helpers::dubai_business_date();
    let (check_in, check_out) = (
        business_date + chrono::Duration::days(1),
        business_date + chrono::Duration::days(2),
    );
    let event = booking_event(
        "evt_secret",
        "BK-SECRET",
        "STD",
        &check_in.to_string(),
        &check_out.to_string(),
    );

    let booked = signed_request(&client, &process.address, event.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), 201);
    let replayed = signed_request(&client, &process.address, event.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), 200);
    let forged = client
        .post(format!("{}/webhook", process.address))
        .header("X-Timestamp", chrono::Utc::now().timestamp().to_string())
        .header("X-Signature", "00".repeat(32))
        .body(event.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert_eq!(process.terminate(), Some(0));

    let log = process.log();
    assert!(
        log.len() > 1000,
        "the trace log is suspiciously short:\n{log}"
    );
    assert!(!log.contains(SECRET), "HMAC_SECRET appears in the log");
    assert!(
        !log.contains(previous),
        "HMAC_SECRET_PREVIOUS appears in the log"
    );
}

#[actix_web::test]
async fn health_reports_outage_without_waiting_for_pool_timeout() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let proxy = DatabaseProxy::start("127.0.0.1:5432".parse().unwrap()).await;
    let through_proxy = TestDatabase::existing(&proxy.url_for(&database.url));
    let app = spawn_app_on(through_proxy, AppOptions::new(Backend::Postgres)).await;

    proxy.cut();
    let started = Instant::now();
    let health = app.get("/health").await;
    let waited = started.elapsed();

    assert_eq!(health.status(), 503);
    assert_eq!(json(health).await["database"]["reachable"], false);
    assert!(
        waited < Duration::from_secs(5),
        "/health took {waited:?} with DB_POOL_TIMEOUT=30"
    );
    proxy.restore();
}
